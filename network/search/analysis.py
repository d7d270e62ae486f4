"""The analysis chain: text (or a query word) of language L → the terms every backend indexes.

One chain per language, shared by SQLite FTS5, PostgreSQL and the Elasticsearch/OpenSearch
backend, so each finds the same documents. For a word of language L:

1. **lemmas** — Finnish: Voikko's base forms (``älypuhelimet`` → *älypuhelin*,
   ``kilpailutuksessa`` → *kilpailutus*, ``laitteiden`` → *laite*); the other languages:
   simplemma (``datorer`` → *dator*, ``duurzame`` → *duurzaam*);
2. **Snowball** on the lemma (it conflates what the lemmatiser does not know);
3. **folding** — case, and accents except the letters the language keeps apart (å ä ö in
   Finnish and Swedish, ñ in Spanish): ``reconditionné`` and ``reconditionne`` meet, ``år`` and
   ``ar`` do not;
4. **compound parts** — Finnish: Voikko's word bases (``tietokoneet`` → *tieto*, *kone*);
   Swedish, German, Dutch: :mod:`network.search.compounds` over Hunspell dictionaries.

A word yields one *main* term (kept at the word's position, so phrases work) and *extra* terms:
its other lemmas, its plain Snowball stem (so whatever the Snowball-only chain found is still
found) and its compound parts. Every term carries its language as a prefix (``fi0tietokone``), so
one language's terms only meet documents (or fields) written in it. Query words get the main term
and the alternatives, never compound parts (*tietokone* must not find every *kone*).

Public entry points: :func:`document_terms` (what to index for a document) and
:func:`query_alternatives` (what a query word may match). :func:`status` says which analysers run.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from network.search import compounds, lemmas
from network.search.text import LANGUAGES, UNDETERMINED, stem, words

SEPARATOR = "0"
#: Letters each language keeps distinct from their unaccented base when folding.
KEPT_LETTERS: dict[str, frozenset[str]] = {
    "fi": frozenset("åäö"),
    "sv": frozenset("åäö"),
    "de": frozenset("äöü"),
    "es": frozenset("ñ"),
    UNDETERMINED: frozenset("åäöñ"),
}
#: Fields of an indexed document whose text is analysed, in index order.
TEXT_FIELDS = ("title", "summary", "body")


def term(language: str, value: str) -> str:
    """A term as stored everywhere: ``fi0tietokone`` (language codes are letters only)."""
    return f"{language}{SEPARATOR}{value}"


@lru_cache(maxsize=100_000)
def fold(value: str, language: str) -> str:
    """Strip accents, except the letters ``language`` keeps (``é`` → ``e``; Swedish ``å`` stays)."""
    if value.isascii():
        return value
    kept = KEPT_LETTERS.get(language, frozenset())
    out = []
    for ch in unicodedata.normalize("NFC", value):
        if ch in kept or ch.isascii():
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)) or ch)
    return "".join(out)


@dataclass(frozen=True)
class WordTerms:
    """What one word contributes: ``main`` at its position; ``alternatives`` and ``parts`` beside."""

    main: str
    alternatives: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()


def _lemmas(word: str, language: str) -> tuple[list[str], list[str]]:
    """``(lemmas, compound parts)`` of a case-folded word; lemmas best first, never empty."""
    found: list[str] = []
    parts: list[str] = []
    if language == "fi" and lemmas.voikko() is not None:
        for base, word_parts in lemmas.finnish_analyses(word):
            if base not in found:
                found.append(base)
            parts += [p for p in word_parts if p not in parts]
    if not found:
        # Voikko running but not knowing the word (a brand, an English loan): Snowball alone,
        # without loading simplemma's Finnish data (~50 MB) for what Voikko already covers.
        known_by_voikko = language == "fi" and lemmas.voikko() is not None
        found.append(word if known_by_voikko else lemmas.lemma(word, language))
    if language in compounds.DICTIONARIES:
        for candidate in (found[0], word):
            split = compounds.split(candidate, language)
            if split:
                parts += [p for p in split if p not in parts]
                break
    return found, parts


def _stemmed(value: str, language: str) -> str:
    return fold(stem(value, language), language)


@lru_cache(maxsize=300_000)
def analyse_word(word: str, language: str) -> WordTerms:
    """The terms of one case-folded word in ``language`` (cached: a corpus repeats its words)."""
    if language not in LANGUAGES:
        return WordTerms(term(UNDETERMINED, fold(word, UNDETERMINED)))
    found, parts = _lemmas(word, language)
    main = _stemmed(found[0], language)
    alternatives = {_stemmed(other, language) for other in found[1:]}
    alternatives.add(_stemmed(word, language))  # the plain Snowball stem of the word itself
    alternatives.discard(main)
    part_terms: set[str] = set()
    for part in parts:
        base = part if language == "fi" else lemmas.lemma(part, language)
        part_terms.add(_stemmed(base, language))
    part_terms -= alternatives | {main}
    return WordTerms(
        term(language, main),
        tuple(sorted(term(language, a) for a in alternatives)),
        tuple(sorted(term(language, p) for p in part_terms)),
    )


@lru_cache(maxsize=100_000)
def query_alternatives(word: str, language: str) -> tuple[str, ...]:
    """Terms a query word matches in ``language``: main term first, then its alternatives.

    Includes the stem of the stem (Snowball strips one suffix layer per pass: Swedish
    ``datorer`` → ``dator`` → ``dat``), never compound parts.
    """
    analysed = analyse_word(word, language)
    found = [analysed.main, *analysed.alternatives]
    if language in LANGUAGES:
        second = term(language, _stemmed(stem(stem(word, language), language), language))
        if second not in found:
            found.append(second)
    return tuple(found)


@dataclass
class FieldTerms:
    """Terms of one text: ``main`` in word order (positions matter), ``extra`` without duplicates."""

    main: list[str]
    extra: list[str]


def analyse(text: str | None, language: str) -> FieldTerms:
    """Every word of ``text`` through the chain of ``language`` (``und``: folding only)."""
    main: list[str] = []
    extra: dict[str, None] = {}
    for word in words(text):
        analysed = analyse_word(word, language)
        main.append(analysed.main)
        for value in (*analysed.alternatives, *analysed.parts):
            extra.setdefault(value, None)
    return FieldTerms(main, list(extra))


@dataclass
class DocumentTerms:
    """What a backend indexes for a document: one space-separated term string per field."""

    title: str
    summary: str
    body: str
    extra: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "summary": self.summary, "body": self.body, "extra": self.extra}


def document_terms(document: Any) -> DocumentTerms:
    """THE entry point for indexing: the terms of an :class:`~network.search.spec.IndexedDocument`.

    Each field is analysed in its own language (``document.field_languages``, falling back to the
    document's language), so a mixed-language document indexes each field in its language.
    """
    field_languages = getattr(document, "field_languages", None) or {}
    extra: dict[str, None] = {}
    out: dict[str, str] = {}
    for name in TEXT_FIELDS:
        language = field_languages.get(name) or document.language
        analysed = analyse(getattr(document, name, ""), language)
        out[name] = " ".join(analysed.main)
        for value in analysed.extra:
            extra.setdefault(value, None)
    return DocumentTerms(out["title"], out["summary"], out["body"], " ".join(extra))


def terms_for_text(text: str | None, language: str) -> list[str]:
    """Main and extra terms of a text, for small vocabularies (CPV labels) matched in Python."""
    analysed = analyse(text, language)
    return [*analysed.main, *analysed.extra]


def matches(text_terms: Iterable[str], word: str, languages: Iterable[str]) -> bool:
    wanted = {t for language in languages for t in query_alternatives(word, language)}
    return any(t in wanted for t in text_terms)


def status() -> dict[str, str]:
    """Which analyser runs for what (``/readyz`` and ``search_index --check``)."""
    found = {"fi": f"Voikko: {lemmas.voikko_status()}"}
    found["lemmatiser"] = f"simplemma: {lemmas.simplemma_status()}"
    for language, state in compounds.status().items():
        found[f"compounds_{language}"] = f"Hunspell: {state}"
    from network.search import languages as detection

    found["language_detection"] = detection.status()
    return found


def summary() -> str:
    """One line for ``/readyz``: every analyser and its state, fallbacks named."""
    states = status()
    missing = [name for name, state in states.items() if "missing" in state]
    head = f"degraded ({', '.join(missing)} fall back to Snowball)" if missing else "ok"
    return f"{head}: " + "; ".join(f"{name} {state}" for name, state in states.items())


def degraded() -> list[str]:
    """Names of analysers that fell back (an empty list when the full chain runs)."""
    return [name for name, state in status().items() if "missing" in state]


def warm_up(languages: Iterable[str] = tuple(LANGUAGES)) -> None:
    """Load every analyser now (a server process calls it in the background at start-up), so the
    first search does not pay for loading dictionaries."""
    from network.search import languages as detection

    for language in languages:
        analyse_word("warmup", language)
        query_alternatives("test", language)
        if language in compounds.DICTIONARIES:
            compounds.available(language)
    detection.detect("warm up the detector")


def warm_up_in_background() -> None:
    """:func:`warm_up` on a daemon thread (server start-up); a failure is logged, never raised."""
    import logging
    import threading

    def run() -> None:
        try:
            warm_up()
        except Exception:
            logging.getLogger(__name__).exception("Warming up the search analysers failed")

    threading.Thread(target=run, name="search-analysers-warm-up", daemon=True).start()

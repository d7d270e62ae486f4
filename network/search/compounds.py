"""Compound splitting for Swedish, German and Dutch, from Debian's Hunspell dictionaries.

``surfplattor`` → ``surf`` + ``plattor``, ``Mobiltelefonen`` → ``mobil`` + ``telefonen``,
``reserveonderdelen`` → ``reserve`` + ``onderdelen``: the parts are indexed beside the whole word so
*platta* finds *surfplattor*. Finnish compounds come from Voikko's word bases instead
(:mod:`network.search.lemmas`).

Why our own splitter over the Hunspell word lists rather than a package: the PyPI splitters cover
German (and sometimes Dutch) only, or need a corpus-trained model; the Hunspell dictionaries
(``hunspell-sv``, ``hunspell-de-de``, ``hunspell-nl``) are maintained word lists for all three, and
splitting a word into dictionary words with the language's linking elements (Swedish *s*, German
*s*/*es*/*n*/*en*/*er*/*e*, Dutch *s*/*e*/*en*) is a dictionary decompounder in ~100 lines. The word
lists are read on first use (~10-15 MB a language, see the README); a missing dictionary turns
splitting off for that language and ``/readyz`` says so.
"""

from __future__ import annotations

import logging
import os
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

#: Where Debian installs Hunspell dictionaries; ``SEARCH_HUNSPELL_DIR`` overrides it.
HUNSPELL_DIR = Path(os.environ.get("SEARCH_HUNSPELL_DIR", "/usr/share/hunspell"))
DICTIONARIES = {"sv": "sv_SE", "de": "de_DE", "nl": "nl"}
#: Letters that may join two parts (``bil|s|dörr``, ``Arbeit|s|platz``, ``boek|en|kast``).
LINKS = {"sv": ("s", ""), "de": ("", "s", "es", "n", "en", "er", "e"), "nl": ("", "s", "e", "en")}
#: A non-final part may have dropped its last vowel (``skol|bänk`` from *skola*, ``Schul|buch``).
TRUNCATED = {"sv": ("a", "e", "o"), "de": ("e",), "nl": ("e",)}
#: Inflection endings a compound's head may carry (``plattor`` from *platta*).
HEAD_ENDINGS = {
    "sv": ("", "or", "ar", "er", "r", "n", "en", "et", "na", "orna", "arna", "erna", "s", "ns"),
    "de": ("", "e", "en", "n", "er", "ern", "s", "es", "nen"),
    "nl": ("", "en", "s", "e", "n", "'s"),
}
MIN_PART = 3
MIN_WORD = 7
MAX_WORD = 40

_lock = threading.Lock()
_words: dict[str, frozenset[str] | None] = {}
_errors: dict[str, str] = {}


def _load(language: str) -> frozenset[str] | None:
    if language in _words:
        return _words[language]
    with _lock:
        if language not in _words:
            path = HUNSPELL_DIR / f"{DICTIONARIES[language]}.dic"
            try:
                words: set[str] = set()
                with path.open(encoding="utf-8", errors="replace") as handle:
                    next(handle, None)  # the first line is the entry count
                    for line in handle:
                        word = unicodedata.normalize("NFKC", line.split("/", 1)[0].strip()).casefold()
                        if len(word) >= MIN_PART and word.isalpha():
                            words.add(word)
                _words[language] = frozenset(words)
            except OSError as exc:
                _errors[language] = f"{path}: {exc.strerror or exc}"
                _words[language] = None
                logger.warning("No Hunspell dictionary for %s (%s): compounds are not split", language, exc)
    return _words[language]


def available(language: str) -> bool:
    return language in DICTIONARIES and _load(language) is not None


def status() -> dict[str, str]:
    return {
        language: (
            f"ok ({DICTIONARIES[language]}.dic)"
            if available(language)
            else f"missing ({_errors.get(language)})"
        )
        for language in DICTIONARIES
    }


@lru_cache(maxsize=100_000)
def split(word: str, language: str) -> tuple[str, ...]:
    """The parts of a compound ``word`` (case-folded), or ``()`` when it is not one.

    Fewest parts win, then the split whose shortest part is longest (``surf|plattor`` over
    ``sur|fplattor``); the last part may carry an inflection ending. Parts are returned as they
    appear in the word, linking letters removed, for the chain to lemmatise and stem.
    """
    if language not in DICTIONARIES or not (MIN_WORD <= len(word) <= MAX_WORD) or not word.isalpha():
        return ()
    words = _load(language)
    if not words:
        return ()
    best = _best_split(word, language, words, 0)
    if not best or len(best) < 2:
        return ()
    return (*(_unlinked(p, language, words) for p in best[:-1]), best[-1])


def _unlinked(part: str, language: str, words: frozenset[str]) -> str:
    """``arbeits`` → ``arbeit``: a modifier listed with its linking letter loses it when the bare
    word exists too (Hunspell lists some compound-only forms)."""
    for link in ("s", "es"):
        if link in LINKS[language] and part.endswith(link) and part[: -len(link)] in words:
            return part[: -len(link)]
    return part


def _is_head(part: str, language: str, words: frozenset[str]) -> bool:
    from network.search.lemmas import lemma

    if len(part) >= 5 and lemma(part, language) in words:  # ``onderdelen`` → *onderdeel*
        return True
    for ending in HEAD_ENDINGS[language]:
        if (
            part.endswith(ending)
            and len(part) - len(ending) >= MIN_PART
            and part[: len(part) - len(ending)] in words
        ):
            return True
    return False


def _is_modifier(part: str, language: str, words: frozenset[str]) -> bool:
    return part in words or any(part + v in words for v in TRUNCATED[language])


def _best_split(word: str, language: str, words: frozenset[str], depth: int) -> tuple[str, ...] | None:
    """Best split of ``word`` into modifier parts and a head (at most 4 parts; memoised per suffix)."""
    memo: dict[tuple[int, int], tuple[str, ...] | None] = {}

    def best(start: int, level: int) -> tuple[str, ...] | None:
        key = (start, level)
        if key in memo:
            return memo[key]
        rest_word = word[start:]
        found: tuple[str, ...] | None = None
        if level > 0 and _is_head(rest_word, language, words):
            found = (rest_word,)
        elif level < 3:
            candidates: list[tuple[str, ...]] = []
            for i in range(start + MIN_PART, len(word) - MIN_PART + 1):
                prefix = word[start:i]
                for link in LINKS[language]:
                    if link and not prefix.endswith(link):
                        continue
                    stem = prefix[: len(prefix) - len(link)] if link else prefix
                    if len(stem) < MIN_PART or not _is_modifier(stem, language, words):
                        continue
                    rest = best(i, level + 1)
                    if rest:
                        candidates.append((stem, *rest))
            if candidates:
                found = min(candidates, key=lambda p: (len(p), -min(len(x) for x in p), -len(p[0])))
        memo[key] = found
        return found

    return best(0, depth)

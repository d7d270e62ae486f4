"""Words, languages and stems: the one place text is cut into searchable tokens.

Every database backend and the snippet builder use the same word pattern, so what is indexed, what
is queried and what is highlighted always agree. Stemming uses the Snowball algorithms (the same
family PostgreSQL's text search configurations use), per document language.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import snowballstemmer

#: ISO 639-1 code → (Snowball algorithm, PostgreSQL text search configuration).
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("english", "english"),
    "fi": ("finnish", "finnish"),
    "sv": ("swedish", "swedish"),
    "de": ("german", "german"),
    "fr": ("french", "french"),
    "nl": ("dutch", "dutch"),
    "es": ("spanish", "spanish"),
    "it": ("italian", "italian"),
}
#: ISO 639-2 "undetermined": indexed and queried without stemming (PostgreSQL ``simple``).
UNDETERMINED = "und"
ALL_LANGUAGES: tuple[str, ...] = (*LANGUAGES, UNDETERMINED)

#: Letters and digits only. Underscore and every symbol separate words, exactly like FTS5's
#: ``unicode61`` tokenizer, so a stored token is never split differently by the engine.
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORD_LENGTH = 60

_local = threading.local()


def normalise_language(code: str | None) -> str:
    """``"fi-FI"`` → ``"fi"``; anything not configured → ``"und"``."""
    short = (code or "").strip().lower()[:2]
    return short if short in LANGUAGES else UNDETERMINED


def words(text: str | None) -> list[str]:
    """Case-folded words of ``text``, in order (duplicates kept: positions matter for phrases)."""
    if not text:
        return []
    return [w[:MAX_WORD_LENGTH] for w in WORD_RE.findall(text.casefold())]


def _stemmer(language: str):
    """Snowball stemmers keep state while stemming, so each thread gets its own."""
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if language not in cache:
        algorithm = LANGUAGES.get(language, (None, None))[0]
        cache[language] = snowballstemmer.stemmer(algorithm) if algorithm else None
    return cache[language]


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """Snowball stem of ``word`` in ``language``; cached, since a corpus repeats its words endlessly.

    Stemming is a pure function of its arguments, and Snowball in Python costs ~50-100 µs a word:
    uncached, stemming dominated both indexing (every word of every document) and highlighting.
    """
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


def stem_variants(word: str, language: str) -> tuple[str, ...]:
    """The stem of ``word`` plus, when it differs, the stem of that stem.

    Snowball strips one suffix layer per pass, so an inflected query word can stop one step short
    of its base form's stem: Swedish ``datorer`` → ``dator`` while ``dator`` → ``dat``. Querying
    both passes lets an inflected form find its base form without re-stemming the documents
    (which would over-conflate every indexed word).
    """
    first = stem(word, language)
    second = stem(first, language)
    return (first,) if second == first else (first, second)


def stemmed(text: str | None, language: str) -> str:
    """``text`` as space-separated stems: what the SQLite FTS5 table stores for a document."""
    return " ".join(stem(w, language) for w in words(text))

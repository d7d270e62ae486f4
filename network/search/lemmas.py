"""Lemmatisers: Voikko for Finnish, simplemma for the other languages, each loaded on first use.

**Voikko** is a real Finnish morphological analyser (consonant gradation, stem changes, compound
word bases), the one Helsinki's LinkedEvents and Service Map and the national library's Finna use.
We call ``libvoikko.so.1`` (Debian ``libvoikko1`` with the ``voikko-fi`` dictionary) through the
``libvoikko`` binding published on PyPI by the Voikko project: the same ``libvoikko.py`` ctypes
module Debian ships as ``python3-libvoikko``, but installable into the project's virtualenv (the
Debian module lives in the system Python's ``dist-packages``, which a pyenv or venv Python does not
see). When the shared library or the dictionary is missing, :func:`voikko` returns ``None`` and the
chain falls back to simplemma's Finnish data and Snowball (``/readyz`` says so).

**simplemma** looks words up in per-language dictionaries. Its default in-memory dicts cost ~770 MB
for our eight languages (Finnish alone ~310 MB); the *stream* dictionary factory reads the same
compressed data on demand with a small block index: ~100 MB for all eight, each language loaded
only when a text or query in it is first analysed (see the benchmark in the README).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_voikko: Any = None
_voikko_error: str | None = None
_voikko_tried = False
_simplemma: Any = None
_simplemma_error: str | None = None

#: simplemma has data for all of the network's languages.
SIMPLEMMA_LANGUAGES = frozenset({"en", "fi", "sv", "de", "fr", "nl", "es", "it"})


def voikko() -> Any:
    """The Finnish Voikko analyser, or ``None`` when libvoikko or its dictionary is missing."""
    global _voikko, _voikko_error, _voikko_tried
    if _voikko_tried:
        return _voikko
    with _lock:
        if not _voikko_tried:
            try:
                import libvoikko

                _voikko = libvoikko.Voikko("fi")
            except Exception as exc:  # OSError (no .so), VoikkoException (no dictionary), ImportError
                _voikko_error = f"{type(exc).__name__}: {exc}"
                logger.warning("Voikko is not available, Finnish falls back to simplemma: %s", exc)
            _voikko_tried = True
    return _voikko


CONTENT_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "paikannimi", "lyhenne"})


def voikko_status() -> str:
    return "ok" if voikko() is not None else f"missing ({_voikko_error})"


@lru_cache(maxsize=200_000)
def finnish_analyses(word: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(base form, compound parts)`` per Voikko analysis of ``word`` (empty when unknown).

    ``älypuhelimet`` → ``(("älypuhelin", ("äly", "puhelin")),)``. Parts come from ``WORDBASES``
    (``+äly(äly)+puhelin(puhelin)``); derivational suffixes (``+tav``, ``(+a)``) are not parts.
    libvoikko handles are not thread-safe, so calls are serialised.
    """
    analyser = voikko()
    if analyser is None or not word or len(word) > 60:
        return ()
    with _lock:
        try:
            analyses = analyser.analyze(word)
        except Exception:  # a word the C library rejects: treat as unknown
            return ()
    found: list[tuple[str, tuple[str, ...]]] = []
    ranks: list[int] = []
    for analysis in analyses:
        base = (analysis.get("BASEFORM") or "").casefold()
        if not base:
            continue
        parts = tuple(p for p in _word_bases(analysis.get("WORDBASES") or "") if p)
        entry = (base, parts if len(parts) > 1 else ())
        if entry not in found:
            found.append(entry)
            ranks.append(0 if (analysis.get("CLASS") or "") in CONTENT_CLASSES else 1)
    # Nouns and adjectives first: ``puhelin`` is the noun *puhelin* before the verb *puhella*.
    order = sorted(range(len(found)), key=lambda i: (ranks[i], i))
    return tuple(found[i] for i in order)


def _word_bases(wordbases: str) -> list[str]:
    """``+tieto(tieto)+kone(kone)`` → ``["tieto", "kone"]``; suffix bases ``(+a)`` are skipped."""
    parts = []
    for segment in wordbases.split("+"):
        if "(" in segment and segment.endswith(")"):
            base = segment[segment.index("(") + 1 : -1]
            if base and not base.startswith("+"):
                parts.append(base.casefold())
    return parts


def _simplemma_lemmatizer() -> Any:
    global _simplemma, _simplemma_error
    if _simplemma is not None or _simplemma_error is not None:
        return _simplemma
    with _lock:
        if _simplemma is None and _simplemma_error is None:
            try:
                from simplemma import Lemmatizer
                from simplemma.strategies import DefaultStrategy

                _simplemma = Lemmatizer(lemmatization_strategy=DefaultStrategy(low_memory=True))
            except Exception as exc:
                _simplemma_error = f"{type(exc).__name__}: {exc}"
                logger.warning("simplemma is not available, lemmatisation falls back to Snowball: %s", exc)
    return _simplemma


def simplemma_status() -> str:
    return (
        "ok (stream dictionaries, loaded per language on first use)"
        if _simplemma_lemmatizer()
        else (f"missing ({_simplemma_error})")
    )


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """simplemma's lemma of a case-folded ``word`` (the word itself when unknown)."""
    lemmatizer = _simplemma_lemmatizer()
    if lemmatizer is None or language not in SIMPLEMMA_LANGUAGES or not word:
        return word
    try:
        return lemmatizer.lemmatize(word, language).casefold() or word
    except Exception:  # defensive: a lemmatiser bug must never fail indexing or a search
        logger.exception("simplemma failed on %r (%s)", word[:60], language)
        return word

""" "Did you mean": misspelt words replaced by words the person can actually find.

A query word that finds nothing the person may read (``smartphnes``, ``refurbsihed``) is compared
with the index's vocabulary (:class:`~network.search.models.SearchWord`): words of similar length
starting with the same letter, by optimal-string-alignment distance (a swap of two letters is one
edit), at most 1 for words up to 5 letters and 2 beyond. Each close candidate is then *searched
for as that person*: only a word that finds something they may read is offered, the one finding
most among the closest, so a word only a private document holds is never suggested, and private
documents never influence which one is.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz.distance import OSA

from network.search.query import ParsedQuery, SearchQuery
from network.search.text import words

MIN_WORD = 4
MAX_WORD = 40
MAX_CANDIDATES = 6
MAX_SCANNED = 20_000


def max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def candidates(word: str) -> list[tuple[int, str]]:
    """``(distance, vocabulary word)`` close to ``word``, closest first (at most a few)."""
    from network.search.models import SearchWord

    limit = max_distance(word)
    first = word[0]
    upper = chr(ord(first) + 1)
    scanned = (
        SearchWord.objects.filter(word__gte=first, word__lt=upper)
        .exclude(word=word)
        .values_list("word", flat=True)[:MAX_SCANNED]
    )
    found = []
    for other in scanned:
        if abs(len(other) - len(word)) > limit or not other.startswith(first):
            continue
        distance = OSA.distance(word, other, score_cutoff=limit)
        if distance <= limit:
            found.append((distance, other))
    found.sort()
    return found[:MAX_CANDIDATES]


def suggest(count: Any, query: SearchQuery, parsed: ParsedQuery) -> str:
    """The query with each word that finds nothing replaced by its best visible candidate.

    ``count(parsed)`` is the number of matches the *person* may read (the backend's search with the
    visibility filter), so suggestions follow exactly what they can find. ``""`` when nothing needs
    correcting or nothing better is found.
    """
    replacements: dict[str, str] = {}
    for clause in parsed.clauses:
        for atom in clause:
            if atom.is_phrase:
                continue
            word = atom.words[0]
            if not (MIN_WORD <= len(word) <= MAX_WORD) or not word.isalpha() or word in replacements:
                continue
            if count(_single(word)) > 0:
                continue
            best: tuple[int, int, str] | None = None
            for distance, other in candidates(word):
                if best is not None and distance > best[0]:
                    break
                found = count(_single(other))
                if found and (best is None or (distance, -found) < (best[0], -best[1])):
                    best = (distance, found, other)
            if best is not None:
                replacements[word] = best[2]
    if not replacements:
        return ""
    return _replace(query.text, replacements)


def _single(word: str) -> ParsedQuery:
    from network.search.query import Atom

    return ParsedQuery(clauses=((Atom((word,)),),), blank=False)


def _replace(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each misspelt word replaced, everything else (quotes, ``-``, OR) kept."""

    def swap(match: re.Match) -> str:
        found = words(match.group())
        if len(found) == 1 and found[0] in replacements:
            return replacements[found[0]]
        return match.group()

    return re.sub(r"[^\W_]+", swap, text)

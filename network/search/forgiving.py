"""Forgiving queries and one hit per thread, for the database backends.

**Forgiving.** Documents holding every word rank first. When they are few (fewer than
:data:`RELAX_BELOW`), documents holding *most* of the words follow, ranked by how many of the words
they hold and how rare those words are (the sum of each held word's inverse document frequency
among the documents the person may read), each hit naming the words it lacks (``missing: zebra``),
as web search does. Quoted phrases and ``+word`` stay required; exclusions stay exclusions.

**Grouping.** A thread and its posts share a ``collapse`` key: the ranked matches are grouped by
it, a group taking the place of its best-ranked member, so a thread appears once, with its best
post, and the number of its matching posts. The total counts groups.

Both work on ranked windows of document ids the backend's own :meth:`find` returns, so SQLite and
PostgreSQL share them and the visibility filter is the one inside every ``find``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from network.search.query import Atom, ParsedQuery, SearchQuery

#: Fewer matches of every word than this, and documents matching most words follow.
RELAX_BELOW = 10
#: How many partial matches are scored (by how many and how rare their words are) for the pages.
RELAX_WINDOW = 200
FORUM_TYPES = ("post", "thread")

Ranked = list[tuple[int, float]]


@dataclass
class Ordered:
    """Ranked document ids, what each lacks, and the total/facets they come with."""

    ranked: Ranked
    total: int
    facets: dict
    missing: dict[int, list[str]] = field(default_factory=dict)
    partial: bool = False
    #: The query whose matches ``total`` counts (the relaxed one for partial results).
    counted: ParsedQuery | None = None


def relaxable(parsed: ParsedQuery) -> bool:
    return not parsed.blank and len(parsed.clauses) > 1 and bool(parsed.optional)


def relaxed(parsed: ParsedQuery) -> ParsedQuery:
    """Required clauses as they are, plus ONE clause: any of the optional words."""
    required = [parsed.clauses[i] for i in parsed.forced]
    anything: list[Atom] = []
    for i in parsed.optional:
        anything += [a for a in parsed.clauses[i] if a not in anything]
    clauses = (*required, tuple(anything))
    return ParsedQuery(
        clauses=clauses, excluded=parsed.excluded, blank=False, forced=tuple(range(len(required)))
    )


def only_clause(parsed: ParsedQuery, index: int) -> ParsedQuery:
    return ParsedQuery(clauses=(parsed.clauses[index],), blank=False)


def window_query(
    query: SearchQuery, size: int, *, facets: bool = False, filters: dict | None = None
) -> SearchQuery:
    """``query`` asking for its first ``size`` ranked matches (page-size bounds do not apply)."""
    q = copy.copy(query)
    q.page, q.page_size, q.facets = 1, size, facets
    if filters is not None:
        q.filters = filters
    return q


class Forgiving:
    """The search steps one :class:`~network.search.backends.database.DatabaseBackend` call takes."""

    def __init__(self, backend, viewer, query: SearchQuery, parsed: ParsedQuery):
        self.backend, self.viewer, self.query, self.parsed = backend, viewer, query, parsed

    # --- primitives over the backend's find ---------------------------------------------------

    def window(self, parsed: ParsedQuery, size: int) -> Ranked:
        ranked, _total, _facets = self.backend.find(self.viewer, window_query(self.query, size), parsed)
        return ranked

    # --- forgiving ------------------------------------------------------------------------------

    def ordered(self) -> Ordered:
        """Strict results, or (when few) strict results followed by the best partial matches."""
        page_size = self.query.offset + self.query.page_size
        # One statement fetches the first window grouping needs (from the top, as grouping reads
        # it), the total and the facets: grouping then reuses it instead of searching again.
        size = first_window(page_size)
        ranked, total, facets = self.backend.find(
            self.viewer, window_query(self.query, size, facets=self.query.facets), self.parsed
        )
        strict = Ordered(ranked, total, facets)

        def strict_window(n: int) -> Ranked:
            return ranked[:n] if n <= len(ranked) or len(ranked) < size else self.window(self.parsed, n)

        if not relaxable(self.parsed) or total >= RELAX_BELOW:
            strict.ranked_window = strict_window  # type: ignore[attr-defined]
            return strict
        loose = relaxed(self.parsed)
        # The relaxed query's total, facets AND the window the partial scoring reads, in one
        # statement (ranking a window of 200 costs what ranking 1 does: the first pass ranks
        # every match either way, the exact pass the best FIRST_PASS).
        size = max(RELAX_WINDOW, 2 * page_size)
        loose_ranked, loose_total, loose_facets = self.backend.find(
            self.viewer, window_query(self.query, size, facets=self.query.facets), loose
        )
        if loose_total <= total:
            strict.ranked_window = strict_window  # type: ignore[attr-defined]
            return strict
        scored, missing = self.score(size, strict=ranked, loose=loose_ranked)
        result = Ordered(
            scored,
            loose_total,
            loose_facets if self.query.facets else {},
            missing,
            partial=True,
            counted=loose,
        )
        result.ranked_window = lambda n: scored if n <= len(scored) else self.score(n)[0]  # type: ignore[attr-defined]
        return result

    def score(
        self, size: int, *, strict: Ranked | None = None, loose: Ranked | None = None
    ) -> tuple[Ranked, dict[int, list[str]]]:
        """The first ``size`` partial matches, by (words held, rarity of the words held, engine rank).

        ``strict`` (every strict match: there are fewer than :data:`RELAX_BELOW`) and ``loose``
        (the relaxed query's first ``size``), when the caller has them already."""
        if strict is None:
            strict = self.window(self.parsed, RELAX_BELOW)
        if loose is None:
            loose = self.window(relaxed(self.parsed), size)
        seen = {pk for pk, _ in strict}
        candidates = strict + [(pk, rank) for pk, rank in loose if pk not in seen]
        ids = [pk for pk, _ in candidates]
        optional = self.parsed.optional
        held, counts = self.clause_stats(optional, ids)
        # idf = log((1 + N) / (1 + n_i)) + 1 with N the documents the person may read; candidates
        # are compared by idf sums only when they hold the same number of words (the first key),
        # so N adds the same k * log(1 + N) to both sides and cancels: any N >= every n_i orders
        # them identically. Counting every readable document was the slowest statement of a
        # partial search (0.1-0.5 s at 100k), so the largest clause count stands in for it.
        readable = max([*counts.values(), 1])
        idf = {i: math.log((1 + readable) / (1 + counts[i])) + 1.0 for i in optional}
        position = {pk: n for n, (pk, _rank) in enumerate(candidates)}

        def key(item: tuple[int, float]) -> tuple:
            pk = item[0]
            matched = [i for i in optional if pk in held[i]]
            return (-len(matched), -sum(idf[i] for i in matched), position[pk])

        ordered = sorted(candidates, key=key)
        missing = {
            pk: [self.parsed.clause_text(i) for i in optional if pk not in held[i]] for pk, _rank in ordered
        }
        return ordered, {pk: words for pk, words in missing.items() if words}

    def clause_stats(
        self, clauses: tuple[int, ...], ids: list[int]
    ) -> tuple[dict[int, set[int]], dict[int, int]]:
        """For each optional clause: which of ``ids`` it matches, and how many visible, filtered
        documents it matches — ONE statement for every clause (it was two a clause), each part
        the backend's own unranked match, so the visibility filter is in each."""
        held: dict[int, set[int]] = {i: set() for i in clauses}
        counts: dict[int, int] = dict.fromkeys(clauses, 0)
        if not clauses:
            return held, counts
        window = window_query(self.query, 1)
        parts: list[str] = []
        params: list = []
        marks = ", ".join(["%s"] * len(ids))
        for i in clauses:
            sql, clause_params = self.backend.matched_sql(
                self.viewer, window, only_clause(self.parsed, i), ranked=False
            )
            parts.append(f"SELECT 1, {int(i)}, COUNT(*) FROM ({sql}) c")  # noqa: S608 - our SQL
            params += clause_params
            if ids:
                parts.append(f"SELECT 0, {int(i)}, h.pk FROM ({sql}) h WHERE h.pk IN ({marks})")  # noqa: S608 - our SQL
                params += [*clause_params, *ids]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, clause, value in cursor.fetchall():
                if kind:
                    counts[clause] = int(value)
                else:
                    held[clause].add(value)
        return held, counts

    # --- one hit per thread ----------------------------------------------------------------------

    def grouped(self, ordered: Ordered) -> tuple[list[list[tuple[int, float]]], int]:
        """The page's groups (each a list of its members in rank order, best first) and the total
        number of groups."""
        offset, size = self.query.offset, self.query.page_size
        parsed = ordered.counted or self.parsed
        forum = _forum_count(ordered.facets) if self.query.facets else None
        if forum is not None and forum <= 1:
            return [[item] for item in ordered.ranked[offset : offset + size]], ordered.total
        window: Callable[[int], Ranked] = ordered.ranked_window  # type: ignore[attr-defined]
        need = offset + size
        n = first_window(need)
        while True:
            ranked = window(n)
            keys = collapse_keys([pk for pk, _ in ranked])
            groups: dict[str, list[tuple[int, float]]] = {}
            for pk, rank in ranked:
                groups.setdefault(keys.get(pk) or f"#{pk}", []).append((pk, rank))
            if len(groups) >= need or len(ranked) < n:
                break
            n *= 4
        total = ordered.total - self.duplicates(parsed)
        return list(groups.values())[offset : offset + size], max(total, 0)

    def duplicates(self, parsed: ParsedQuery) -> int:
        """Matches beyond the first of each thread (what grouping removes from the total)."""
        filters = dict(self.query.filters)
        wanted = [t for t in FORUM_TYPES if t in filters.get("type", FORUM_TYPES)]
        if not wanted:
            return 0
        filters["type"] = wanted
        sql, params = self.backend.matched_sql(
            self.viewer, window_query(self.query, 1, filters=filters), parsed, ranked=False
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) - COUNT(DISTINCT d.collapse) FROM ({sql}) m "  # noqa: S608 - our SQL
                "JOIN search_searchdocument d ON d.id = m.pk WHERE d.collapse <> ''",
                params,
            )
            return int(cursor.fetchone()[0] or 0)

    def post_counts(self, parsed: ParsedQuery, keys: list[str]) -> dict[str, int]:
        """How many posts of each thread (by collapse key) match."""
        if not keys:
            return {}
        filters = dict(self.query.filters)
        if "post" not in filters.get("type", ["post"]):
            return {}
        filters["type"] = ["post"]
        sql, params = self.backend.matched_sql(
            self.viewer, window_query(self.query, 1, filters=filters), parsed, ranked=False
        )
        marks = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.collapse, COUNT(*) FROM ({sql}) m JOIN search_searchdocument d ON d.id = m.pk "  # noqa: S608 - our SQL
                f"WHERE d.collapse IN ({marks}) GROUP BY d.collapse",
                [*params, *keys],
            )
            return dict(cursor.fetchall())


def first_window(need: int) -> int:
    """How many ranked matches grouping reads first for a page ending at match ``need``."""
    return max(2 * need, 40)


def collapse_keys(ids: list[int]) -> dict[int, str]:
    """The collapse keys of documents a visibility-filtered :meth:`find` has just returned (a
    primary-key lookup: the ids were found through the policy already)."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, collapse FROM search_searchdocument WHERE id IN ({marks})", ids)  # noqa: S608 - placeholders only
        return dict(cursor.fetchall())


def _forum_count(facets: dict) -> int | None:
    """Matching threads and posts by the type facet; ``None`` when unknown (no facets counted, or
    estimated ones: a sample can miss the few posts of a large match set)."""
    values = facets.get("type")
    if values is None:
        return 0 if facets else None
    if any(v.approximate for v in values):
        return None
    return sum(v.count for v in values if v.value in FORUM_TYPES)

"""The embedded default: search the database itself (SQLite FTS5 or PostgreSQL full text).

Both engines share the denormalised :class:`~network.search.models.SearchDocument` table, the
permission filter, facet filtering and facet counting (ordinary ORM queries); a vendor subclass
only contributes the full-text match, its rank and the snippets. The match, the permission filter
and the facet filters end up in ONE SQL statement for the page (ranked and limited by the engine),
one for the total and one for all facet counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from network.search.analysis import DocumentTerms, document_terms
from network.search.backends.base import FACET_LIMIT, SearchBackend, highlight
from network.search.forgiving import Forgiving
from network.search.labels import facet_label
from network.search.models import (
    SearchDocument,
    SearchDocumentCoOwner,
    SearchDocumentGroup,
    SearchFacet,
)
from network.search.query import ParsedQuery, SearchQuery
from network.search.results import FacetCount, Hit, SearchResults
from network.search.spec import IndexedDocument
from network.search.text import ALL_LANGUAGES
from network.visibility import Viewer, Visibility

DOCUMENT_FIELDS = (
    "type",
    "language",
    "title",
    "summary",
    "body",
    "url",
    "date",
    "organisation_id",
    "organisation_name",
    "visibility",
    "is_public",
    "field_languages",
    "collapse",
)


def document_visibility_q(viewer: Viewer) -> Q:
    """:func:`network.visibility.visible_q` for search documents, from their copied visibility fields.

    Same rule, same order: public (or public by state) to anyone; then the viewer's own
    organisations; ``network`` to members of verified organisations; ``group`` to members of the
    working groups the document is shared with.
    """
    rule = Q(is_public=True)
    if viewer.is_anonymous:
        return rule
    if viewer.organisation_ids:
        rule |= Q(organisation_id__in=viewer.organisation_ids)
        co_owned = SearchDocumentCoOwner.objects.filter(
            document_id=OuterRef("pk"), organisation_id__in=viewer.organisation_ids
        )
        rule |= Q(Exists(co_owned))
    if viewer.verified_member:
        rule |= Q(visibility=Visibility.NETWORK)
    if viewer.group_ids:
        shared = SearchDocumentGroup.objects.filter(document_id=OuterRef("pk"), group_id__in=viewer.group_ids)
        rule |= Q(Exists(shared), visibility=Visibility.GROUP)
    return rule


PUBLIC, NETWORK = "pub", "net"

#: Per-value counts of the counted matches, grouped on the covering ``(document, name, value)``
#: index; the label is read once per value counted (through the ``(name, value)`` index), not
#: from the table row of every facet row grouped (which doubled the statement on SQLite).
FACET_GROUPS_SQL = (
    "g AS (SELECT f.name AS name, f.value AS value, COUNT(*) AS n FROM {rows} GROUP BY f.name, f.value)"
)
FACET_LABEL_SQL = (
    "(SELECT l.label FROM search_searchfacet l WHERE l.name = g.name AND l.value = g.value LIMIT 1)"
)

#: How many matches a cheap first-pass rank keeps for the exact rank (a backend that ranks in two
#: passes; PostgreSQL). Pages beyond it are ranked exactly as far as they reach.
FIRST_PASS = 300


def audience_tokens(
    *,
    is_public: bool,
    visibility: str,
    organisation_id: int | None,
    co_owner_ids: Sequence[int],
    group_ids: Sequence[int],
) -> list[str]:
    """Who may read a document, as tokens: the document side of :func:`viewer_tokens`.

    :func:`network.visibility.visible_q`'s rule, term for term: ``pub`` (public, or public by
    state) to anyone; ``o<id>`` for the owner and every co-owner (their members read it whatever
    its visibility); ``net`` for ``network`` documents (verified members); ``g<id>`` for each working
    group a ``group`` document is shared with.
    """
    tokens = [PUBLIC] if is_public else []
    tokens += [f"o{org}" for org in [organisation_id, *co_owner_ids] if org is not None]
    if visibility == Visibility.NETWORK:
        tokens.append(NETWORK)
    if visibility == Visibility.GROUP:
        tokens += [f"g{group}" for group in group_ids]
    return tokens


def viewer_tokens(viewer: Viewer) -> list[str]:
    """The tokens a viewer reads by (a document is visible when it carries any of them)."""
    tokens = [PUBLIC]
    if not viewer.is_anonymous:
        tokens += [f"o{org}" for org in sorted(viewer.organisation_ids)]
        if viewer.verified_member:
            tokens.append(NETWORK)
        tokens += [f"g{group}" for group in sorted(viewer.group_ids)]
    return tokens


def facet_token(name: str, value: str) -> str:
    """One facet value as one token (hex: any value, never split, never an operator)."""
    return "x" + f"{name}={value}".encode().hex()


def document_facet_tokens(facets: dict[str, list[tuple[str, str]]]) -> list[str]:
    return [facet_token(name, value) for name, values in facets.items() for value, _label in values]


def access_tokens(d: IndexedDocument) -> str:
    """A document's audience and facet tokens, space-separated (``SearchDocument.access``)."""
    audience = audience_tokens(
        is_public=d.is_public,
        visibility=d.visibility,
        organisation_id=d.organisation_id,
        co_owner_ids=d.co_owner_ids,
        group_ids=d.group_ids,
    )
    return " ".join(audience + document_facet_tokens(d.facets))


@dataclass
class Match:
    """A vendor's full-text condition and rank, as raw SQL fragments with their parameters."""

    where: str
    params: list
    rank: str
    rank_params: list
    tables: tuple[str, ...] = ()


class DatabaseBackend(SearchBackend):
    """Shared by the SQLite and PostgreSQL backends; pick one with :func:`database_backend`."""

    name = "database"
    writes_in_database = True
    #: Whether a higher engine rank is better (PostgreSQL) or lower (SQLite's bm25).
    rank_descending = True
    #: ``WITH ... AS MATERIALIZED`` (PostgreSQL 12+, SQLite 3.35+): evaluate the match once.
    materialized_cte = True
    #: The facet rows ``f`` (name, value) of the counted matches ``s`` (see :func:`sample_sql`),
    #: looked up per match in the ``(document, name, value)`` index alone — never a scan of every
    #: facet row, whatever the planner's estimates.
    facet_rows_sql = "s INNER JOIN search_searchfacet f ON f.document_id = s.pk"

    # --- indexing ---------------------------------------------------------------------------------

    def index(self, documents: Sequence[IndexedDocument]) -> None:
        if not documents:
            return
        analysed = {d.key: document_terms(d) for d in documents}
        with transaction.atomic():
            rows = [
                SearchDocument(
                    content_type_id=d.content_type_id,
                    object_id=d.object_id,
                    access=access_tokens(d),
                    terms=self.terms_column(analysed[d.key]),
                    **{f: getattr(d, f) for f in DOCUMENT_FIELDS},
                )
                for d in documents
            ]
            SearchDocument.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["content_type", "object_id"],
                update_fields=[*DOCUMENT_FIELDS, "access", "terms", "indexed_at"],
            )
            ids = self._ids(documents)
            doc_ids = list(ids.values())
            # Side rows replaced by plain statements: ~10 facet rows a document made ORM instances
            # and compiled one INSERT per batch in Python, which was most of a rebuild's time, and
            # the three deletes went through the ORM's collector (nothing refers to these rows):
            # with the retry queue's, a tenth of the index update of one forum post.
            marks = ", ".join(["%s"] * len(doc_ids))
            with connection.cursor() as cursor:
                for model in (SearchDocumentGroup, SearchDocumentCoOwner, SearchFacet):
                    cursor.execute(
                        f"DELETE FROM {model._meta.db_table} WHERE document_id IN ({marks})",  # noqa: S608 - our names
                        doc_ids,
                    )
                cursor.executemany(
                    "INSERT INTO search_searchdocumentgroup (document_id, group_id) VALUES (%s, %s)",
                    [(ids[d.key], g) for d in documents for g in d.group_ids],
                )
                cursor.executemany(
                    "INSERT INTO search_searchdocumentcoowner (document_id, organisation_id) VALUES (%s, %s)",
                    [(ids[d.key], o) for d in documents for o in d.co_owner_ids],
                )
                cursor.executemany(
                    "INSERT INTO search_searchfacet (document_id, name, value, label) VALUES (%s, %s, %s, %s)",
                    [
                        (ids[d.key], name, value, label)
                        for d in documents
                        for name, values in d.facets.items()
                        for value, label in values
                    ],
                )
            self.write_fulltext([(ids[d.key], d, analysed[d.key]) for d in documents])

    def _ids(self, documents: Sequence[IndexedDocument]) -> dict[str, int]:
        by_type: dict[int, list[int]] = {}
        for d in documents:
            by_type.setdefault(d.content_type_id, []).append(d.object_id)
        condition = Q()
        for ct, object_ids in by_type.items():
            condition |= Q(content_type_id=ct, object_id__in=object_ids)
        return {
            f"{ct}-{oid}": pk
            for pk, ct, oid in SearchDocument.objects.filter(condition).values_list(
                "pk", "content_type_id", "object_id"
            )
        }

    def delete(self, content_type_id: int, object_ids: Sequence[int]) -> None:
        if not object_ids:
            return
        with transaction.atomic():
            docs = SearchDocument.objects.filter(content_type_id=content_type_id, object_id__in=object_ids)
            self.delete_fulltext(list(docs.values_list("pk", flat=True)))
            docs.delete()

    def clear(self) -> None:
        with transaction.atomic():
            self.delete_fulltext(None)
            SearchDocument.objects.all().delete()

    def end_rebuild(self, started: datetime) -> None:
        with transaction.atomic():
            stale = SearchDocument.objects.filter(indexed_at__lt=started)
            self.delete_fulltext(list(stale.values_list("pk", flat=True)))
            stale.delete()
        self.analyze()

    def analyze(self) -> None:
        """Refresh the planner's statistics after bulk indexing.

        Without them PostgreSQL guesses one row per match and picks plans (sorts spilling to
        disk, hashes of the whole facet table) that cost several times the right one.
        """
        with connection.cursor() as cursor:
            for table in (
                "search_searchdocument",
                "search_searchfacet",
                "search_searchdocumentgroup",
                "search_searchdocumentcoowner",
            ):
                cursor.execute(f"ANALYZE {table}")

    def terms_column(self, terms: DocumentTerms) -> str:
        """What ``SearchDocument.terms`` stores (PostgreSQL: a tsvector literal)."""
        return ""

    def write_fulltext(self, rows: list[tuple[int, IndexedDocument, DocumentTerms]]) -> None:
        """Engine structures beside the table (SQLite: the FTS5 rows). PostgreSQL: generated."""

    def delete_fulltext(self, document_ids: list[int] | None) -> None:
        """Remove engine structures for these documents (``None``: all)."""

    # --- searching --------------------------------------------------------------------------------

    def match(self, parsed: ParsedQuery, languages: Sequence[str]) -> Match:
        raise NotImplementedError

    def snippets(self, rows: list[dict], parsed: ParsedQuery, languages: Sequence[str]) -> dict[int, str]:
        terms = parsed.positive_words()
        return {
            row["pk"]: highlight(
                " ".join(filter(None, [row["summary"], row["body"]])) or row["title"],
                terms,
                [row["language"], *(row.get("field_languages") or {}).values()],
            )
            for row in rows
        }

    def search(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> SearchResults:
        results = SearchResults(
            hits=[], total=0, page=query.page, page_size=query.page_size, backend=self.name
        )
        if parsed.matches_nothing:
            return results
        steps = Forgiving(self, viewer, query, parsed)
        ordered = steps.ordered()
        results.facets, results.partial = ordered.facets, ordered.partial
        groups, results.total = steps.grouped(ordered)
        if not groups:
            return results
        languages = query_languages(query)
        fields = (
            "pk",
            "object_id",
            "type",
            "title",
            "url",
            "summary",
            "body",
            "language",
            "date",
            "organisation_name",
            "field_languages",
            "collapse",
        )
        members = [pk for group in groups for pk, _rank in group[:20]]
        details = {row["pk"]: row for row in SearchDocument.objects.filter(pk__in=members).values(*fields)}
        kinds = {pk: row["type"] for pk, row in details.items()}
        # A group (a thread and its matching posts) shows as its thread, with the best-matching
        # post as the snippet; the thread's own document is fetched when only posts matched.
        shown: list[tuple[int, int, float]] = []  # (document shown, document snippeted, rank)
        keys_needing_thread: dict[int, int] = {}
        for group in groups:
            best, rank = group[0]
            post = next((pk for pk, _r in group[:20] if kinds.get(pk) == "post"), None)
            thread = next((pk for pk, _r in group[:20] if kinds.get(pk) == "thread"), None)
            shown.append((thread or best, post or best, rank))
            if (len(group) > 1 or kinds.get(best) == "post") and thread is None:
                keys_needing_thread[best] = len(shown) - 1
        if keys_needing_thread:
            by_key = {
                details[pk]["collapse"]: i for pk, i in keys_needing_thread.items() if details[pk]["collapse"]
            }
            for row in SearchDocument.objects.filter(collapse__in=list(by_key), type="thread").values(
                *fields
            ):
                i = by_key[row["collapse"]]
                details[row["pk"]] = row
                shown[i] = (row["pk"], shown[i][1], shown[i][2])
        snippet_rows = [details[s] for _d, s, _r in shown if s in details]
        snippets = self.snippets(snippet_rows, parsed, languages)
        counts = steps.post_counts(
            ordered.counted or parsed,
            sorted({details[d]["collapse"] for d, _s, _r in shown if d in details} - {""}),
        )
        labels = type_labels()
        for (doc, snippet_doc, rank), group in zip(shown, groups, strict=True):
            if doc not in details or snippet_doc not in details:
                continue
            row, snip = details[doc], details[snippet_doc]
            rank = float(rank or 0.0)
            results.hits.append(
                Hit(
                    type=row["type"],
                    id=row["object_id"],
                    title=row["title"],
                    url=row["url"],
                    snippet_html=snippets.get(snippet_doc, ""),
                    score=round(rank if self.rank_descending else -rank, 6),
                    language=snip["language"],
                    date=row["date"],
                    # A post is credited to its author's organisation, so the shown post's is named.
                    organisation=snip["organisation_name"],
                    type_label=labels.get(row["type"], row["type"]),
                    missing=ordered.missing.get(group[0][0], []),
                    matches=counts.get(row["collapse"], 0) if row["collapse"] else 0,
                )
            )
        return results

    def count(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> int:
        """How many visible, filtered documents match: a count, never a ranking of the matches."""
        sql, params = self.matched_sql(viewer, query, parsed, ranked=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) m", params)  # noqa: S608 - our SQL
            return int(cursor.fetchone()[0])

    def find(
        self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery
    ) -> tuple[list[tuple[int, float]], int, dict[str, list[FacetCount]]]:
        """The page's ``(document id, rank)`` pairs in order, the total and the facet counts."""
        sql, params = self.matched_sql(viewer, query, parsed)
        return self.run_search(sql, params, query, ranked=not parsed.blank)

    def matched_sql(
        self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, *, ranked: bool = True
    ) -> tuple[str, tuple]:
        """SQL selecting ``pk``, ``date`` (and ``rank``) of every visible, filtered match.

        ``ranked=False`` leaves the rank out (counting and membership tests never read it, and an
        engine's rank function per match is most of a large match set's cost).

        The permission filter, the facet filters and the engine's match are one ``WHERE``; the
        engine's rank is computed in the same statement, over those rows only. Written as SQL
        text around the policy's compiled rule (:func:`visibility_sql`, compiled once per kind of
        viewer): building it through the ORM cost more than the statement itself on most searches.
        """
        visible, visible_params = visibility_sql(viewer)
        where, params = [f"({visible})"], list(visible_params)
        for name, values in query.filters.items():
            if not values:
                where.append("1 = 0")  # an empty filter matches nothing (as the ORM's empty IN did)
                continue
            marks = ", ".join(["%s"] * len(values))
            exists = (
                "EXISTS (SELECT 1 FROM search_searchfacet sf WHERE sf.document_id = search_searchdocument.id "  # noqa: S608 - placeholders only
                f"AND sf.name = %s AND sf.value IN ({marks}))"
            )
            where.append(exists)
            params += [name, *values]
        columns = '"search_searchdocument"."id" AS "pk", "search_searchdocument"."date" AS "date"'
        tables = ["search_searchdocument"]
        select_params: list = []
        if not parsed.blank:
            m = self.match(parsed, query_languages(query))
            where.append(f"({m.where})")
            params += m.params
            tables += list(m.tables)
            if ranked:
                columns += f', ({m.rank}) AS "rank"'
                select_params = list(m.rank_params)
        sql = f"SELECT {columns} FROM {', '.join(tables)} WHERE {' AND '.join(where)}"  # noqa: S608 - our SQL
        return sql, (*select_params, *params)

    def run_search(
        self,
        matched_sql: str,
        params: tuple,
        query: SearchQuery,
        *,
        ranked: bool,
        rerank: tuple[str, tuple] | None = None,
    ) -> tuple[list[tuple[int, float]], int, dict[str, list[FacetCount]]]:
        """The page's ``(id, rank)``, the total and every facet's counts: ONE statement.

        The matches are materialised once (a CTE), then counted, ranked and limited to the page,
        and joined to the facet rows for one grouped count, so the engine's match, the visibility
        filter and the rank run once per search instead of once per question. Facet counts group
        over the ``(document, name, value)`` index alone; the label is read once per value
        counted (through the ``(name, value)`` index), not carried through the grouping.

        ``rerank`` (an SQL expression over the document row ``d``, and its parameters): ``m.rank``
        is only a cheap first pass; the best :data:`FIRST_PASS` matches by it are ranked again by
        this exact expression, and the page is cut from that order.
        """
        if ranked and query.sort == "relevance":
            order = f"m.rank {'DESC' if self.rank_descending else 'ASC'}, m.date DESC, m.pk DESC"
        else:
            order = "m.date DESC, m.pk DESC"
        rank = "m.rank" if ranked else "0.0"
        materialized = "MATERIALIZED " if self.materialized_cte else ""
        if rerank is None:
            page = (
                f"p AS (SELECT m.pk, {rank} AS rank, ROW_NUMBER() OVER (ORDER BY {order}) AS pos "  # noqa: S608 - our SQL
                f"FROM m ORDER BY {order} LIMIT %s OFFSET %s)"
            )
            page_params: tuple = (query.page_size, query.offset)
        else:
            exact, exact_params = rerank
            final = f"c.rank {'DESC' if self.rank_descending else 'ASC'}, c.date DESC, c.pk DESC"
            page = (
                f"p AS (SELECT c.pk, c.rank, ROW_NUMBER() OVER (ORDER BY {final}) AS pos FROM ("  # noqa: S608 - our SQL
                f"SELECT w.pk, w.date, {exact} AS rank FROM (SELECT m.pk, m.date FROM m ORDER BY {order} "
                "LIMIT %s) w JOIN search_searchdocument d ON d.id = w.pk"
                f") c ORDER BY {final} LIMIT %s OFFSET %s)"
            )
            first_pass = max(FIRST_PASS, query.offset + query.page_size)
            page_params = (*exact_params, first_pass, query.page_size, query.offset)
        ctes = [f"m AS {materialized}({matched_sql})", page]
        selects = [
            "SELECT 0, NULL, NULL, NULL, NULL, NULL, COUNT(*) FROM m",
            "SELECT 1, p.pk, p.rank, NULL, NULL, NULL, p.pos FROM p",
        ]
        facet_params: tuple = ()
        if query.facets:
            ctes.append(sample_sql("m"))
            ctes.append(FACET_GROUPS_SQL.format(rows=self.facet_rows_sql))
            # The total is the sample's count of the matches (``t``), not a second count of ``m``.
            selects[0] = "SELECT 0, NULL, NULL, NULL, NULL, NULL, t.n FROM t"
            selects += [
                "SELECT 3, NULL, NULL, NULL, NULL, NULL, COUNT(*) FROM s",
                f"SELECT 2, NULL, NULL, g.name, g.value, {FACET_LABEL_SQL}, g.n FROM g",  # noqa: S608 - our SQL
            ]
            limit = facet_exact_limit()
            facet_params = (limit, limit, limit)
        sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, *page_params, *facet_params))
            rows = cursor.fetchall()
        total = sampled = 0
        page: list[tuple[int, int, float]] = []
        counted: list[tuple[str, str, str, int]] = []
        for kind, pk, rank_value, name, value, label, n in rows:
            if kind == 0:
                total = n
            elif kind == 1:
                page.append((n, pk, float(rank_value or 0.0)))
            elif kind == 3:
                sampled = n
            else:
                counted.append((name, value, label, n))
        facets = facet_values(counted, total=total, sampled=sampled) if query.facets else {}
        return [(pk, rank_value) for _pos, pk, rank_value in sorted(page)], total, facets

    def status(self) -> str:
        count = SearchDocument.objects.count()
        return f"ok (database: {connection.vendor}, {count} documents)"


def viewer_key(viewer: Viewer) -> tuple:
    """What :func:`document_visibility_q` depends on: equal keys, equal rule."""
    return (
        viewer.is_anonymous,
        tuple(sorted(viewer.organisation_ids)),
        viewer.verified_member,
        tuple(sorted(viewer.group_ids)),
    )


def visibility_sql(viewer: Viewer) -> tuple[str, tuple]:
    """:func:`document_visibility_q` as SQL on ``search_searchdocument``, compiled by the ORM once
    per viewer key and connection vendor (a prepared fragment: only the search's own parameters
    change from one search to the next)."""
    key = (connection.vendor, viewer_key(viewer))
    found = _VISIBILITY_SQL.get(key)
    if found is None:
        query = SearchDocument.objects.filter(document_visibility_q(viewer)).query
        sql, params = query.get_compiler(connection=connection).compile(query.where)
        if len(_VISIBILITY_SQL) >= 2048:
            _VISIBILITY_SQL.clear()
        found = _VISIBILITY_SQL[key] = (sql, tuple(params))
    return found


_VISIBILITY_SQL: dict[tuple, tuple[str, tuple]] = {}


def facet_exact_limit() -> int:
    """Up to this many matches, facet counts are exact; above, estimated (``SEARCH_FACET_EXACT_LIMIT``)."""
    return int(getattr(settings, "SEARCH_FACET_EXACT_LIMIT", 1000))


def sample_sql(matches: str) -> str:
    """CTEs ``t`` (how many matches) and ``s`` (the matches whose facets are counted): every match
    when there are at most ``SEARCH_FACET_EXACT_LIMIT``, else that many, picked by a hash of
    their id.

    The hash (Knuth's multiplicative hash: the low 32 bits of ``id * 2654435761``, whose high bits
    mix every bit of the id) spreads the sample over the whole match set whatever its order (the
    documents of one type or year sit together by id), and it is the same for the same search,
    so counts do not change from one page to the next. A range test keeps about twice the limit
    (no sort of every match), and a sort of those few keeps the limit. Only visible matches are in
    ``matches``, so a document the viewer may not read is never counted, estimated or not.
    Parameters: the limit three times.

    The range keeps about twice the limit plus 16 of the matches: with a small limit, twice it
    alone left no match at all one time in seven (an empty sample: no facets for a search with
    matches); the ``ORDER BY ... LIMIT`` keeps the same smallest hashes either way.

    The count is read through scalar subqueries (computed once: PostgreSQL's init plan), not a
    join with ``t``: estimating a multi-word match at one row, PostgreSQL put the count on the
    inner side of a nested loop and counted the matches again for every match (203 matches:
    4.4 ms; quadratic in the match count).
    """
    hashed = f"({matches}.pk * 2654435761) %% 4294967296"
    return (
        f"t AS (SELECT COUNT(*) AS n FROM {matches}), "  # noqa: S608 - our names
        f"s AS (SELECT {matches}.pk FROM {matches} WHERE (SELECT n FROM t) <= %s "
        f"OR {hashed} < (2 * %s + 16) * 4294967296 / (SELECT n FROM t) "
        f"ORDER BY {hashed}, {matches}.pk LIMIT %s)"
    )


def facet_values(
    counted: Iterable[tuple[str, str, str, int]], *, total: int, sampled: int
) -> dict[str, list[FacetCount]]:
    """``(name, value, label, count)`` rows counted over ``sampled`` of ``total`` matches → the
    most frequent values of each facet.

    Exact when every match was counted. Otherwise each count is scaled to the total and rounded
    to two significant figures, and marked approximate: an estimate from a sample, not a lower
    bound (a value held by fewer than about one match in a thousand may be missing from the list).
    """
    approximate = 0 < sampled < total
    facets: dict[str, list[FacetCount]] = {}
    rows = sorted(counted, key=lambda row: (row[0], -row[3], row[1]))
    for name, value, label, n in rows:
        values = facets.setdefault(name, [])
        if len(values) >= FACET_LIMIT:
            continue
        count = _estimate(n * total / sampled) if approximate else n
        values.append(FacetCount(value, facet_label(name, value, label or ""), count, approximate))
    return facets


def _estimate(value: float) -> int:
    """Two significant figures (1,234 → 1,200; 87.4 → 87): an estimate should not look exact."""
    if value < 100:
        return max(1, round(value))
    digits = len(str(int(value))) - 2
    return int(round(value, -digits))


def query_languages(query: SearchQuery) -> list[str]:
    """Languages whose stems to try: the query's, else the filtered languages, else all."""
    if query.language:
        from network.search.text import normalise_language

        return [normalise_language(query.language)]
    wanted = [lang for lang in query.filters.get("language", []) if lang in ALL_LANGUAGES]
    return wanted or list(ALL_LANGUAGES)


def type_labels() -> dict[str, str]:
    from network.search.registry import indexes

    return {i.type: str(i.type_label) for i in indexes()}

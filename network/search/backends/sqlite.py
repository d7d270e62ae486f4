"""SQLite: an FTS5 table of Python-stemmed text, bm25 ranking, snippets built for the page shown.

Visibility and facet filters are answered *inside* the FTS5 index: every row carries audience
tokens (``aud``: who may read it, see :func:`audience_tokens`) and facet tokens (``fct``), so one
``MATCH`` gives exactly the visible, filtered matches. FTS5 then ranks them itself
(``ORDER BY rank LIMIT``) and counts them without ranking; only the page's rows and the facet
rows of the matches are read from ordinary tables.

FTS5 has no Finnish or Swedish stemmer, so documents are stemmed in Python with Snowball per
document language and stored as stems (``search_fts``, rowid = document id), each stem prefixed
with its document's language (``en0laptop``, ``fi0kannettav``): a query is expanded per language,
and each language's stems can only meet documents written in that language. (A separate language
column would do the same, but FTS5's bm25 counts every phrase of the query, and a ``lang : "en"``
phrase costs a pass over a posting list of an eighth of the corpus on every ranked search.) Every
query word reaches ``MATCH`` only as a double-quoted FTS5 string of letters and digits, so no
operator, column filter or ``*`` can come from input.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from network.search.analysis import DocumentTerms, analyse_word, document_terms, query_alternatives
from network.search.backends.database import (
    FACET_GROUPS_SQL,
    FACET_LABEL_SQL,
    DatabaseBackend,
    Match,
    audience_tokens,
    document_facet_tokens,
    facet_exact_limit,
    facet_token,
    facet_values,
    query_languages,
    sample_sql,
    viewer_tokens,
    visibility_sql,
)
from network.search.query import Atom, ParsedQuery, SearchQuery
from network.search.results import FacetCount
from network.search.spec import IndexedDocument
from network.visibility import Viewer

TEXT_COLUMNS = "{title summary body extra}"
#: Phrases match words in order, so only the positional columns (``extra`` has no word order).
PHRASE_COLUMNS = "{title summary body}"
#: bm25 column weights: title, summary, body, extra (other lemmas, compound parts), aud and fct
#: (never ranked).
RANK = "bm25(10.0, 4.0, 1.0, 1.0, 0.0, 0.0)"
BM25 = f"bm25(search_fts, {RANK[5:-1]})"
# The chain has folded case and accents already (keeping å, ä, ö apart), so FTS5 must not fold
# diacritics again.
CREATE_SQL = """CREATE VIRTUAL TABLE search_fts USING fts5(
    title, summary, body, extra, aud, fct, tokenize = 'unicode61 remove_diacritics 0'
)"""
INSERT_SQL = "INSERT INTO search_fts (rowid, title, summary, body, extra, aud, fct) VALUES (%s, %s, %s, %s, %s, %s, %s)"


def viewer_audience(viewer: Viewer) -> str:
    """The ``MATCH`` clause a viewer's documents satisfy (see :func:`.database.audience_tokens`)."""
    return "aud : (" + " OR ".join(_quoted(t) for t in viewer_tokens(viewer)) + ")"


def filter_expression(filters: dict[str, list[str]]) -> list[str]:
    """Values OR-ed within a facet, facets AND-ed: one ``fct`` clause per filtered facet."""
    return [
        "fct : (" + " OR ".join(_quoted(facet_token(name, v)) for v in values) + ")"
        for name, values in sorted(filters.items())
        if values
    ]


def _quoted(token: str) -> str:
    # Terms are letters and digits (WORD_RE) with a language prefix, so they cannot contain a
    # quote; be strict anyway.
    return '"' + token.replace('"', "") + '"'


def fts_atom(atom: Atom, languages: Sequence[str]) -> str:
    """One word (any of its terms, in any of the languages) or one phrase (main terms in order)."""
    if atom.is_phrase:
        phrases = {" ".join(analyse_word(w, lang).main for w in atom.words) for lang in languages}
        return "(" + " OR ".join(f"{PHRASE_COLUMNS} : {_quoted(p)}" for p in sorted(phrases)) + ")"
    terms = dict.fromkeys(t for lang in languages for t in query_alternatives(atom.words[0], lang))
    return f"{TEXT_COLUMNS} : (" + " OR ".join(_quoted(t) for t in terms) + ")"


def fts_clause(clause: Sequence[Atom], languages: Sequence[str]) -> str:
    return "(" + " OR ".join(fts_atom(a, languages) for a in clause) + ")"


def fts_expression(
    parsed: ParsedQuery, languages: Sequence[str], clauses: Sequence[int] | None = None
) -> str:
    """The complete ``MATCH`` string for a parsed query (pure function, unit-tested).

    Terms carry their language, so one expression holds every language's terms: a Finnish
    query term can only meet Finnish text. ``clauses`` picks the clauses that must match (all by
    default; the forgiving search asks for each on its own).
    """
    chosen = parsed.clauses if clauses is None else [parsed.clauses[i] for i in clauses]
    positive = " AND ".join(fts_clause(c, languages) for c in chosen)
    if parsed.excluded:
        negative = " OR ".join(fts_atom(a, languages) for a in parsed.excluded)
        return f"(({positive}) NOT ({negative}))"
    return f"({positive})"


class SQLiteBackend(DatabaseBackend):
    name = "database (SQLite FTS5)"
    rank_descending = False
    # CROSS JOIN fixes SQLite's join order: the counted matches stay the outer loop.
    facet_rows_sql = "s CROSS JOIN search_searchfacet f ON f.document_id = s.pk"

    def write_fulltext(self, rows: list[tuple[int, IndexedDocument, DocumentTerms]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            self._delete(cursor, [pk for pk, _d, _t in rows])
            cursor.executemany(INSERT_SQL, [fts_row(pk, d, terms) for pk, d, terms in rows])

    def delete_fulltext(self, document_ids: list[int] | None) -> None:
        with connection.cursor() as cursor:
            if document_ids is None:
                cursor.execute("DELETE FROM search_fts")
            else:
                self._delete(cursor, document_ids)

    @staticmethod
    def _delete(cursor, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM search_fts WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608 - placeholders only
                chunk,
            )

    def match(self, parsed: ParsedQuery, languages: Sequence[str]) -> Match:
        return Match(
            where="search_fts.rowid = search_searchdocument.id AND search_fts MATCH %s",
            params=[fts_expression(parsed, languages)],
            rank=BM25,
            rank_params=[],
            tables=("search_fts",),
        )

    def count(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> int:
        """FTS5's own count of the match that holds visibility and filters (no ranking, no join)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s",
                [self.expression(viewer, query, parsed)],
            )
            return int(cursor.fetchone()[0])

    def matched_sql(
        self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, *, ranked: bool = True
    ) -> tuple[str, tuple]:
        """Unranked (membership, counts): the FTS5 rows of the ONE ``MATCH`` that holds words, facet
        filters and the viewer's audience, never joined to the document table per candidate (the
        shared SQL's join probed FTS5 once per visible document: 0.6 s at 17k matches). Ranked:
        the shared SQL."""
        if ranked:
            return super().matched_sql(viewer, query, parsed, ranked=True)
        return (
            "SELECT search_fts.rowid AS pk, NULL AS date FROM search_fts WHERE search_fts MATCH %s",
            (self.expression(viewer, query, parsed),),
        )

    def expression(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> str:
        """The whole ``MATCH``: words, facet filters and the viewer's audience."""
        parts = [] if parsed.blank else [f"({fts_expression(parsed, query_languages(query))})"]
        return " AND ".join([*parts, *filter_expression(query.filters), viewer_audience(viewer)])

    def find(
        self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery
    ) -> tuple[list[tuple[int, float]], int, dict[str, list[FacetCount]]]:
        """Page, total and facets from one FTS5 ``MATCH`` that already holds visibility and filters.

        Relevance pages are ranked by FTS5 itself (``ORDER BY rank LIMIT``, bm25 with our column
        weights), never joined to the document table; the total is FTS5's count of the same match
        (no ranking); facet counts join the matched rowids to the facet rows.
        """
        parts = []
        if not parsed.blank:
            parts.append(f"({fts_expression(parsed, query_languages(query))})")
        parts += filter_expression(query.filters)
        ranked_parts = list(parts)
        parts.append(viewer_audience(viewer))
        expression = " AND ".join(parts)
        matched = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
        with connection.cursor() as cursor:
            if not parsed.blank and query.sort == "relevance":
                # Ranked on the words and filters alone, visibility checked per candidate in the
                # ranked order (a primary-key probe of the document row) until the page is full:
                # bm25 counts every phrase of its query, and the audience phrases (``pub``,
                # ``net``) cover most of the index, a fixed ~12 ms on every search at 100k.
                visible, visible_params = visibility_where(viewer)
                cursor.execute(
                    "SELECT f.rowid, f.rank FROM search_fts f CROSS JOIN search_searchdocument "  # noqa: S608 - our SQL
                    "WHERE f.search_fts MATCH %s AND f.rank MATCH %s "
                    f"AND search_searchdocument.id = f.rowid AND ({visible}) "
                    "ORDER BY f.rank LIMIT %s OFFSET %s",
                    [" AND ".join(ranked_parts), RANK, *visible_params, query.page_size, query.offset],
                )
            else:
                cursor.execute(
                    f"SELECT d.id, 0.0 FROM search_searchdocument d WHERE d.id IN ({matched}) "  # noqa: S608 - our SQL
                    "ORDER BY d.date DESC, d.id DESC LIMIT %s OFFSET %s",
                    [expression, query.page_size, query.offset],
                )
            page = [(pk, float(rank or 0.0)) for pk, rank in cursor.fetchall()]
            if not query.facets:
                cursor.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH %s", [expression])
                return page, cursor.fetchone()[0], {}
            # Per-value counts in SQL over the matches (all of them, or a fixed sample above
            # SEARCH_FACET_EXACT_LIMIT): no Python work proportional to the matches.
            limit = facet_exact_limit()
            sql = (
                "WITH m AS MATERIALIZED (SELECT rowid AS pk FROM search_fts WHERE search_fts MATCH %s), "  # noqa: S608 - our SQL
                f"{sample_sql('m')} "
                f", {FACET_GROUPS_SQL.format(rows=self.facet_rows_sql)} "
                "SELECT 0, NULL, NULL, NULL, n FROM t "
                "UNION ALL SELECT 1, NULL, NULL, NULL, COUNT(*) FROM s "
                f"UNION ALL SELECT 2, g.name, g.value, {FACET_LABEL_SQL}, g.n FROM g"
            )
            cursor.execute(sql, [expression, limit, limit, limit])
            total = sampled = 0
            counted = []
            for kind, name, value, label, n in cursor.fetchall():
                if kind == 0:
                    total = n
                elif kind == 1:
                    sampled = n
                else:
                    counted.append((name, value, label, n))
        return page, total, facet_values(counted, total=total, sampled=sampled)

    def status(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            (fts_rows,) = cursor.fetchone()
        return f"{super().status()}, FTS5 rows {fts_rows}"


def visibility_where(viewer: Viewer) -> tuple[str, list]:
    """:func:`~network.search.backends.database.document_visibility_q` as SQL on ``search_searchdocument``."""
    sql, params = visibility_sql(viewer)
    return sql, list(params)


def fts_row(pk: int, d: IndexedDocument, terms: DocumentTerms | None = None) -> tuple:
    """The ``search_fts`` row of a document: terms per column, audience and facet tokens."""
    terms = terms or document_terms(d)
    return (
        pk,
        terms.title,
        terms.summary,
        terms.body,
        terms.extra,
        " ".join(
            audience_tokens(
                is_public=d.is_public,
                visibility=d.visibility,
                organisation_id=d.organisation_id,
                co_owner_ids=d.co_owner_ids,
                group_ids=d.group_ids,
            )
        ),
        " ".join(document_facet_tokens(d.facets)),
    )


def recreate_fulltext_table(connection_, batch: int = 2000) -> None:
    """Drop ``search_fts`` and rebuild it in the current layout from the indexed documents.

    For migrations (FTS5 tables cannot change columns): text is re-analysed in Python, audience and
    facet tokens come from the side tables, exactly as :meth:`SQLiteBackend.index` writes them.
    """
    from collections import defaultdict

    def side_rows(cursor, table: str, column: str, ids: list[int]) -> dict[int, list]:
        found: dict[int, list] = defaultdict(list)
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT document_id, {column} FROM {table} WHERE document_id IN ({marks})", ids)  # noqa: S608 - our names
        for document_id, value in cursor.fetchall():
            found[document_id].append(value)
        return found

    with connection_.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS search_fts")
        cursor.execute(CREATE_SQL)
        # Older migrations call this before ``field_languages`` exists.
        cursor.execute("PRAGMA table_info(search_searchdocument)")
        has_field_languages = any(row[1] == "field_languages" for row in cursor.fetchall())
        languages_column = "field_languages" if has_field_languages else "'{}'"
        last = 0
        while True:
            cursor.execute(
                "SELECT id, language, title, summary, body, organisation_id, visibility, is_public, "  # noqa: S608 - our names
                f"{languages_column} "
                "FROM search_searchdocument WHERE id > %s ORDER BY id LIMIT %s",
                [last, batch],
            )
            docs = cursor.fetchall()
            if not docs:
                break
            ids = [d[0] for d in docs]
            groups = side_rows(cursor, "search_searchdocumentgroup", "group_id", ids)
            co_owners = side_rows(cursor, "search_searchdocumentcoowner", "organisation_id", ids)
            facets: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            cursor.execute(
                f"SELECT document_id, name, value FROM search_searchfacet WHERE document_id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608 - placeholders only
                ids,
            )
            for document_id, name, value in cursor.fetchall():
                facets[document_id][name].append((value, ""))
            cursor.executemany(
                INSERT_SQL,
                [
                    fts_row(
                        pk,
                        IndexedDocument(
                            type="",
                            content_type_id=0,
                            object_id=pk,
                            title=title,
                            summary=summary,
                            body=body,
                            language=language,
                            organisation_id=organisation_id,
                            visibility=visibility,
                            is_public=bool(is_public),
                            group_ids=groups.get(pk, []),
                            co_owner_ids=co_owners.get(pk, []),
                            facets=dict(facets.get(pk, {})),
                            field_languages=_json(field_languages),
                        ),
                    )
                    for pk, language, title, summary, body, organisation_id, visibility, is_public, field_languages in docs
                ],
            )
            last = ids[-1]


def _json(value) -> dict:
    import json

    if isinstance(value, dict):
        return value
    try:
        return json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}

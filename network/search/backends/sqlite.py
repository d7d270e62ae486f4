"""SQLite: an FTS5 table of Python-stemmed text, bm25 ranking, snippets built for the page shown.

Visibility and facet filters are answered *inside* the FTS5 index: every row carries audience
tokens (``aud``: who may read it, see :func:`audience_tokens`) and facet tokens (``fct``), so one
``MATCH`` gives exactly the visible, filtered matches, read once per search into a temporary
table (total, facet sample, first-pass membership). FTS5 ranks up to
:data:`TWO_PASS_ABOVE` matches itself (``ORDER BY rank LIMIT``); larger match sets are ranked in
two passes (a bounded read of ``search_head``, then FTS5's bm25 recomputed for the best
:data:`FIRST_PASS`). Only the page's rows and the facet rows of the sampled matches are read from
ordinary tables.

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

import math
import re
from collections.abc import Sequence

from django.db import OperationalError, connection

from network.search.analysis import DocumentTerms, analyse_word, document_terms, query_alternatives
from network.search.backends.database import (
    FIRST_PASS,
    DatabaseBackend,
    Match,
    audience_tokens,
    document_facet_tokens,
    facet_exact_limit,
    facet_token,
    facet_values,
    query_languages,
    viewer_tokens,
    visibility_sql,
)
from network.search.backends.sqlite_facets import count_sample, delete_codes, write_codes
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

#: The first-pass table: title and summary terms again, one row per document keyed by
#: :func:`head_key` (the document's length, then its id), so FTS5 returns a term's rows shortest
#: document first and ``ORDER BY rowid LIMIT k`` stops after k of them.
HEAD_CREATE_SQL = """CREATE VIRTUAL TABLE search_head USING fts5(
    title, summary, tokenize = 'unicode61 remove_diacritics 0'
)"""
HEAD_INSERT_SQL = "INSERT INTO search_head (rowid, title, summary) VALUES (%s, %s, %s)"
#: Head keys: ``length << ID_BITS | id``. Document ids below 2^40, lengths capped at 2^23 - 1.
ID_BITS = 40
ID_MASK = (1 << ID_BITS) - 1
MAX_KEY_LENGTH = (1 << 23) - 1
#: Above this many matches a relevance page is ranked in two passes (below it, bm25 over every
#: match costs a few milliseconds and stays the order).
TWO_PASS_ABOVE = 2000
#: bm25's constants and column weights as FTS5 applies them (``RANK``): title, summary, body, extra.
BM25_K1, BM25_B = 1.2, 0.75
COLUMN_WEIGHTS = {"title": 10.0, "summary": 4.0, "body": 1.0, "extra": 1.0}
#: One phrase of a ``MATCH`` string we built: a column set and its quoted strings, in FTS5's order.
_PHRASE_GROUP_RE = re.compile(r'(\{[^}]*\}|fct|aud) : (\([^)]*\)|"[^"]*")')
_QUOTED_RE = re.compile(r'"([^"]*)"')


MATCHES_CREATE_SQL = "CREATE TEMP TABLE IF NOT EXISTS search_matches (pk INTEGER PRIMARY KEY)"


def create_matches_table(cursor) -> None:
    """The connection's own ``temp.search_matches`` (see :meth:`SQLiteBackend.find`)."""
    cursor.execute(MATCHES_CREATE_SQL)


def on_connection_created(sender, connection, **kwargs) -> None:
    """Create ``temp.search_matches`` once per SQLite connection, not once per search (a
    statement a search saved)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            create_matches_table(cursor)


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
            fts_rows = [fts_row(pk, d, terms) for pk, d, terms in rows]
            cursor.executemany(INSERT_SQL, fts_rows)
            write_head_rows(cursor, [(row[0], row[1], row[2]) for row in fts_rows])
            write_codes(cursor, [(pk, d.facets) for pk, d, _terms in rows])

    def delete_fulltext(self, document_ids: list[int] | None) -> None:
        with connection.cursor() as cursor:
            if document_ids is None:
                cursor.execute("DELETE FROM search_fts")
                cursor.execute("DELETE FROM search_head")
                delete_codes(cursor, None)
            else:
                self._delete(cursor, document_ids)

    @staticmethod
    def _delete(cursor, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            keys = list(head_keys(cursor, chunk).values())
            if keys:
                cursor.execute(
                    f"DELETE FROM search_head WHERE rowid IN ({', '.join(['%s'] * len(keys))})",  # noqa: S608 - placeholders only
                    keys,
                )
            cursor.execute(
                f"DELETE FROM search_fts WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608 - placeholders only
                chunk,
            )
        delete_codes(cursor, ids)

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
        shared SQL's join probed FTS5 once per visible document: 0.6 s at 17k matches). ``pk`` is
        ``rowid + 0`` so that no outer condition on it (``pk IN (ids)``, a join on ``pk``) reaches
        FTS5 as a rowid constraint: FTS5 answers each such id by running the whole ``MATCH`` again
        (the forgiving search's per-word membership of 200 candidates took 1.5 s at 100k; one pass
        over the word's matches takes a few milliseconds). Ranked: the shared SQL."""
        if ranked:
            return super().matched_sql(viewer, query, parsed, ranked=True)
        return (
            "SELECT search_fts.rowid + 0 AS pk, NULL AS date FROM search_fts WHERE search_fts MATCH %s",
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

        The match is read once into ``temp.search_matches`` (the connection's own table, an
        integer primary key): the total is its size, facet counts and the first pass of a large
        ranked page probe it, so no statement iterates FTS5 again for the same rows. Relevance
        pages: up to :data:`TWO_PASS_ABOVE` matches FTS5 ranks every match itself (bm25 with our
        column weights); above it, in two passes (:meth:`_two_pass`). Date-ordered pages read the
        matched documents' dates.
        """
        words = "" if parsed.blank else f"({fts_expression(parsed, query_languages(query))})"
        ranked_parts = ([words] if words else []) + filter_expression(query.filters)
        expression = " AND ".join([*ranked_parts, viewer_audience(viewer)])
        with connection.cursor() as cursor:
            total, facets = self._matches(cursor, expression, query)
            if parsed.blank or query.sort != "relevance":
                if total > TWO_PASS_ABOVE:
                    # Many matches: walk the date index newest first, probing the matches, and
                    # stop at the page (sorting 24k matched rows took ~35 ms at 100k).
                    where = "EXISTS (SELECT 1 FROM temp.search_matches m WHERE m.pk = d.id)"
                else:
                    where = "d.id IN temp.search_matches"
                cursor.execute(
                    f"SELECT d.id FROM search_searchdocument d WHERE {where} "  # noqa: S608 - our SQL
                    "ORDER BY d.date DESC, d.id DESC LIMIT %s OFFSET %s",
                    [query.page_size, query.offset],
                )
                return [(pk, 0.0) for (pk,) in cursor.fetchall()], total, facets
            page = None
            if total > TWO_PASS_ABOVE and query.offset + query.page_size <= FIRST_PASS:
                page = self._two_pass(cursor, words, query, total)
            if page is None:
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
                page = [(pk, float(rank or 0.0)) for pk, rank in cursor.fetchall()]
        return page, total, facets

    def _matches(
        self, cursor, expression: str, query: SearchQuery
    ) -> tuple[int, dict[str, list[FacetCount]]]:
        """Fill ``temp.search_matches`` with the match; its size, and with facets the per-value
        counts over the matches (all of them, or a fixed sample above
        ``SEARCH_FACET_EXACT_LIMIT``) from the sampled documents' packed codes: no Python work
        proportional to the matches."""
        try:
            cursor.execute("DELETE FROM temp.search_matches")
        except OperationalError:  # a connection opened before the app connected its signal
            create_matches_table(cursor)
        cursor.execute(
            "INSERT INTO temp.search_matches (pk) SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
            [expression],
        )
        total = max(int(cursor.rowcount), 0)  # the rows inserted: the matches
        if not query.facets:
            return total, {}
        # The sample of :func:`.database.sample_sql` (the same rows), its hash bound computed here
        # from the known total: one comparison a match instead of a join and a division; the
        # sampled documents' facet values counted from their packed codes (:mod:`.sqlite_facets`).
        limit = facet_exact_limit()
        bound = 2 * limit * 4294967296 // total if total > limit else 4294967296
        sampled, counted = count_sample(cursor, bound, limit)
        return total, facet_values(counted, total=total, sampled=sampled)

    def _two_pass(self, cursor, words: str, query: SearchQuery, total: int) -> list[tuple[int, float]] | None:
        """The page of a large match set: a bounded first pass, then exact bm25 for the best few.

        bm25 over every match was the cost (~1.5-3 µs a match in FTS5 whatever the row's size:
        a separate FTS5 table of titles and summaries ranked no faster). The first pass reads, for
        each phrase of the query, the :data:`FIRST_PASS` shortest matches holding it in their
        title, and as many holding it in their summary (``search_head`` is keyed by length, and
        each read stops after that many matches), and estimates their bm25 from what it saw — the
        phrase's idf, the column's weight, the length — without reading them. The best
        :data:`FIRST_PASS` by that estimate get FTS5's exact bm25 (:func:`bm25_scores`: the same
        formula and statistics, from their stored terms), and the page is cut from that exact
        order. ``None`` (rank every match instead) when titles and summaries hold fewer than
        :data:`FIRST_PASS` of the matches (or not all of fewer): the query's words are mostly in
        bodies.
        """
        phrases = fts_phrases(words)
        heads = list(dict.fromkeys(tokens for _cols, tokens in phrases))
        scans = [(i, column) for i in range(len(heads)) for column in ("title", "summary")]
        union = " UNION ALL ".join(
            f"SELECT * FROM (SELECT {n}, NULL, rowid FROM search_head WHERE search_head MATCH %s "  # noqa: S608 - our SQL
            f"AND (rowid & {ID_MASK}) IN temp.search_matches ORDER BY rowid LIMIT {FIRST_PASS})"
            for n in range(len(scans))
        )
        cursor.execute(
            f"SELECT -1, id, block FROM search_fts_data WHERE id IN (1, 10) UNION ALL {union}",  # noqa: S608 - our SQL
            [f"{column} : {_quoted(' '.join(heads[i]))}" for i, column in scans],
        )
        state: dict[int, bytes] = {}
        seen: dict[int, dict[int, float]] = {}
        for scan, record, key in cursor.fetchall():
            if scan < 0:
                state[record] = bytes(key)
                continue
            i, column = scans[scan]
            freq = seen.setdefault(key, {})
            freq[i] = freq.get(i, 0.0) + COLUMN_WEIGHTS[column]
        if len(seen) < min(FIRST_PASS, total) or 1 not in state or 10 not in state:
            return None
        averages = varints(state[1])
        rows, avgdl = averages[0], sum(averages[1:]) / max(averages[0], 1)
        idf = phrase_idf(cursor, phrases, (state[10], state[1]), rows)
        head_idf: dict[tuple[str, ...], float] = {}
        for (_cols, tokens), value in zip(phrases, idf, strict=True):
            head_idf[tokens] = head_idf.get(tokens, 0.0) + value
        weights = [head_idf[tokens] for tokens in heads]
        k1 = BM25_K1 + 1.0

        def estimate(key: int) -> float:
            norm = BM25_K1 * (1 - BM25_B + BM25_B * (key >> ID_BITS) / avgdl)
            return sum(weights[i] * f * k1 / (f + norm) for i, f in seen[key].items())

        best = sorted(seen, key=lambda key: (-estimate(key), key))[:FIRST_PASS]
        lengths = {key & ID_MASK: key >> ID_BITS for key in best}
        cursor.execute(
            "SELECT rowid, title, summary, body, extra FROM search_fts "  # noqa: S608 - placeholders only
            f"WHERE rowid IN ({', '.join(['%s'] * len(lengths))})",
            list(lengths),
        )
        scores = bm25_scores(
            [(pk, lengths[pk], texts) for pk, *texts in cursor.fetchall()], phrases, idf, avgdl
        )
        ordered = sorted(scores.items(), key=lambda item: (item[1], item[0]))  # ties: FTS5 order
        return ordered[query.offset : query.offset + query.page_size]

    def status(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            (fts_rows,) = cursor.fetchone()
        return f"{super().status()}, FTS5 rows {fts_rows}"


def varints(blob: bytes) -> list[int]:
    """SQLite varints (FTS5's ``%_docsize`` rows and averages record: one per column)."""
    values, i = [], 0
    while i < len(blob):
        value = 0
        for k in range(9):
            byte = blob[i]
            i += 1
            if k == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def head_key(document_id: int, length: int) -> int:
    """A document's ``search_head`` rowid: its length in tokens (every ``search_fts`` column, as
    bm25 counts it), then its id."""
    return (min(length, MAX_KEY_LENGTH) << ID_BITS) | document_id


def head_keys(cursor, ids: Sequence[int]) -> dict[int, int]:
    """The head keys of indexed documents, from FTS5's own per-row token counts (``%_docsize``)."""
    if not ids:
        return {}
    cursor.execute(
        f"SELECT id, sz FROM search_fts_docsize WHERE id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608 - placeholders only
        list(ids),
    )
    return {pk: head_key(pk, sum(varints(sz))) for pk, sz in cursor.fetchall()}


def write_head_rows(cursor, rows: Sequence[tuple[int, str, str]]) -> None:
    """``search_head`` rows for ``(document id, title terms, summary terms)`` whose ``search_fts``
    rows were just written (their lengths are read back from FTS5)."""
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        keys = head_keys(cursor, [pk for pk, _t, _s in chunk])
        cursor.executemany(
            HEAD_INSERT_SQL, [(keys[pk], title, summary) for pk, title, summary in chunk if pk in keys]
        )


def fill_head_table(connection_, batch: int = 2000) -> None:
    """(Re)create ``search_head`` from ``search_fts`` (migrations)."""
    with connection_.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS search_head")
        cursor.execute(HEAD_CREATE_SQL)
        last = 0
        while True:
            cursor.execute(
                "SELECT rowid, title, summary FROM search_fts WHERE rowid > %s ORDER BY rowid LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            write_head_rows(cursor, rows)
            last = rows[-1][0]


def fts_phrases(expression: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The ranked phrases of a ``MATCH`` string we built, in FTS5's order: ``(columns, tokens)``.

    Only phrases in text columns (audience and facet tokens have weight 0 and add nothing).
    """
    found = []
    for columns, body in _PHRASE_GROUP_RE.findall(expression):
        if columns in ("fct", "aud"):
            continue
        names = tuple(columns[1:-1].split())
        found += [(names, tuple(phrase.split())) for phrase in _QUOTED_RE.findall(body)]
    return found


def _occurrences(tokens: list[str], phrase: tuple[str, ...]) -> int:
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    first, size = phrase[0], len(phrase)
    return sum(
        1 for i, token in enumerate(tokens) if token == first and tuple(tokens[i : i + size]) == phrase
    )


def bm25_scores(
    rows: Sequence[tuple[int, int, Sequence[str]]],
    phrases: Sequence[tuple[tuple[str, ...], tuple[str, ...]]],
    idf: Sequence[float],
    avgdl: float,
) -> dict[int, float]:
    """FTS5's ``bm25()`` with our column weights, for ``(id, length, [title, summary, body, extra])``
    rows: the same formula, phrase order and statistics, so the same number (a test compares them).

    score = -Σ idf(p) · f(p)(k1 + 1) / (f(p) + k1(1 - b + b·length/avgdl)), f(p) the weighted count
    of the phrase's occurrences in its columns.
    """
    names = ("title", "summary", "body", "extra")
    scores = {}
    for pk, length, texts in rows:
        columns = dict(zip(names, (text or "" for text in texts), strict=True))
        whole = " ".join(columns.values())
        split: dict[str, list[str]] = {}
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl)
        score = 0.0
        for (cols, phrase), weight in zip(phrases, idf, strict=True):
            if phrase[0] not in whole:
                continue  # f = 0 adds exactly 0.0
            freq = 0.0
            for name in cols:
                if phrase[0] not in columns[name]:
                    continue
                tokens = split.get(name)
                if tokens is None:
                    tokens = split[name] = columns[name].split()
                n = _occurrences(tokens, phrase)
                if n:
                    freq += COLUMN_WEIGHTS[name] * n
            score += weight * ((freq * (BM25_K1 + 1.0)) / (freq + norm))
        scores[pk] = -score
    return scores


def phrase_idf(cursor, phrases, state: tuple[bytes, bytes], rows: int) -> list[float]:
    """bm25's idf of each phrase: log((N - n + 0.5) / (n + 0.5)), at least 1e-6, with n the rows
    holding the phrase in its columns (FTS5 counts them the same way for its own bm25). Cached
    per index state (FTS5's structure and averages records change with every write)."""
    wanted = [p for p in dict.fromkeys(phrases) if (state, p) not in _IDF]
    if wanted:
        if len(_IDF) > 20000:
            _IDF.clear()
        selects = ", ".join(["(SELECT count(*) FROM search_fts WHERE search_fts MATCH %s)"] * len(wanted))
        cursor.execute(
            f"SELECT {selects}",
            [f"{{{' '.join(cols)}}} : {_quoted(' '.join(tokens))}" for cols, tokens in wanted],
        )
        for phrase, hits in zip(wanted, cursor.fetchone(), strict=True):
            value = math.log((rows - hits + 0.5) / (hits + 0.5))
            _IDF[(state, phrase)] = value if value > 0 else 1e-6
    return [_IDF[(state, p)] for p in phrases]


_IDF: dict[tuple, float] = {}


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
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_head'")
        has_head = cursor.fetchone() is not None
    if has_head:  # migrations after 0012: the first-pass table follows the rebuilt rows
        fill_head_table(connection_)


def _json(value) -> dict:
    import json

    if isinstance(value, dict):
        return value
    try:
        return json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}

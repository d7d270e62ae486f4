"""PostgreSQL: the stored, generated ``search_vector`` (per-language configuration, GIN index).

The tsquery is built from the *parsed* words only, through ``plainto_tsquery`` (a word) and
``phraseto_tsquery`` (a phrase), which treat their argument as plain text, so nothing typed is ever
read as tsquery syntax. Like ``websearch_to_tsquery`` it understands words, phrases, ``-`` and
``OR``, but from our own parser, identical on every backend. Each language's query is matched only
against documents in that language, ranked with ``ts_rank_cd``; ``ts_headline`` runs only for the
page shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import pairwise

from django.db import connection, transaction

from network.search.analysis import DocumentTerms, analyse_word, query_alternatives
from network.search.backends.database import (
    DatabaseBackend,
    Match,
    facet_token,
    query_languages,
    viewer_tokens,
)
from network.search.query import Atom, ParsedQuery, SearchQuery
from network.visibility import Viewer

#: tsvector positions run to 16383; fields are kept apart so a phrase never spans two of them.
MAX_POSITION = 16383
FIELD_GAP = 100
MAX_POSITIONS_PER_TERM = 255
WEIGHTS = (("title", "A"), ("summary", "B"), ("body", "C"))


def _lexeme(value: str) -> str:
    """A quoted tsvector/tsquery lexeme (terms are letters and digits; escape anyway)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


#: Word pairs match phrases; they never rank (see :func:`tsvector_literal`).
PAIR_WEIGHT = "D"
#: Joins the two terms of a word pair lexeme (``en0electron_en0watch``); terms are letters and
#: digits (``network.search.text.WORD_RE`` never keeps ``_``), so a pair never equals a term.
PAIR = "_"


def pair(first: str, second: str) -> str:
    """The lexeme of two terms that stand next to each other in one field."""
    return f"{first}{PAIR}{second}"


def tsvector_literal(terms: DocumentTerms) -> str:
    """The analysed terms as a ``tsvector`` literal: positions and weights (title A, summary B,
    body C, extra terms D), parsed by PostgreSQL as given, with no text search parser or
    dictionary in between, so the index holds exactly the chain's terms.

    Each two neighbouring main terms of a field are also a lexeme of their own (a *word pair*,
    at the first term's position): a quoted phrase is then an AND of pairs that the GIN index
    answers exactly (see :func:`tsquery_atom`), instead of a positional ``<->`` that makes every
    candidate's vector be detoasted and its positions checked. Pairs carry weight D, like the
    extra terms: they only *match* (phrases are ranked on their words, as before), and the
    first-pass ``head_vector`` (weights A and B) stays as small as it was, inline in the row.
    """
    positions: dict[str, list[str]] = {}

    def add(value: str, position: int, weight: str) -> None:
        found = positions.setdefault(value, [])
        if len(found) < MAX_POSITIONS_PER_TERM:
            found.append(f"{min(position, MAX_POSITION)}{weight}")

    position = 1
    for name, weight in WEIGHTS:
        previous = None
        for value in getattr(terms, name).split():
            add(value, position, weight)
            # Not at the clamp: words past MAX_POSITION share it, so they have no order.
            if previous is not None and position < MAX_POSITION:
                add(pair(previous, value), position - 1, PAIR_WEIGHT)
            previous = value
            position += 1
        position += FIELD_GAP
    for value in terms.extra.split():
        add(value, position, "D")
        position += 1
    return " ".join(f"{_lexeme(value)}:{','.join(p)}" for value, p in positions.items())


_LITERAL_ENTRY = re.compile(r"'((?:[^'\\]|''|\\.)*)':([0-9A-D,]+)")


def with_pairs(literal: str) -> str:
    """A stored ``tsvector`` literal (as :func:`tsvector_literal` wrote it before word pairs)
    with its word pairs added: the main terms are read back in position order. Used by the
    migration that adds pairs to documents indexed before; pairs already there are rebuilt."""
    fields: dict[str, dict[int, list[str]]] = {"A": {}, "B": {}, "C": {}}
    extra: list[tuple[int, str]] = []
    for raw, entries in _LITERAL_ENTRY.findall(literal):
        value = raw.replace("''", "'").replace("\\\\", "\\")
        if PAIR in value:
            continue
        for entry in entries.split(","):
            weight = entry[-1] if entry[-1] in "ABC" else "D"
            number = int(entry.rstrip("ABCD"))
            if weight == "D":
                extra.append((number, value))
            else:
                fields[weight].setdefault(number, []).append(value)
    rebuilt: dict[str, list[str]] = {}

    def add(value: str, entry: str) -> None:
        found = rebuilt.setdefault(value, [])
        if len(found) < MAX_POSITIONS_PER_TERM:
            found.append(entry)

    for weight, by_position in fields.items():
        for number, values in sorted(by_position.items()):
            for value in values:
                add(value, f"{number}{weight}")
            following = by_position.get(number + 1)
            # As tsvector_literal: no pair reaches the clamped position MAX_POSITION.
            if following is not None and number + 1 < MAX_POSITION:
                add(pair(values[0], following[0]), f"{number}{PAIR_WEIGHT}")
    for number, value in sorted(extra):
        add(value, f"{number}D")
    return " ".join(f"{_lexeme(value)}:{','.join(p)}" for value, p in rebuilt.items())


def phrase_tsquery(mains: Sequence[str]) -> str:
    """One language's terms of a phrase, in order, as word pairs (``'a_b' <-> 'b_c'``).

    Two words are one pair lexeme, which the GIN index answers exactly (no recheck of the
    document's vector). Longer phrases chain the pairs with ``<->`` (pair ``b_c`` right after
    ``a_b``): the index narrows to documents holding every pair, and only those are checked by
    position. A one-word phrase is the main term in the text fields (title, summary, body).
    """
    if len(mains) == 1:
        return f"{_lexeme(mains[0])}:ABC"
    pairs = [_lexeme(pair(a, b)) for a, b in pairwise(mains)]
    return " <-> ".join(pairs)


def tsquery_atom(atom: Atom, languages: Sequence[str], *, ranking: bool = False) -> str:
    """A word: any of its terms in any language; a phrase: its word pairs in order (see
    :func:`phrase_tsquery`), or with ``ranking`` its main terms in order in the text fields
    (``a:ABC <-> b:ABC``), which ``ts_rank``/``ts_rank_cd`` weigh by field and proximity: the
    ranking functions run only on rows already matched (and fetched), never as the match."""
    if atom.is_phrase:
        if ranking:
            alternatives = {
                " <-> ".join(f"{_lexeme(analyse_word(w, lang).main)}:ABC" for w in atom.words)
                for lang in languages
            }
        else:
            alternatives = {
                phrase_tsquery([analyse_word(w, lang).main for w in atom.words]) for lang in languages
            }
        return "(" + " | ".join(f"({p})" for p in sorted(alternatives)) + ")"
    terms = dict.fromkeys(t for lang in languages for t in query_alternatives(atom.words[0], lang))
    return "(" + " | ".join(_lexeme(t) for t in terms) + ")"


def tsquery(
    parsed: ParsedQuery,
    languages: Sequence[str],
    clauses: Sequence[int] | None = None,
    *,
    ranking: bool = False,
) -> str:
    """The tsquery literal for a parsed query (pure function, unit-tested); ``clauses`` picks the
    clauses that must match (all by default); ``ranking``: the query the rank functions read
    (phrases as positioned words, see :func:`tsquery_atom`), not the one that matches."""
    chosen = parsed.clauses if clauses is None else [parsed.clauses[i] for i in clauses]
    positive = " & ".join(
        "(" + " | ".join(tsquery_atom(a, languages, ranking=ranking) for a in c) + ")" for c in chosen
    )
    if parsed.excluded:
        negative = " | ".join(tsquery_atom(a, languages, ranking=ranking) for a in parsed.excluded)
        return f"({positive}) & !({negative})"
    return positive


def access_tsquery(viewer: Viewer, query: SearchQuery) -> str:
    """Visibility and facet filters as a tsquery over the (upper-cased) access tokens.

    ``('PUB' | 'O12' | 'NET') & ('X…' | 'X…')``: any of the viewer's tokens, and for each filtered
    facet any of its values. The tokens are ours (letters, digits), never typed input.
    """

    def any_of(tokens: list[str]) -> str:
        return "(" + " | ".join(f"'{t.upper()}'" for t in tokens) + ")"

    parts = [any_of(viewer_tokens(viewer))]
    for name, values in sorted(query.filters.items()):
        if values:
            parts.append(any_of([facet_token(name, v) for v in values]))
    return " & ".join(parts)


#: How a search's statements are planned (``SET LOCAL``: this transaction only). JIT: a search
#: over many matches is estimated above ``jit_above_cost``, and compiling it costs ~220 ms
#: (measured at 100k documents) to save a few. Parallel workers: a partial search's per-word
#: counts were planned as a parallel append; starting the workers took more than the plan
#: saved (a search touches a few thousand rows at most per part, and the machine's cores serve
#: other requests).
PLANNING = "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"

_planned: ContextVar[bool] = ContextVar("search_planned", default=False)


@contextmanager
def planned() -> Iterator[None]:
    """A transaction with :data:`PLANNING` applied, once: nested calls (a search's ``find``
    steps inside :meth:`PostgresBackend.search`) reuse the outer one (no savepoint, no ``SET``)."""
    if _planned.get() and connection.in_atomic_block:
        yield
        return
    # A savepoint only inside a caller's transaction (as before): an error in a search must not
    # spoil the caller's transaction.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(PLANNING)
        token = _planned.set(True)
        try:
            yield
        finally:
            _planned.reset(token)


#: True when a document's terms are all in its own language (no field language of its own): its
#: vector then holds only lexemes prefixed with that language. An equality, not a JSON path
#: query over the fields (which cost a few ms per 300 candidates); a document naming its own
#: language for a field is ranked with the full query, which is as exact.
SINGLE_LANGUAGE_SQL = "d.field_languages = '{}'::jsonb"


def exact_rank(parsed: ParsedQuery, languages: Sequence[str], ranking: str) -> tuple[str, tuple]:
    """The exact pass's rank, ``ts_rank_cd`` on ``search_vector``, given only the query terms of
    the document's own language when it has one (SQL over the document row ``d``, parameters).

    ``ts_rank_cd`` evaluates the whole query at every matched position of its cover search, so
    its cost grows with the query's operands, and a word is one alternative per language (ten):
    ranking 245 candidates of a four-word query took ~50 ms with every alternative, ~11 ms with
    one language's. Every term of a document carries its field's language as a prefix, so the
    other languages' alternatives are absent from a single-language document: dropping absent
    operands from the alternatives (``|``) of a clause leaves the query's truth at every position,
    hence every cover and the rank, exactly as they were (tested equal on the 100k corpus and in
    ``tests/search``). Documents with a language of their own for any field (``field_languages``
    not empty) get the full query, as before.
    """
    if len(languages) < 2:
        return "ts_rank_cd(d.search_vector, %s::tsquery)", (ranking,)
    per_language = [tsquery(parsed, [language], ranking=True) for language in languages]
    expression = (
        "ts_rank_cd(d.search_vector, CASE WHEN " + SINGLE_LANGUAGE_SQL + " THEN COALESCE("
        "(%s::tsquery[])[array_position(%s::text[], d.language::text)], %s::tsquery) "
        "ELSE %s::tsquery END)"
    )
    return expression, (per_language, list(languages), ranking, ranking)


#: What :meth:`PostgresBackend.analyze` vacuums (the tables a search reads).
SEARCH_TABLES = (
    "search_searchdocument",
    "search_searchfacet",
    "search_searchdocumentgroup",
    "search_searchdocumentcoowner",
)


class PostgresBackend(DatabaseBackend):
    name = "database (PostgreSQL full text)"
    rank_descending = True
    # A LATERAL index lookup per counted match (OFFSET 0 keeps it one): on a large match set the
    # planner otherwise hashes the whole facet table.
    facet_rows_sql = (
        "s CROSS JOIN LATERAL (SELECT f.name, f.value FROM search_searchfacet f "
        "WHERE f.document_id = s.pk OFFSET 0) f"
    )

    def matched_sql(
        self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, *, ranked: bool = True
    ) -> tuple[str, tuple]:
        """Visibility, facet filters and words in ONE GIN scan of ``search_vector``.

        The access tokens are lexemes of the same vector (see migration 0007), so the index
        intersects the viewer's and the filters' posting lists with the words' instead of the
        planner joining facet rows and visibility side tables to every candidate.
        """
        if parsed.blank and not ranked:
            # Counting what a viewer may read (the forgiving steps' idf): the policy's rule on the
            # narrow document columns, not a GIN scan whose every row is re-checked by detoasting
            # its tsvector (0.5 s against 0.09 s for 71k readable documents at 100k).
            return super().matched_sql(viewer, query, parsed, ranked=False)
        access = access_tsquery(viewer, query)
        columns = '"search_searchdocument"."id" AS "pk", "search_searchdocument"."date" AS "date"'
        if parsed.blank:
            where, params, select_params = "search_searchdocument.search_vector @@ %s::tsquery", [access], []
        else:
            m = self.match(parsed, query_languages(query), access=access)
            where, params, select_params = m.where, m.params, m.rank_params if ranked else []
            if ranked:
                columns += f', ({m.rank}) AS "rank"'
        # Plain SQL text (no ORM compilation per search): the access tokens are the policy's.
        return f"SELECT {columns} FROM search_searchdocument WHERE {where}", (*select_params, *params)  # noqa: S608 - our SQL

    def match(self, parsed: ParsedQuery, languages: Sequence[str], access: str | None = None) -> Match:
        """One GIN scan: the words (terms carry their language) and, when given, the access tokens."""
        words = tsquery(parsed, languages)
        if access is None:
            where, params = "search_searchdocument.search_vector @@ %s::tsquery", [words]
        else:
            where = "search_searchdocument.search_vector @@ (%s::tsquery && %s::tsquery)"
            params = [words, access]
        return Match(
            where=where,
            params=params,
            rank="ts_rank_cd(search_searchdocument.search_vector, %s::tsquery)",
            rank_params=[tsquery(parsed, languages, ranking=True)],
        )

    def terms_column(self, terms: DocumentTerms) -> str:
        return tsvector_literal(terms)

    def find(self, viewer, query, parsed):
        """The shared one-statement search, planned as :func:`planned` says, ranked in two passes.

        Relevance order: ``ts_rank_cd`` over every match was most of a common word's cost at
        100k — it detoasts every matching ``search_vector`` (out of line), and its cover search
        costs per query term (a word is ten language alternatives): 330 ms for 13k matches of
        ``laptops``, against 27 ms to count them. The first pass ranks every match with the
        frequency-only ``ts_rank`` on ``head_vector`` (the weight-A and -B lexemes of title and
        summary, inline in the row the match has read anyway); the best
        :data:`~network.search.backends.database.FIRST_PASS` of that order get the exact
        ``ts_rank_cd`` on ``search_vector``, and the page is cut from the exact order. A search
        with fewer matches than that is ranked exactly as before; beyond it, a match holding the
        query words only in its body reaches the exact pass only through the first pass's tie
        order (newest first) — the trade-off engines make with block-max/top-k cut-offs.
        """
        with planned():
            if parsed.blank or query.sort != "relevance":
                return super().find(viewer, query, parsed)
            languages = query_languages(query)
            words, ranking = tsquery(parsed, languages), tsquery(parsed, languages, ranking=True)
            matched = (
                'SELECT "search_searchdocument"."id" AS "pk", "search_searchdocument"."date" AS "date", '
                "ts_rank(search_searchdocument.head_vector, %s::tsquery) AS rank "
                "FROM search_searchdocument "
                "WHERE search_searchdocument.search_vector @@ (%s::tsquery && %s::tsquery)"
            )
            return self.run_search(
                matched,
                (ranking, words, access_tsquery(viewer, query)),
                query,
                ranked=True,
                rerank=exact_rank(parsed, languages, ranking),
            )

    def search(self, viewer, query, parsed):
        """Every statement of one search (the forgiving steps, grouping, post counts, the page's
        rows) in one transaction planned as :func:`planned` says: one ``SET`` for the search
        instead of a ``BEGIN``/``SET``/``COMMIT`` around each ranked statement."""
        with planned():
            return super().search(viewer, query, parsed)

    def analyze(self) -> None:
        """After bulk indexing: VACUUM (ANALYZE) the search tables when outside a transaction
        (``search_index --rebuild``), else ANALYZE and merge the GIN index's pending list.

        Statistics: without them the planner guesses one row per match. The pending list: bulk
        indexing leaves new GIN entries there (fast updates), and every search scans it linearly
        until VACUUM or autovacuum runs (5 ms a scan after a 10k-document load). The visibility
        map: facet counts read ``(document, name, value)`` for each counted match, an index-only
        scan only where VACUUM marked the pages all-visible — after a 100k load without it, the
        planner read the facet table's rows (1,000 index scans, 11 ms of ``laptops``; 6 ms
        index-only). Autovacuum gets there eventually; a rebuild should not wait for it.
        """
        if connection.in_atomic_block:
            super().analyze()
            with connection.cursor() as cursor:
                cursor.execute("SELECT gin_clean_pending_list('search_document_vector_gin'::regclass)")
            return
        with connection.cursor() as cursor:
            for table in SEARCH_TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")

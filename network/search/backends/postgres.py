"""PostgreSQL: the stored, generated ``search_vector`` (per-language configuration, GIN index).

The tsquery is built from the *parsed* words only, through ``plainto_tsquery`` (a word) and
``phraseto_tsquery`` (a phrase), which treat their argument as plain text, so nothing typed is ever
read as tsquery syntax. Like ``websearch_to_tsquery`` it understands words, phrases, ``-`` and
``OR``, but from our own parser, identical on every backend. Each language's query is matched only
against documents in that language, ranked with ``ts_rank_cd``; ``ts_headline`` runs only for the
page shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from network.search.backends.database import (
    DatabaseBackend,
    Match,
    facet_token,
    query_languages,
    viewer_tokens,
)
from network.search.models import SearchDocument
from network.search.query import Atom, ParsedQuery, SearchQuery
from network.search.text import LANGUAGES, stem_variants
from network.visibility import Viewer

START, STOP = "\ue000", "\ue001"  # private-use markers, replaced by <mark> after escaping
HEADLINE_OPTIONS = (
    f'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)


def regconfig(language: str) -> str:
    return LANGUAGES.get(language, (None, "simple"))[1]


def tsquery_atom(atom: Atom, language: str) -> tuple[str, list]:
    config = regconfig(language)
    if atom.is_phrase:
        return "phraseto_tsquery(%s::regconfig, %s)", [config, " ".join(atom.words)]
    word = atom.words[0]
    sql, params = "plainto_tsquery(%s::regconfig, %s)", [config, word]
    variants = stem_variants(word, language) if language in LANGUAGES else (word,)
    if len(variants) > 1:  # also the stem of the stem (see network.search.text.stem_variants)
        sql = f"({sql} || plainto_tsquery('simple', %s))"
        params.append(variants[1])
    return sql, params


def tsquery(parsed: ParsedQuery, language: str) -> tuple[str, list]:
    """``(sql, params)`` of the tsquery for one language (pure function, unit-tested)."""
    params: list = []
    clauses = []
    for clause in parsed.clauses:
        parts = []
        for atom in clause:
            sql, p = tsquery_atom(atom, language)
            parts.append(sql)
            params += p
        clauses.append("(" + " || ".join(parts) + ")")
    sql = "(" + " && ".join(clauses) + ")"
    if parsed.excluded:
        negatives = []
        for atom in parsed.excluded:
            s, p = tsquery_atom(atom, language)
            negatives.append(s)
            params += p
        sql = f"({sql} && !!({' || '.join(negatives)}))"
    return sql, params


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


class PostgresBackend(DatabaseBackend):
    name = "database (PostgreSQL full text)"
    rank_descending = True
    # A LATERAL primary-key lookup per match (OFFSET 0 keeps it one): on a large match set the
    # planner otherwise hashes the whole facet-set table.
    facet_sets_sql = (
        "m CROSS JOIN LATERAL (SELECT k.combination_id FROM search_searchfacetset k "
        "WHERE k.document_id = m.pk OFFSET 0) k"
    )

    def matched_sql(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> tuple[str, tuple]:
        """Visibility, facet filters and words in ONE GIN scan of ``search_vector``.

        The access tokens are lexemes of the same vector (see migration 0007), so the index
        intersects the viewer's and the filters' posting lists with the words' instead of the
        planner joining facet rows and visibility side tables to every candidate.
        """
        access = access_tsquery(viewer, query)
        found = SearchDocument.objects.all()
        if parsed.blank:
            found = found.extra(where=["search_searchdocument.search_vector @@ %s::tsquery"], params=[access])
            columns = ["pk", "date"]
        else:
            m = self.match(parsed, query_languages(query), access=access)
            found = found.extra(  # noqa: S610 - built from parsed words, parameterised
                where=[m.where], params=m.params, select={"rank": m.rank}, select_params=m.rank_params
            )
            columns = ["pk", "date", "rank"]
        return found.order_by().values_list(*columns).query.sql_with_params()

    def match(self, parsed: ParsedQuery, languages: Sequence[str], access: str | None = None) -> Match:
        """One GIN scan for the union of every language's tsquery, then each language's own test.

        ``(lang = 'en' AND v @@ q_en) OR (lang = 'fi' AND v @@ q_fi) ...`` makes a BitmapOr of
        one GIN scan per language, mostly for the same lexemes; the OR-ed tsquery finds the same
        candidates in one scan, and the per-language condition is checked on those rows only.
        """
        where, params, cases, case_params, union, union_params = [], [], [], [], [], []
        for language in languages:
            sql, p = tsquery(parsed, language)
            where.append(f"WHEN %s THEN search_searchdocument.search_vector @@ {sql}")
            params += [language, *p]
            union.append(sql)
            union_params += p
            cases.append(f"WHEN %s THEN {sql}")
            case_params += [language, *p]
        rank = (
            "ts_rank_cd(search_searchdocument.search_vector, CASE search_searchdocument.language "
            + " ".join(cases)
            + " ELSE ''::tsquery END)"
        )
        candidates = f"search_searchdocument.search_vector @@ ({' || '.join(union)})"
        if access is not None:
            candidates = f"search_searchdocument.search_vector @@ (({' || '.join(union)}) && %s::tsquery)"
            union_params.append(access)
        # The per-language test is a CASE, which no index can answer: written as an OR of
        # ``language = .. AND vector @@ ..`` the planner distributes the candidate scan into one
        # GIN scan per language again.
        per_language = f"CASE search_searchdocument.language {' '.join(where)} ELSE false END"
        return Match(
            where=f"({candidates} AND {per_language})",
            params=[*union_params, *params],
            rank=rank,
            rank_params=case_params,
        )

    def find(self, viewer, query, parsed):
        """The shared one-statement search, planned without JIT compilation.

        A search over many matches is estimated above ``jit_above_cost``, and compiling it costs
        ~220 ms (measured at 100k documents) to save a few: ``SET LOCAL`` keeps it to this search.
        """
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            return super().find(viewer, query, parsed)

    def analyze(self) -> None:
        """Also merge the GIN index's pending list: bulk indexing leaves new entries there (fast
        updates), and every search scans that list linearly until VACUUM or autovacuum runs (5 ms
        a scan after a 10k-document load)."""
        super().analyze()
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('search_document_vector_gin'::regclass)")

    def snippets(self, rows: list[dict], parsed: ParsedQuery, languages: Sequence[str]) -> dict[int, str]:
        if parsed.blank or not rows:
            return super().snippets(rows, parsed, languages)
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        cases, params = [], []
        for language in {row["language"] for row in rows}:
            sql, p = tsquery(parsed, language)
            cases.append(f"WHEN %s THEN {sql}")
            params += [language, *p]
        ids = [row["pk"] for row in rows]
        text = "translate(coalesce(nullif(summary || ' ' || body, ' '), title), %s, '')"
        sql = (
            f"SELECT id, ts_headline(search_regconfig(language), {text}, "  # noqa: S608 - fragments are ours
            f"CASE language {' '.join(cases)} ELSE ''::tsquery END, %s) "
            f"FROM search_searchdocument WHERE id IN ({', '.join(['%s'] * len(ids))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [START + STOP, *params, HEADLINE_OPTIONS, *ids])
            fetched = dict(cursor.fetchall())
        return {
            pk: mark_safe(  # noqa: S308 - the text is escaped; only our markers become <mark>
                escape(" ".join(headline.split())).replace(START, "<mark>").replace(STOP, "</mark>")
            )
            for pk, headline in fetched.items()
        }

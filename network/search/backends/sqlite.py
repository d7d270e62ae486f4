"""SQLite: an FTS5 table of Python-stemmed text, bm25 ranking, snippets built for the page shown.

FTS5 has no Finnish or Swedish stemmer, so documents are stemmed in Python with Snowball per
document language and stored as stems (``search_fts``, rowid = document id). A query is expanded
per language: for every language tried, its stems are matched only against documents written in
that language (``lang : "fi" AND ...``). Every query word reaches ``MATCH`` only as a double-quoted
FTS5 string of letters and digits, so no operator, column filter or ``*`` can come from input.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from network.search.backends.database import DatabaseBackend, Match
from network.search.query import Atom, ParsedQuery
from network.search.spec import IndexedDocument
from network.search.text import stem, stem_variants, stemmed

TEXT_COLUMNS = "{title summary body}"
#: bm25 column weights: lang (never ranked), title, summary, body.
BM25 = "bm25(search_fts, 0.0, 10.0, 4.0, 1.0)"


def _quoted(token: str) -> str:
    # Tokens come from WORD_RE (letters and digits), so they cannot contain a quote; be strict anyway.
    return '"' + token.replace('"', "") + '"'


def fts_atom(atom: Atom, language: str) -> str:
    if atom.is_phrase:
        return _quoted(" ".join(stem(w, language) for w in atom.words))
    variants = stem_variants(atom.words[0], language)
    return "(" + " OR ".join(_quoted(v) for v in variants) + ")"


def fts_expression(parsed: ParsedQuery, languages: Sequence[str]) -> str:
    """The complete ``MATCH`` string for a parsed query (pure function, unit-tested).

    Languages whose stems give the same expression share one branch (``lang : ("fi" OR "de")``):
    most words stem alike in several languages, and every branch costs FTS5 a pass over the
    phrase's and the language's posting lists.
    """
    by_expression: dict[str, list[str]] = {}
    for language in languages:
        positive = " AND ".join(
            "(" + " OR ".join(fts_atom(a, language) for a in clause) + ")" for clause in parsed.clauses
        )
        expr = f"({TEXT_COLUMNS} : ({positive}))"
        if parsed.excluded:
            negative = " OR ".join(fts_atom(a, language) for a in parsed.excluded)
            expr = f"({expr} NOT ({TEXT_COLUMNS} : ({negative})))"
        by_expression.setdefault(expr, []).append(language)
    branches = []
    for expr, langs in by_expression.items():
        lang = _quoted(langs[0]) if len(langs) == 1 else "(" + " OR ".join(map(_quoted, langs)) + ")"
        branches.append(f"(lang : {lang} AND {expr})")
    return " OR ".join(branches)


class SQLiteBackend(DatabaseBackend):
    name = "database (SQLite FTS5)"
    rank_descending = False
    # CROSS JOIN fixes SQLite's join order: the matches stay the outer loop.
    facet_rows_sql = "m CROSS JOIN search_searchfacet f WHERE f.document_id = m.pk"

    def write_fulltext(self, rows: list[tuple[int, IndexedDocument]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            self._delete(cursor, [pk for pk, _ in rows])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, lang, title, summary, body) VALUES (%s, %s, %s, %s, %s)",
                [
                    (
                        pk,
                        d.language,
                        stemmed(d.title, d.language),
                        stemmed(d.summary, d.language),
                        stemmed(d.body, d.language),
                    )
                    for pk, d in rows
                ],
            )

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

    def status(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            (fts_rows,) = cursor.fetchone()
        return f"{super().status()}, FTS5 rows {fts_rows}"

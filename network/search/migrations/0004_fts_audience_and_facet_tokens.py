"""SQLite: ``search_fts`` gains ``aud`` (who may read) and ``fct`` (facet values) token columns.

Visibility and facet filters then run inside the FTS5 index, and FTS5 ranks and counts the
visible matches alone. FTS5 tables cannot add columns, so the table is recreated and refilled
from the documents already indexed (text re-stemmed in Python, tokens from the side tables).
PostgreSQL and other engines: nothing.
"""

from collections import defaultdict

from django.db import migrations

CREATE = """CREATE VIRTUAL TABLE search_fts USING fts5(
    lang, title, summary, body, aud, fct,
    tokenize = 'unicode61 remove_diacritics 2'
)"""
OLD = """CREATE VIRTUAL TABLE search_fts USING fts5(
    lang, title, summary, body,
    tokenize = 'unicode61 remove_diacritics 2'
)"""
BATCH = 2000


def _side_rows(cursor, table: str, column: str, ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(f"SELECT document_id, {column} FROM {table} WHERE document_id IN ({marks})", ids)  # noqa: S608
    for document_id, value in cursor.fetchall():
        found[document_id].append(value)
    return found


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from network.search.backends.sqlite import fts_row
    from network.search.spec import IndexedDocument

    schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    schema_editor.execute(CREATE)
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT id, language, title, summary, body, organisation_id, visibility, is_public "
                "FROM search_searchdocument WHERE id > %s ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            docs = cursor.fetchall()
            if not docs:
                break
            ids = [d[0] for d in docs]
            groups = _side_rows(cursor, "search_searchdocumentgroup", "group_id", ids)
            co_owners = _side_rows(cursor, "search_searchdocumentcoowner", "organisation_id", ids)
            facets: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            for document_id, pair in _side_rows(cursor, "search_searchfacet", "name || '=' || value", ids).items():
                for name_value in pair:
                    name, value = name_value.split("=", 1)
                    facets[document_id][name].append((value, ""))
            rows = [
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
                    ),
                )
                for pk, language, title, summary, body, organisation_id, visibility, is_public in docs
            ]
            cursor.executemany(
                "INSERT INTO search_fts (rowid, lang, title, summary, body, aud, fct) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            last = ids[-1]


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    # The old table is recreated empty: run ``search_index --rebuild`` after migrating back.
    schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    schema_editor.execute(OLD)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_document_co_owners")]

    operations = [migrations.RunPython(forward, backward)]

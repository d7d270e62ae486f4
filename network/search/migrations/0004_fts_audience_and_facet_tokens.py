"""SQLite: ``search_fts`` gains ``aud`` (who may read) and ``fct`` (facet values) token columns.

Visibility and facet filters then run inside the FTS5 index, and FTS5 ranks and counts the
visible matches alone. FTS5 tables cannot add columns, so the table is recreated in the current
layout and refilled from the documents already indexed
(:func:`network.search.backends.sqlite.recreate_fulltext_table`). PostgreSQL and other engines:
nothing.
"""

from django.db import migrations

OLD = """CREATE VIRTUAL TABLE search_fts USING fts5(
    lang, title, summary, body,
    tokenize = 'unicode61 remove_diacritics 2'
)"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from network.search.backends.sqlite import recreate_fulltext_table

        recreate_fulltext_table(schema_editor.connection)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # The old layout comes back empty: run ``search_index --rebuild`` after migrating back.
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")
        schema_editor.execute(OLD)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_document_co_owners")]

    operations = [migrations.RunPython(forward, backward)]

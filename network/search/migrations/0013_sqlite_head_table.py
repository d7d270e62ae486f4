"""SQLite: ``search_head``, the first-pass FTS5 table of titles and summaries (issue 21).

One row per indexed document, keyed by its length in tokens then its id (see
:mod:`network.search.backends.sqlite`), so a term's shortest documents come first and a bounded
read (``ORDER BY rowid LIMIT k``) finds the likely best matches of a large match set without
ranking all of them. Filled from ``search_fts`` for the documents already indexed.

PostgreSQL: nothing (its first pass is ``head_vector``, migrations 0009/0010).
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from network.search.backends.sqlite import fill_head_table

        fill_head_table(schema_editor.connection)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_head")


class Migration(migrations.Migration):
    dependencies = [("search", "0012_drop_facet_combinations")]

    operations = [migrations.RunPython(forward, backward)]

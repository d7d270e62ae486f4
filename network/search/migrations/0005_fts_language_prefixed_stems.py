"""SQLite: stems stored prefixed with their document's language, no ``lang`` column.

bm25 counts every phrase of a query, so matching ``lang : "en"`` cost every ranked search a pass
over an eighth of the index; prefixed stems keep each language's words apart without it. The
table is recreated and refilled from the indexed documents (a database that ran 0004 in its
first form, with a ``lang`` column, gets the current layout). PostgreSQL: nothing.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from network.search.backends.sqlite import recreate_fulltext_table

        recreate_fulltext_table(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fts_audience_and_facet_tokens")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""SQLite: facet values as small integer codes, each document's codes in one row (issue 21).

``search_facet_dict`` gives every ``(name, value)`` a code, ``search_facet_codes`` holds each
indexed document's codes packed (see :mod:`network.search.backends.sqlite_facets`), so facet
counts read one row per sampled match instead of grouping its facet rows by their strings.
Filled from ``search_searchfacet`` for the documents already indexed.

PostgreSQL: nothing (it counts ``search_searchfacet`` rows through a covering index).
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from network.search.backends.sqlite_facets import fill_codes

        fill_codes(schema_editor.connection)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_facet_codes")
        schema_editor.execute("DROP TABLE IF EXISTS search_facet_dict")


class Migration(migrations.Migration):
    dependencies = [("search", "0015_postgres_narrow_rows")]

    operations = [migrations.RunPython(forward, backward)]

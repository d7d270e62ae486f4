"""PostgreSQL: keep the search table's rows narrow (``toast_tuple_target = 256``).

Every search reads each match's row from the heap (the GIN index gives row addresses, the first
pass reads ``head_vector`` inline; PostgreSQL has no index-only GIN scan), so the cost of a
common word is the number of heap pages its matches sit on. A row was ~2 KB — the default target
moves values out of line only down to 2,032 bytes — so 4 rows fitted a page (100k documents:
21,544 pages, 168 MB, more than the default 128 MB of shared buffers). With a 256-byte target,
``terms``, ``search_vector``, ``access`` and the texts go to TOAST (read only for the page shown
and the exact pass's 300 rows) and ``head_vector`` (``STORAGE MAIN``) stays inline: 9,140 pages
(71 MB), ``laptops``'s 12,977 matches on 7,411 pages instead of 10,798.

Existing rows are rewritten once (``terms = terms`` regenerates the stored columns, which
re-toasts them under the new target). SQLite: nothing.
"""

from django.db import migrations

TARGET = 256


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE search_searchdocument SET (toast_tuple_target = {TARGET})")
    schema_editor.execute("UPDATE search_searchdocument SET terms = terms")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("search", "0014_postgres_word_pairs_weight_d")]

    operations = [migrations.RunPython(forward, backward)]

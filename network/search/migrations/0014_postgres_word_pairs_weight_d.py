"""PostgreSQL: the word pairs of 0011 carry weight D, so ``head_vector`` stays small.

0011 gave a pair its field's weight, so the generated ``head_vector`` (weights A and B) held the
title's and summary's pairs too and grew from ~455 to ~1,180 bytes a row (100k corpus): the heap
every match is read from grew from 22,187 to 25,009 pages. Pairs only *match* phrases; phrases
are ranked on their positioned words as before (``tsquery(..., ranking=True)``), so the pairs
need no field weight. Every document's ``terms`` is rebuilt from its own positions (no
re-analysis: ``network.search.backends.postgres.with_pairs``), which also adds the pairs to
documents 0011 did not reach. SQLite: nothing.
"""

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from network.search.backends.postgres import with_pairs

    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, terms FROM search_searchdocument WHERE id > %s ORDER BY id LIMIT %s", [last, BATCH]
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "UPDATE search_searchdocument SET terms = %s WHERE id = %s",
                [(with_pairs(terms), pk) for pk, terms in rows if terms],
            )
            last = rows[-1][0]
        if last:
            cursor.execute("SELECT gin_clean_pending_list('search_document_vector_gin'::regclass)")


class Migration(migrations.Migration):
    dependencies = [("search", "0013_sqlite_head_table")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""PostgreSQL: a small first-pass vector of the high-weight fields, beside ``search_vector``.

``head_vector`` is generated from ``terms`` — only its weight-A lexemes (the title) — so it is a
few dozen lexemes, kept inline in the row (``STORAGE MAIN``: never moved out to TOAST while the
row's big columns can be). Ranking a large match set reads it from the row the match has fetched
anyway, instead of detoasting every matching ``search_vector`` and running ``ts_rank_cd`` (whose
cost grows with the query's terms: ten language alternatives of one word) on each; the exact
``ts_rank_cd`` then runs on the best few hundred only (see
:mod:`network.search.backends.postgres`). Being generated, every write — ``search_index
--rebuild`` included — fills it; the migration fills it for the documents already indexed.

It has no index of its own: the matches come from ``search_vector``'s GIN scan (which also gives
the total and holds the access tokens), and the first pass reads ``head_vector`` from the rows that
scan fetches; a second GIN scan of titles would add a scan, not save one (measured at 100k).

SQLite: nothing.
"""

from django.db import migrations

PG_HEAD_VECTOR = "ts_filter(terms::tsvector, '{a}')"
PG_FORWARD = [
    f"ALTER TABLE search_searchdocument ADD COLUMN head_vector tsvector GENERATED ALWAYS AS ({PG_HEAD_VECTOR}) STORED",
    "ALTER TABLE search_searchdocument ALTER COLUMN head_vector SET STORAGE MAIN",
]
PG_BACKWARD = ["ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS head_vector"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0008_analysed_terms")]

    operations = [migrations.RunPython(forward, backward)]

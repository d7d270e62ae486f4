"""PostgreSQL: ``head_vector`` holds the summary's lexemes (weight B) beside the title's (A).

Measured on the 100k corpus: with titles alone, every document with a common word in its title
tied in the first pass (``laptops``: 13k matches, one first-pass score), so the exact pass saw only
the newest 300 of them and missed the best-ranked documents (top-20 overlap with the exact ranking
15/20, best exact score 2.2 against 1.1 shown). The summary separates them. Regenerated from
``terms`` (no reindex needed). SQLite: nothing.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from network.search.migrations import _vector

        for statement in _vector.head_vector_statements("{a,b}"):
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from network.search.migrations import _vector

        for statement in _vector.head_vector_statements("{a}"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0009_head_vector")]

    operations = [migrations.RunPython(forward, backward)]

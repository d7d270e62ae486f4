"""PostgreSQL: every two neighbouring terms of a field are also one lexeme (a *word pair*).

A quoted phrase was a positional ``<->`` tsquery, which the GIN index answers lossily: every
document holding both words had its ``search_vector`` detoasted and its positions checked
(``"Electronics Watch"`` at 100k documents: 16,966 matches, ~220 ms for a bare count). With the
pairs in ``terms`` (and so in the generated ``search_vector`` and ``head_vector``), a two-word
phrase is one lexeme the index answers exactly, and a longer one checks positions only on the
documents holding all its pairs (see ``network.search.backends.postgres.phrase_tsquery``).

The stored ``terms`` of documents indexed before are rewritten from their own positions (no
re-analysis); documents indexed from now on get the pairs from ``tsvector_literal``. SQLite:
nothing (FTS5 phrases read the positions in its own index).
"""

from django.db import migrations


def forward(apps, schema_editor):
    """Superseded by 0014 (pairs at weight D), which rewrites every document's ``terms`` once;
    a database that ran this before gets its pairs rebuilt there."""


class Migration(migrations.Migration):
    dependencies = [("search", "0010_head_vector_summary")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

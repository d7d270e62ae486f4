"""Drop the facet-combination tables: nothing reads them since facet counts group the facet rows
of the counted matches in SQL (2026-12-03, both database backends), and writing them cost a
lookup and an insert per indexed document."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0011_postgres_word_pairs")]

    operations = [
        migrations.DeleteModel(name="SearchFacetSet"),
        migrations.DeleteModel(name="SearchFacetCombination"),
    ]

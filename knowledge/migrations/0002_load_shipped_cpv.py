"""Load the CPV divisions the platform ships (knowledge/data/cpv-ict.csv) with their check digits."""

from django.db import migrations


def load(apps, schema_editor):
    from knowledge import cpv

    CpvCode = apps.get_model("knowledge", "CpvCode")
    cpv.load_rows(cpv.read_csv_rows(cpv.SHIPPED_FILE), model=CpvCode)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_vocabulary")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

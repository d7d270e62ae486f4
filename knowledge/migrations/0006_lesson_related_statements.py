"""``Lesson.related_statement_ids`` (a JSON list of ids) becomes the ``related_statements`` relation.

The ids are copied into the relation first; ids of statements that no longer exist (a JSON list
could keep them, a relation cannot) are dropped. Going back writes the relation's ids into the list.
"""

from django.db import migrations, models


def ids_to_relation(apps, schema_editor):
    Lesson = apps.get_model("knowledge", "Lesson")
    Statement = apps.get_model("statements", "Statement")
    Link = Lesson.related_statements.through
    existing = set(Statement.objects.values_list("pk", flat=True))
    links = []
    for lesson_id, ids in Lesson.objects.exclude(related_statement_ids=[]).values_list(
        "pk", "related_statement_ids"
    ):
        for statement_id in sorted({int(i) for i in ids or [] if str(i).isdigit()} & existing):
            links.append(Link(lesson_id=lesson_id, statement_id=statement_id))
    Link.objects.bulk_create(links, ignore_conflicts=True)


def relation_to_ids(apps, schema_editor):
    Lesson = apps.get_model("knowledge", "Lesson")
    for lesson in Lesson.objects.prefetch_related("related_statements"):
        ids = sorted(s.pk for s in lesson.related_statements.all())
        if ids:
            Lesson.objects.filter(pk=lesson.pk).update(related_statement_ids=ids)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_tender_interest_changes"),
        ("statements", "0002_signature_amendments"),
    ]

    operations = [
        migrations.AddField(
            model_name="lesson",
            name="related_statements",
            field=models.ManyToManyField(
                blank=True,
                related_name="lessons",
                to="statements.statement",
                verbose_name="related statements",
            ),
        ),
        migrations.RunPython(ids_to_relation, relation_to_ids),
        migrations.RemoveField(model_name="lesson", name="related_statement_ids"),
    ]

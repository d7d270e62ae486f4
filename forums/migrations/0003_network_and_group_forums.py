"""Data: the network-wide forum exists on every install, and every working group with a convener
has its forum (groups created before forums followed the network's structure had none)."""

from django.db import migrations
from django.utils.text import slugify

RESERVED = {"new", "t", "p", "moderation", "manage", "network-forum"}


def _slug(Forum, base: str) -> str:
    base = (slugify(base)[:70] or "forum").strip("-") or "forum"
    candidate, n = base, 1
    while candidate in RESERVED or Forum.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def create_forums(apps, schema_editor):
    Forum = apps.get_model("forums", "Forum")
    WorkingGroup = apps.get_model("members", "WorkingGroup")
    if not Forum.objects.filter(kind="network").exists():
        Forum.objects.create(
            kind="network",
            organisation=None,
            visibility="network",
            name="Network forum",
            slug=_slug(Forum, "network"),
            description=(
                "Open to every member of a verified organisation: introductions, planned tenders, questions."
            ),
        )
    for group in WorkingGroup.objects.filter(forum__isnull=True):
        convener = group.conveners.order_by("pk").first()
        if convener is None:
            continue  # it gets its forum with its first convener (forums.signals)
        forum = Forum.objects.create(
            kind="group",
            organisation=convener,
            working_group=group,
            visibility="public" if group.visibility == "public" else "group",
            name=group.name,
            slug=_slug(Forum, group.slug),
            description=group.description,
        )
        forum.shared_groups.set([group])


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0002_structure_moderation"),
        ("members", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_forums, migrations.RunPython.noop)]

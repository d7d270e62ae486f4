"""The demo loader creates the library content once and is idempotent."""

from __future__ import annotations

from io import StringIO

import pytest

from knowledge import demo
from knowledge.models import Label, Lesson, PlannedTender, TemplateVersion, TenderTemplate

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently():
    from members import demo as members_demo

    members_demo.load(StringIO())
    demo.load(StringIO())
    counts = [
        Label.objects.count(),
        TenderTemplate.objects.count(),
        Lesson.objects.count(),
        PlannedTender.objects.count(),
        TemplateVersion.objects.count(),
    ]
    demo.load(StringIO())
    assert counts == [
        Label.objects.count(),
        TenderTemplate.objects.count(),
        Lesson.objects.count(),
        PlannedTender.objects.count(),
        TemplateVersion.objects.count(),
    ]
    assert Label.objects.filter(slug="electronics-watch", kind="independent_monitoring").exists()
    portrait = Lesson.objects.get(organisation__slug="helsinki", title__contains="Helsinki")
    assert portrait.visibility == "public" and len(portrait.recommendations) == 5
    laptops = TenderTemplate.objects.get(organisation__slug="helsinki", forked_from=None)
    assert laptops.version_count == 2
    assert TenderTemplate.objects.filter(forked_from__template=laptops).exists()

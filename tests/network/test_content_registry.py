"""The content-type registry: every app's declaration resolves, the system check catches mistakes,
and the surfaces that iterate it (library, dashboard, outcomes, notifications) pick a type up."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from members.models import Role
from network import content
from network.content import ContentType, check_registry
from network.models import Notification
from tests import factories
from tests.knowledge import factories as kf

EXPECTED = {"template", "lesson", "tender", "statement", "thread", "event"}


def test_every_type_is_declared_once_with_one_kind_slug():
    kinds = [ct.kind for ct in content.content_types()]
    assert set(kinds) >= EXPECTED and len(kinds) == len(set(kinds))
    for ct in content.content_types():
        assert ct.search_type in (None, ct.kind)
        assert content.for_model(ct.model_class()) is ct


def test_the_registry_passes_its_system_check():
    assert check_registry() == []


@pytest.mark.parametrize(
    ("declaration", "error_id"),
    [
        (ContentType(kind="typo", model="knowledge.Lessson", label="x"), "content.E001"),
        (
            ContentType(kind="lesson2", model="knowledge.Lesson", label="x", outcome_lookups=("slugg",)),
            "content.E003",
        ),
        (
            ContentType(kind="lesson3", model="knowledge.Lesson", label="x", search_type="lessons"),
            "content.E005",
        ),
        (ContentType(kind="label", model="knowledge.Label", label="x"), "content.E004"),
    ],
)
def test_the_system_check_fails_at_start_up_on_a_wrong_declaration(declaration, error_id):
    content.register(declaration)
    try:
        assert error_id in {e.id for e in check_registry()}
        with pytest.raises(SystemCheckError):
            call_command("check")
    finally:
        content._REGISTRY.pop(declaration.kind)


@pytest.mark.django_db
def test_library_filter_offers_registered_types_by_their_kind_slug(client):
    org = factories.organisation("City of Helsinki")
    kf.lesson(factories.member(org, Role.EDITOR), org, visibility="public", title="Talk to the market early")
    body = client.get("/library/?kind=lesson").content.decode()
    assert "Talk to the market early" in body
    assert 'value="lesson"' in body and 'value="lessons"' not in body
    home = client.get("/").content.decode()
    assert "/library/?kind=lesson" in home  # the home page's "Learn from peers" link


@pytest.mark.django_db
def test_lessons_have_a_dashboard_section_scoped_to_what_the_viewer_reads(client):
    helsinki, other = factories.organisation("City of Helsinki"), factories.organisation("Elsewhere")
    editor = factories.member(helsinki, Role.EDITOR)
    kf.lesson(editor, helsinki, visibility="private", title="Our own lesson")
    kf.lesson(factories.member(other, Role.EDITOR), other, visibility="private", title="Their secret lesson")
    client.force_login(factories.member(helsinki))
    body = client.get("/dashboard/").content.decode()
    assert "New lessons learned" in body and "Our own lesson" in body
    assert "Their secret lesson" not in body


@pytest.mark.django_db
def test_a_lesson_citing_another_organisations_template_notifies_its_editors_who_may_read_it():
    helsinki, malmo = factories.organisation("City of Helsinki"), factories.organisation("City of Malmö")
    malmo_editor = factories.member(malmo, Role.EDITOR)
    template = kf.template(malmo_editor, malmo, visibility="public", title="Laptops")
    hel_editor = factories.member(helsinki, Role.EDITOR)
    kf.lesson(
        hel_editor, helsinki, visibility="private", title="Private one", related_templates=[template.pk]
    )
    assert not Notification.objects.filter(recipient=malmo_editor).exists()  # may not read it: no note
    lesson = kf.lesson(
        hel_editor, helsinki, visibility="public", title="Shared one", related_templates=[template.pk]
    )
    note = Notification.objects.get(recipient=malmo_editor)
    assert note.kind == "lesson.cites_template" and "Shared one" in note.title
    assert note.url == lesson.get_absolute_url()

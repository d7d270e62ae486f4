"""Outcomes link what came out of an event, and never reveal an object the viewer cannot read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from members.models import Role
from network.events import selectors, services
from network.events.models import EventOutcome
from tests import factories
from tests.events.factories import event
from tests.knowledge import factories as kf
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def test_private_lesson_outcome_is_hidden_from_other_organisation_and_anonymous(client):
    helsinki = factories.organisation("City of Helsinki")
    editor = factories.member(helsinki, Role.EDITOR)
    ev = event(helsinki, visibility="public", title="Open dialogue")
    private = kf.lesson(editor, helsinki, visibility="private", title="Internal lessons from the dialogue")
    public = kf.lesson(editor, helsinki, visibility="public", title="Public lessons from the dialogue")
    services.outcome_add(person=editor, event=ev, kind="lesson", object_ref=str(private.pk), note="internal")
    services.outcome_add(person=editor, event=ev, kind="lesson", object_ref=str(public.pk))
    outsider = factories.member(factories.organisation("City of Elsewhere"))
    client.force_login(outsider)
    body = client.get(ev.get_absolute_url()).content.decode()
    assert "Public lessons from the dialogue" in body
    assert "Internal lessons" not in body and "internal" not in body
    client.logout()
    assert "Internal lessons" not in client.get(ev.get_absolute_url()).content.decode()
    assert "Internal lessons" not in str(client.get(f"/api/v1/events/{ev.slug}/").json()["outcomes"])
    assert [o.title for o in selectors.outcomes_for(editor, ev)] == [
        "Internal lessons from the dialogue",
        "Public lessons from the dialogue",
    ]


def test_statement_outcome_by_slug_through_the_host_page(client):
    helsinki = factories.organisation("City of Helsinki")
    statement = sf.open_statement(helsinki, title="Fair smartphones")
    ev = event(helsinki, visibility="public")
    client.force_login(factories.member(helsinki, Role.EDITOR))
    client.post(
        f"/events/{ev.slug}/outcomes/",
        {"kind": "statement", "object_ref": statement.slug, "note": "From here"},
    )
    assert EventOutcome.objects.filter(event=ev, object_ref=statement.slug).exists()
    client.logout()
    assert statement.get_absolute_url() in client.get(ev.get_absolute_url()).content.decode()


def test_hosts_cannot_link_what_they_cannot_read_and_non_hosts_cannot_link_at_all():
    helsinki = factories.organisation("City of Helsinki")
    oslo = factories.organisation("City of Oslo")
    ev = event(helsinki)
    oslo_lesson = kf.lesson(
        factories.member(oslo, Role.EDITOR), oslo, visibility="private", title="Oslo only"
    )
    with pytest.raises(ValidationError):
        services.outcome_add(
            person=factories.member(helsinki, Role.EDITOR),
            event=ev,
            kind="lesson",
            object_ref=str(oslo_lesson.pk),
        )
    with pytest.raises(PermissionDenied):
        services.outcome_add(person=factories.member(helsinki), event=ev, kind="lesson", object_ref="1")
    assert not EventOutcome.objects.exists()

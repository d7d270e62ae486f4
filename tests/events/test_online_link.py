"""The online meeting link is a guarded field: every surface that shows an event asks the policy.

The event page hides the link from anyone who is neither a host nor a confirmed participant; the
API, the single-event ``.ics``, the organisation and working-group feeds (HTML routes and API
routes) must hide it from exactly the same people. The public ``.ics`` used to carry it to
anonymous visitors because iCalendar did not ask.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from members.models import Role
from network.events import services
from tests import factories
from tests.events.factories import event, host_editor

pytestmark = pytest.mark.django_db

LINK = "https://meet.example/very-secret-room"


def _surfaces(ev, group_slug: str) -> list[tuple[str, str]]:
    """(client kind, path) of every read of an event that could carry the link."""
    return [
        ("html", f"/events/{ev.slug}/"),
        ("html", f"/events/{ev.slug}.ics"),
        ("html", "/events/organisations/helsinki.ics"),
        ("html", f"/events/groups/{group_slug}.ics"),
        ("api", f"/api/v1/events/{ev.slug}/"),
        ("api", "/api/v1/events/"),
        ("api", f"/api/v1/events/{ev.slug}/ics/"),
        ("api", "/api/v1/events/feeds/organisations/helsinki.ics"),
    ]


def _read_all(person, ev, group_slug: str) -> dict[str, str]:
    html, api = Client(), APIClient()
    if person is not None:
        html.force_login(person)
        api.force_authenticate(person)
    bodies = {}
    for kind, path in _surfaces(ev, group_slug):
        response = (html if kind == "html" else api).get(path)
        assert response.status_code == 200, (path, response.status_code)
        bodies[path] = response.content.decode().replace("\r\n ", "")  # unfold iCalendar lines
    return bodies


@pytest.fixture
def setting():
    helsinki = factories.organisation("City of Helsinki", slug="helsinki")
    group = factories.working_group(conveners=[helsinki], visibility="public")
    ev = event(helsinki, visibility="public", online_url=LINK, working_group=group, capacity=1)
    return helsinki, group, ev


@pytest.mark.parametrize(
    "who", ["anonymous", "member_from_other_organisation", "waitlisted", "registered_none"]
)
def test_no_surface_shows_the_online_link_to_people_the_event_page_hides_it_from(setting, who):
    helsinki, group, ev = setting
    services.registration_register(person=factories.member(helsinki), event=ev)  # takes the one place
    person = None
    if who == "member_from_other_organisation":
        person = factories.member(factories.organisation("City of Elsewhere"), Role.OWNER)
    elif who == "waitlisted":
        person = factories.member(helsinki)
        services.registration_register(person=person, event=ev)
    elif who == "registered_none":
        person = factories.member(helsinki)
    for path, body in _read_all(person, ev, group.slug).items():
        assert LINK not in body, f"{who} sees the online link at {path}"


@pytest.mark.parametrize("who", ["host", "confirmed"])
def test_hosts_and_confirmed_participants_get_it_everywhere_it_is_shown(setting, who):
    helsinki, group, ev = setting
    person = host_editor(helsinki)
    if who == "confirmed":
        person = factories.member(helsinki)
        services.registration_register(person=person, event=ev)
    bodies = _read_all(person, ev, group.slug)
    for path, body in bodies.items():
        assert LINK in body, f"{who} misses the online link at {path}"

"""``/api/v1/events/``: list, detail, create, update, register, cancel, attendees, ics, feeds."""

from __future__ import annotations

import pytest

from members.models import Role
from network.events import services
from network.events.models import Event, Registration
from tests import factories
from tests.events.factories import event

pytestmark = pytest.mark.django_db


@pytest.fixture
def helsinki():
    return factories.organisation("City of Helsinki", slug="helsinki")


@pytest.fixture
def other():
    return factories.organisation("City of Elsewhere", slug="elsewhere")


def test_list_from_other_organisation_omits_private_events(api_client, helsinki, other):
    event(helsinki, visibility="private", title="Internal")
    event(helsinki, visibility="network", title="Webinar")
    api_client.force_authenticate(factories.member(other))
    titles = [e["title"] for e in api_client.get("/api/v1/events/").json()["results"]]
    assert titles == ["Webinar"]


def test_detail_register_cancel_attendees_ics_of_private_event_from_other_organisation_are_404(
    api_client, helsinki, other
):
    ev = event(helsinki, visibility="private")
    api_client.force_authenticate(factories.member(other, Role.OWNER))
    for method, path in [
        ("get", f"/api/v1/events/{ev.slug}/"),
        ("post", f"/api/v1/events/{ev.slug}/register/"),
        ("post", f"/api/v1/events/{ev.slug}/cancel/"),
        ("get", f"/api/v1/events/{ev.slug}/attendees/"),
        ("get", f"/api/v1/events/{ev.slug}/ics/"),
        ("patch", f"/api/v1/events/{ev.slug}/"),
    ]:
        response = getattr(api_client, method)(path, {}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    assert not Registration.objects.exists()


def test_member_registers_gets_waiting_position_and_cancels(api_client, helsinki):
    ev = event(helsinki, capacity=1)
    services.registration_register(person=factories.member(helsinki), event=ev)
    me = factories.member(helsinki)
    api_client.force_authenticate(me)
    first = api_client.post(f"/api/v1/events/{ev.slug}/register/")
    assert first.status_code == 201
    assert first.json()["status"] == "waitlisted" and first.json()["waiting_position"] == 1
    again = api_client.post(f"/api/v1/events/{ev.slug}/register/")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    detail = api_client.get(f"/api/v1/events/{ev.slug}/").json()
    assert detail["my_registration"]["waiting_position"] == 1
    assert api_client.post(f"/api/v1/events/{ev.slug}/cancel/").json()["status"] == "cancelled"
    assert api_client.post(f"/api/v1/events/{ev.slug}/cancel/").status_code == 404


def test_anonymous_guest_registration_through_the_api(api_client, helsinki):
    ev = event(helsinki, visibility="public")
    response = api_client.post(f"/api/v1/events/{ev.slug}/register/", {"name": "Ana", "email": "a@x.example"})
    assert response.status_code == 202
    assert Registration.objects.get(event=ev).status == "pending_confirmation"
    bad = api_client.post(f"/api/v1/events/{ev.slug}/register/", {"name": "Ana", "email": "broken"})
    assert bad.status_code == 400 and "email" in bad.json()["errors"]


def test_attendees_are_for_hosts_only(api_client, helsinki):
    ev = event(helsinki, visibility="network")
    services.registration_register(person=factories.member(helsinki, name="Registered Person"), event=ev)
    api_client.force_authenticate(factories.member(helsinki))
    assert api_client.get(f"/api/v1/events/{ev.slug}/attendees/").status_code == 403
    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    rows = api_client.get(f"/api/v1/events/{ev.slug}/attendees/").json()
    assert [r["name"] for r in rows] == ["Registered Person"]


def test_create_and_update_by_editor(api_client, helsinki):
    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    response = api_client.post(
        "/api/v1/events/",
        {
            "organisation": "helsinki",
            "title": "Laptop market dialogue",
            "starts_at": "2030-03-01T09:00:00+02:00",
            "ends_at": "2030-03-01T12:00:00+02:00",
            "time_zone": "Europe/Helsinki",
            "online_url": "https://meet.example/abc",
            "audience": ["suppliers"],
            "capacity": 2,
            "visibility": "public",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert response.json()["online_url"] == "https://meet.example/abc"  # hosts see the link
    patched = api_client.patch(f"/api/v1/events/{slug}/", {"capacity": 5}, format="json")
    assert patched.status_code == 200 and patched.json()["capacity"] == 5
    assert Event.objects.get(slug=slug).sequence == 1


def test_create_errors_are_json_and_store_nothing(api_client, helsinki, other):
    api_client.force_authenticate(factories.member(helsinki, Role.EDITOR))
    response = api_client.post(
        "/api/v1/events/",
        {
            "organisation": "helsinki",
            "title": "X",
            "starts_at": "2030-03-01T12:00:00Z",
            "ends_at": "2030-03-01T09:00:00Z",
            "place": "Here",
            "time_zone": "Nowhere/City",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] and response.json()["errors"]
    forbidden = api_client.post(
        "/api/v1/events/",
        {
            "organisation": "elsewhere",
            "title": "X",
            "starts_at": "2030-03-01T09:00:00Z",
            "ends_at": "2030-03-01T12:00:00Z",
            "place": "Here",
        },
        format="json",
    )
    assert forbidden.status_code == 403
    assert not Event.objects.exists()


def test_online_link_hidden_until_registered(api_client, helsinki):
    ev = event(helsinki, visibility="public", online_url="https://meet.example/secret")
    assert api_client.get(f"/api/v1/events/{ev.slug}/").json()["online_url"] == ""
    person = factories.member(helsinki)
    services.registration_register(person=person, event=ev)
    api_client.force_authenticate(person)
    assert api_client.get(f"/api/v1/events/{ev.slug}/").json()["online_url"] == "https://meet.example/secret"


def test_ics_and_feeds(api_client, helsinki):
    ev = event(helsinki, visibility="public", title="Open dialogue")
    event(helsinki, visibility="network", title="Members only")
    one = api_client.get(f"/api/v1/events/{ev.slug}/ics/")
    assert one.status_code == 200 and one["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Open dialogue" in one.content.decode()
    feed = api_client.get("/api/v1/events/feeds/organisations/helsinki.ics").content.decode()
    assert "Open dialogue" in feed and "Members only" not in feed
    assert api_client.get("/api/v1/events/feeds/organisations/nope.ics").status_code == 404


def test_list_query_count_does_not_grow(api_client, helsinki, django_assert_max_num_queries):
    api_client.force_authenticate(factories.member(helsinki))
    for _ in range(2):
        event(helsinki)
    with django_assert_max_num_queries(10) as small:
        api_client.get("/api/v1/events/")
    for _ in range(10):
        event(helsinki, co_hosts=[factories.organisation()])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api_client.get("/api/v1/events/").json()["results"]) == 12


def test_filter_by_co_host_keeps_place_counts_right(api_client, helsinki):
    oslo = factories.organisation("City of Oslo", slug="oslo")
    ev = event(helsinki, capacity=10, co_hosts=[oslo, factories.organisation()])
    for _ in range(2):
        services.registration_register(person=factories.member(helsinki), event=ev)
    api_client.force_authenticate(factories.member(helsinki))
    for slug in ("helsinki", "oslo"):
        rows = api_client.get("/api/v1/events/", {"organisation": slug}).json()["results"]
        assert [(r["slug"], r["confirmed_count"]) for r in rows] == [(ev.slug, 2)]
    assert api_client.get("/api/v1/events/", {"organisation": "nobody"}).json()["results"] == []

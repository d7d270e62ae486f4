"""HTML pages and iCalendar/CSV exports for events, including isolation between organisations."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail

from members.models import Role
from network.events import services
from network.events.models import Event, Registration
from tests import factories
from tests.events.factories import event, past_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def helsinki():
    return factories.organisation("City of Helsinki", slug="helsinki")


@pytest.fixture
def other():
    return factories.organisation("City of Elsewhere", slug="elsewhere")


def test_list_shows_upcoming_and_past_separately(client, helsinki):
    soon = event(helsinki, visibility="public", title="Upcoming dialogue")
    old = past_event(helsinki, visibility="public", title="Old dialogue")
    upcoming = client.get("/events/").content.decode()
    past = client.get("/events/?when=past").content.decode()
    assert soon.title in upcoming and old.title not in upcoming
    assert old.title in past and soon.title not in past


def test_events_list_hides_private_events_from_other_organisation(client, helsinki, other):
    private = event(helsinki, visibility="private", title="Helsinki internal briefing")
    network = event(helsinki, visibility="network", title="Network webinar")
    client.force_login(factories.member(other))
    body = client.get("/events/").content.decode()
    assert private.title not in body
    assert network.title in body


def test_anonymous_visitors_see_public_events_only(client, helsinki):
    public = event(helsinki, visibility="public", title="Open market dialogue")
    network = event(helsinki, visibility="network", title="Members webinar")
    body = client.get("/events/").content.decode()
    assert public.title in body and network.title not in body
    assert client.get(network.get_absolute_url()).status_code == 404


def test_event_detail_from_other_organisation_is_404(client, helsinki, other):
    ev = event(helsinki, visibility="private")
    client.force_login(factories.member(other))
    assert client.get(ev.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{ev.slug}.ics").status_code == 404
    assert client.post(f"/events/{ev.slug}/register/").status_code == 404
    assert not Registration.objects.exists()


def test_ics_of_private_event_from_other_organisation_is_404_and_feeds_leave_it_out(client, helsinki, other):
    private = event(helsinki, visibility="private", title="Secret strategy day")
    public = event(helsinki, visibility="public", title="Open dialogue")
    client.force_login(factories.member(other))
    assert client.get(f"/events/{private.slug}.ics").status_code == 404
    feed = client.get("/events/organisations/helsinki.ics")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    text = feed.content.decode()
    assert "Open dialogue" in text and "Secret strategy day" not in text
    assert public.slug in text.replace("\r\n ", "")


def test_anonymous_feed_contains_public_events_only(client, helsinki):
    event(helsinki, visibility="public", title="Open dialogue")
    event(helsinki, visibility="network", title="Members webinar")
    text = client.get("/events/organisations/helsinki.ics").content.decode()
    assert text.count("BEGIN:VEVENT") == 1 and "Open dialogue" in text


def test_working_group_feed_from_other_organisation_omits_group_only_events(client, helsinki, other):
    group = factories.working_group(members=[helsinki], visibility="public")
    event(helsinki, visibility="group", working_group=group, shared_groups=[group], title="Group workshop")
    outsider = factories.member(other)
    insider = factories.member(helsinki)
    client.force_login(outsider)
    assert "Group workshop" not in client.get(f"/events/groups/{group.slug}.ics").content.decode()
    client.force_login(insider)
    assert "Group workshop" in client.get(f"/events/groups/{group.slug}.ics").content.decode()


def test_member_registers_then_cancels_through_the_page(client, helsinki):
    ev = event(helsinki, capacity=1)
    person = factories.member(helsinki)
    client.force_login(person)
    client.post(f"/events/{ev.slug}/register/")
    assert Registration.objects.get(event=ev, person=person).status == "confirmed"
    page = client.get(ev.get_absolute_url()).content.decode()
    assert "Cancel my registration" in page
    client.post(f"/events/{ev.slug}/cancel/")
    assert Registration.objects.get(event=ev, person=person).status == "cancelled"


def test_waitlisted_member_sees_their_position(client, helsinki):
    ev = event(helsinki, capacity=1)
    for _ in range(2):
        services.registration_register(person=factories.member(helsinki), event=ev)
    me = factories.member(helsinki)
    services.registration_register(person=me, event=ev)
    client.force_login(me)
    assert "You are number 2 on the waiting list" in client.get(ev.get_absolute_url()).content.decode()


def test_guest_registers_and_confirms_once_through_the_pages(
    client, helsinki, django_capture_on_commit_callbacks
):
    ev = event(helsinki, visibility="public", capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/{ev.slug}/guest/",
            {"name": "Ana", "email": "ana@reseller.example", "organisation_name": "Reseller Oy"},
        )
    assert response.status_code == 302
    guest_mail = next(m for m in mail.outbox if m.to == ["ana@reseller.example"])
    link = next(line for line in guest_mail.body.splitlines() if "/events/confirm/" in line)
    path = link.split("http://127.0.0.1:8000", 1)[-1] if "://" in link else link
    path = path[path.index("/events/confirm/") :]
    assert client.get(path).status_code == 200  # a mail scanner's GET uses nothing
    assert Registration.objects.get(event=ev).status == "pending_confirmation"
    assert client.post(path).status_code == 200
    assert Registration.objects.get(event=ev).status == "confirmed"
    assert client.post(path).status_code == 404
    assert client.get(path).status_code == 404


def test_guest_form_errors_keep_what_was_typed_and_store_nothing(client, helsinki):
    ev = event(helsinki, visibility="public")
    response = client.post(f"/events/{ev.slug}/guest/", {"name": "Ana Example", "email": "nope"})
    assert response.status_code == 400
    assert 'value="Ana Example"' in response.content.decode()
    assert not Registration.objects.exists()


def test_guest_cancel_link_works_without_signing_in(client, helsinki, django_capture_on_commit_callbacks):
    ev = event(helsinki, visibility="public")
    _reg, token = services.guest_registration_start(event=ev, name="G", email="g@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.guest_registration_confirm(token=token)
    guest_mail = next(m for m in mail.outbox if m.to == ["g@example.com"])
    link = next(line for line in guest_mail.body.splitlines() if "/events/guest-cancel/" in line)
    path = link[link.index("/events/guest-cancel/") :]
    assert client.get(path).status_code == 200
    assert Registration.objects.get(event=ev).status == "confirmed"
    client.post(path)
    assert Registration.objects.get(event=ev).status == "cancelled"


def test_attendees_page_and_csv_for_hosts_only(client, helsinki, other):
    ev = event(helsinki, visibility="network", capacity=1)
    services.registration_register(person=factories.member(helsinki, name="=HYPERLINK(evil)"), event=ev)
    services.registration_register(person=factories.member(other, name="Waiting Person"), event=ev)
    client.force_login(factories.member(helsinki))  # a plain member of the host
    assert client.get(f"/events/{ev.slug}/attendees/").status_code == 403
    assert client.get(f"/events/{ev.slug}/attendees.csv").status_code == 403
    client.force_login(factories.member(helsinki, Role.EDITOR))
    page = client.get(f"/events/{ev.slug}/attendees/")
    assert page.status_code == 200 and "Waiting Person" in page.content.decode()
    rows = list(csv.reader(io.StringIO(client.get(f"/events/{ev.slug}/attendees.csv").content.decode())))
    assert rows[1][0] == "'=HYPERLINK(evil)"
    assert rows[2][0] == "Waiting Person" and rows[2][4] == "1"


def test_attendees_of_private_event_from_other_organisation_is_404(client, helsinki, other):
    ev = event(helsinki, visibility="private")
    client.force_login(factories.member(other, Role.OWNER))
    assert client.get(f"/events/{ev.slug}/attendees/").status_code == 404
    assert client.get(f"/events/{ev.slug}/attendees.csv").status_code == 404


def test_editor_creates_an_event_in_its_time_zone(client, helsinki):
    editor = factories.member(helsinki, Role.EDITOR)
    client.force_login(editor)
    assert client.get("/events/new/").status_code == 200
    response = client.post(
        "/events/new/",
        {
            "organisation": helsinki.pk,
            "title": "Smartphone market dialogue",
            "time_zone": "Europe/Stockholm",
            "starts_at": "2030-11-25T09:00",
            "ends_at": "2030-11-25T16:00",
            "place": "Malmö",
            "audience": ["buyers", "resellers"],
            "capacity": "40",
            "registration_open": "on",
            "visibility": "public",
        },
    )
    ev = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == ev.get_absolute_url()
    assert ev.starts_at.isoformat() == "2030-11-25T08:00:00+00:00"
    assert ev.audience_list == ["buyers", "resellers"]
    assert set(ev.hosts.all()) == {helsinki}


def test_create_form_errors_keep_input_and_store_nothing(client, helsinki):
    client.force_login(factories.member(helsinki, Role.EDITOR))
    response = client.post(
        "/events/new/",
        {
            "organisation": helsinki.pk,
            "title": "Backwards",
            "time_zone": "Europe/Helsinki",
            "starts_at": "2030-11-25T16:00",
            "ends_at": "2030-11-25T09:00",
            "visibility": "network",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "must end after it starts" in body and 'value="Backwards"' in body
    assert not Event.objects.exists()


def test_plain_member_cannot_create_or_edit(client, helsinki):
    ev = event(helsinki)
    client.force_login(factories.member(helsinki))
    assert client.get("/events/new/").status_code == 403
    assert client.get(f"/events/{ev.slug}/edit/").status_code == 403


def test_list_page_query_count_does_not_grow_with_events(client, helsinki, django_assert_max_num_queries):
    client.force_login(factories.member(helsinki))
    for _ in range(3):
        event(helsinki, visibility="network")
    with django_assert_max_num_queries(12) as small:
        client.get("/events/")
    for _ in range(12):
        event(helsinki, visibility="network", co_hosts=[factories.organisation()])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/events/").status_code == 200

"""Co-hosting needs consent: until an admin of the invited organisation accepts, it is no host
anywhere (page, API, feeds, iCalendar, dashboard), gets no edit rights and reads no private event."""

from __future__ import annotations

import feedparser
import pytest

from members.models import Role
from network.events import cohosts, services
from network.events.models import CoHostInvitation, Event
from network.models import Notification
from tests import factories
from tests.events.factories import event, host_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited():
    lead = factories.organisation("Malmö stad", country="SE")
    guest = factories.organisation("Unconsenting City", country="DK")
    admin = factories.member(guest, Role.ADMIN)
    ev = event(lead, visibility="public", co_hosts=[guest], accept_co_hosts=False, title="Nordic forum")
    return ev, guest, admin, CoHostInvitation.objects.get(event=ev, organisation=guest)


def surfaces(client, ev: Event) -> dict[str, str]:
    return {
        "page": client.get(ev.get_absolute_url()).content.decode(),
        "api": client.get(f"/api/v1/events/{ev.slug}/").content.decode(),
        "api list": client.get("/api/v1/events/").content.decode(),
        "ics": client.get(f"/events/{ev.slug}.ics").content.decode(),
        "feed": client.get("/events/feed.atom").content.decode(),
        "org ics": client.get(f"/events/organisations/{ev.organisation.slug}.ics").content.decode(),
    }


def test_an_invited_co_host_is_no_host_anywhere_until_it_accepts(client, invited):
    ev, guest, admin, invitation = invited
    assert invitation.status == "pending"
    assert list(ev.hosts.values_list("name", flat=True)) == ["Malmö stad"]
    for name, text in surfaces(client, ev).items():
        assert "Malmö stad" in text or "malmo-stad" in text, name
        assert "Unconsenting City" not in text and "unconsenting-city" not in text, name
    # its own organisation's calendar does not list the event either
    assert "Nordic forum" not in client.get(f"/events/organisations/{guest.slug}.ics").content.decode()
    cohosts.cohost_invitation_accept(person=admin, invitation=invitation)
    for name, text in surfaces(client, ev).items():
        assert "Unconsenting City" in text or "unconsenting-city" in text, name
    assert "Nordic forum" in client.get(f"/events/organisations/{guest.slug}.ics").content.decode()
    parsed = feedparser.parse(client.get("/events/feed.atom").content)
    assert "Unconsenting City" in parsed.entries[0].summary


def test_members_of_an_invited_organisation_get_no_edit_rights_and_no_private_read(client, api_client):
    lead = factories.organisation()
    guest = factories.organisation()
    guest_editor = factories.member(guest, Role.EDITOR)
    private = event(lead, visibility="private", co_hosts=[guest], accept_co_hosts=False)
    public = event(lead, visibility="public", co_hosts=[guest], accept_co_hosts=False)
    client.force_login(guest_editor)
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{public.slug}/edit/").status_code == 403
    api_client.force_authenticate(guest_editor)
    assert (
        api_client.patch(f"/api/v1/events/{public.slug}/", {"title": "Hijacked"}, format="json").status_code
        == 403
    )
    assert Event.objects.get(pk=public.pk).title != "Hijacked"
    for invitation in CoHostInvitation.objects.filter(organisation=guest):
        cohosts.cohost_invitation_accept(person=factories.member(guest, Role.ADMIN), invitation=invitation)
    assert client.get(private.get_absolute_url()).status_code == 200
    assert client.get(f"/events/{public.slug}/edit/").status_code == 200


def test_invitation_notifies_the_invitees_admins_and_the_answer_the_hosts(invited):
    ev, guest, admin, invitation = invited
    assert Notification.objects.filter(kind="event.cohost_invited", recipient=admin).exists()
    cohosts.cohost_invitation_decline(person=admin, invitation=invitation)
    assert Notification.objects.filter(kind="event.cohost_answered", recipient=ev.created_by).exists()
    assert not ev.hosts.filter(pk=guest.pk).exists()


def test_accepting_twice_or_by_a_non_admin_is_refused(api_client, invited):
    ev, guest, admin, invitation = invited
    url = f"/api/v1/events/cohost-invitations/{invitation.pk}/accept/"
    api_client.force_authenticate(factories.member(guest, Role.EDITOR))
    response = api_client.post(url)
    assert response.status_code == 403 and response.json()["detail"]
    assert CoHostInvitation.objects.get(pk=invitation.pk).status == "pending"
    api_client.force_authenticate(admin)
    assert api_client.get("/api/v1/events/cohost-invitations/").json()["results"][0]["id"] == invitation.pk
    first = api_client.post(url)
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    second = api_client.post(url)
    assert second.status_code == 409 and "already answered" in second.json()["detail"]
    decline = api_client.post(f"/api/v1/events/cohost-invitations/{invitation.pk}/decline/")
    assert decline.status_code == 409
    assert ev.hosts.filter(pk=guest.pk).count() == 1


def test_invitation_of_other_organisation_is_404(api_client, client, invited):
    _ev, _guest, _admin, invitation = invited
    outsider = factories.member(factories.organisation(), Role.OWNER)
    api_client.force_authenticate(outsider)
    assert api_client.post(f"/api/v1/events/cohost-invitations/{invitation.pk}/accept/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/events/cohost-invitations/{invitation.pk}/").status_code == 404
    assert CoHostInvitation.objects.get(pk=invitation.pk).status == "pending"


def test_invitation_page_accepts_for_admins(client, invited):
    ev, guest, admin, invitation = invited
    client.force_login(factories.member(guest, Role.MEMBER))
    page = client.get(f"/events/cohost-invitations/{invitation.pk}/").content.decode()
    assert "Nordic forum" in page and "Accept and co-host" not in page
    assert (
        client.post(f"/events/cohost-invitations/{invitation.pk}/", {"answer": "accept"}).status_code == 403
    )
    client.force_login(admin)
    assert "Invitations to co-host" in client.get("/dashboard/").content.decode()
    response = client.post(f"/events/cohost-invitations/{invitation.pk}/", {"answer": "accept"})
    assert response.status_code == 302 and ev.hosts.filter(pk=guest.pk).exists()
    again = client.post(f"/events/cohost-invitations/{invitation.pk}/", {"answer": "accept"})
    assert again.status_code == 409


def test_an_unverified_organisation_cannot_name_co_hosts(api_client):
    lead = factories.organisation(verified=False)
    editor = factories.member(lead, Role.EDITOR)
    other = factories.organisation()
    api_client.force_authenticate(editor)
    response = api_client.post(
        "/api/v1/events/",
        {
            "organisation": lead.slug,
            "title": "Unverified forum",
            "starts_at": "2030-01-01T10:00:00+02:00",
            "ends_at": "2030-01-01T12:00:00+02:00",
            "place": "Vantaa",
            "co_hosts": [other.slug],
        },
        format="json",
    )
    assert response.status_code == 400 and "co_hosts" in response.json()["errors"]
    assert not Event.objects.filter(title="Unverified forum").exists()
    assert not CoHostInvitation.objects.exists()


def test_removing_a_co_host_withdraws_it_and_renaming_reinvites(invited):
    ev, guest, admin, invitation = invited
    cohosts.cohost_invitation_accept(person=admin, invitation=invitation)
    services.event_update(
        person=host_editor(ev.organisation),
        event=ev,
        data=services.EventData.of(ev).with_changes({"co_hosts": []}),
    )
    assert not ev.hosts.filter(pk=guest.pk).exists()
    assert CoHostInvitation.objects.get(pk=invitation.pk).status == "withdrawn"
    services.event_update(
        person=host_editor(ev.organisation),
        event=ev,
        data=services.EventData.of(ev).with_changes({"co_hosts": [guest]}),
    )
    assert CoHostInvitation.objects.get(pk=invitation.pk).status == "pending"
    assert not ev.hosts.filter(pk=guest.pk).exists()

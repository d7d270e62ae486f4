"""Guest registration is anonymous and sends e-mail, so it is limited (#20 item 5): per client
address, per e-mail address and per event, and one pending confirmation per address and event is
mailed once, not once per request (80 requests used to mean 80 e-mails to one victim)."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from network.events import services
from network.events.models import Registration
from tests import factories
from tests.events.factories import event

pytestmark = pytest.mark.django_db


@pytest.fixture
def helsinki():
    return factories.organisation("Helsinki", slug="helsinki", verified=True)


def register(ev, email: str, *, client: str = "198.51.100.7"):
    return APIClient().post(
        f"/api/v1/events/{ev.slug}/register/",
        {"name": "Guest", "email": email},
        format="json",
        REMOTE_ADDR=client,
    )


def mails_to(address: str) -> int:
    return sum(1 for m in mail.outbox if address in m.to)


def test_repeated_requests_mail_one_victim_once(helsinki, django_capture_on_commit_callbacks):
    ev = event(helsinki, visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [register(ev, "victim@example.org").status_code for _ in range(8)]
    assert statuses == [202] * 8  # the same answer each time: nothing revealed
    assert mails_to("victim@example.org") == 1
    assert Registration.objects.filter(event=ev, guest_email="victim@example.org").count() == 1


def test_one_client_is_limited_across_addresses(helsinki, settings, django_capture_on_commit_callbacks):
    settings.EVENTS_GUEST_LIMITS = {"client": (5, 3600)}
    ev = event(helsinki, visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [register(ev, f"g{n}@example.org").status_code for n in range(8)]
    assert statuses == [202] * 5 + [429] * 3
    assert len(mail.outbox) == 5
    refused = register(ev, "late@example.org")
    assert refused.status_code == 429 and refused.json()["detail"]
    assert register(ev, "other@example.org", client="203.0.113.9").status_code == 202


def test_one_address_is_limited_across_events_and_clients(
    helsinki, settings, django_capture_on_commit_callbacks
):
    settings.EVENTS_GUEST_LIMITS = {"email": (3, 86400)}
    events = [event(helsinki, visibility="public", title=f"Market day {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            register(ev, "victim@example.org", client=f"203.0.113.{n}").status_code
            for n, ev in enumerate(events)
        ]
    assert statuses == [202] * 3 + [429] * 2
    assert mails_to("victim@example.org") == 3


def test_one_event_is_limited_across_clients_and_addresses(helsinki, settings):
    settings.EVENTS_GUEST_LIMITS = {"event": (4, 3600)}
    ev = event(helsinki, visibility="public")
    statuses = [register(ev, f"g{n}@example.org", client=f"203.0.113.{n}").status_code for n in range(6)]
    assert statuses == [202] * 4 + [429] * 2
    assert Registration.objects.filter(event=ev).count() == 4


def test_the_page_answers_a_limited_guest_with_a_message_and_stores_nothing(client, helsinki, settings):
    settings.EVENTS_GUEST_LIMITS = {"client": (1, 3600)}
    ev = event(helsinki, visibility="public")
    assert (
        client.post(f"/events/{ev.slug}/guest/", {"name": "A", "email": "a@example.org"}).status_code == 302
    )
    response = client.post(f"/events/{ev.slug}/guest/", {"name": "B", "email": "b@example.org"})
    assert response.status_code == 429
    assert "Too many guest registrations" in response.content.decode()
    assert not Registration.objects.filter(guest_email="b@example.org").exists()


def test_the_limits_hold_in_the_service_for_every_caller(helsinki, settings):
    settings.EVENTS_GUEST_LIMITS = {"client": (2, 3600)}
    ev = event(helsinki, visibility="public")
    for n in range(2):
        services.guest_registration_start(
            event=ev, name="G", email=f"g{n}@example.org", client="198.51.100.1"
        )
    from network.ratelimit import RateLimited

    with pytest.raises(RateLimited):
        services.guest_registration_start(event=ev, name="G", email="g9@example.org", client="198.51.100.1")

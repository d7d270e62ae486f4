"""Notifications: in-app list (read/unread, per item, pagination), immediate e-mails, the daily
digest, and unsubscribing without signing in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from members.models import Person
from network.models import Notification
from network.notifications import notify, unsubscribe_url
from tests import factories

pytestmark = pytest.mark.django_db


def header_link(message) -> str:
    """The unsubscribe URL of a message, from its List-Unsubscribe header (``<url>``)."""
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1]


@pytest.fixture
def person():
    return factories.person(email_notifications=Person.EmailPreference.IMMEDIATE)


def test_immediate_email_carries_a_working_unsubscribe_link_and_header(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], kind="test", title="Oslo signed your statement", url="/statements/x/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link = header_link(message)
    assert "/notifications/unsubscribe/" in link
    assert link in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(recipient=person).emailed_at is not None
    path = path_of(link)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    person.refresh_from_db()
    assert person.email_notifications == "immediate"  # GET alone changes nothing
    client.post(path)
    person.refresh_from_db()
    assert person.email_notifications == "never"


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(person):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    path = path_of(unsubscribe_url(person.pk))
    response = csrf_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email_notifications == "never"


def test_tampered_unsubscribe_token_is_404(client, person):
    path = path_of(unsubscribe_url(person.pk))
    assert client.post(path[:-3] + "xx/").status_code == 404


def test_people_who_chose_never_or_daily_get_no_immediate_email(django_capture_on_commit_callbacks):
    never = factories.person(email_notifications="never")
    daily = factories.person(email_notifications="daily")
    with django_capture_on_commit_callbacks(execute=True):
        notify([never, daily], kind="test", title="Hello")
    assert mail.outbox == []


def test_daily_digest_sends_one_message_and_is_idempotent(client):
    daily = factories.person(email_notifications="daily")
    immediate = factories.person(email_notifications="immediate")
    notify([daily], kind="a", title="Malmö signed", url="/statements/s/")
    notify([daily], kind="b", title="You were mentioned", url="/forums/t/1/")
    notify([immediate], kind="a", title="Not in a digest")
    old = notify([daily], kind="c", title="Old news")[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    mail.outbox.clear()
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [daily.email]
    assert "Malmö signed" in message.body and "You were mentioned" in message.body
    assert "Old news" not in message.body
    link = header_link(message)
    assert link in message.body
    assert Notification.objects.filter(recipient=daily, emailed_at__isnull=True).count() == 1  # the old one
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    client.post(path_of(link))
    daily.refresh_from_db()
    assert daily.email_notifications == "never"


def test_list_filters_unread_marks_one_read_and_paginates(client, person):
    notes = notify([person], kind="x", title="First") + notify([person], kind="x", title="Second")
    for i in range(35):
        notify([person], kind="x", title=f"Bulk {i}")
    client.force_login(person)
    page1 = client.get("/notifications/").content.decode()
    assert "Page 1 of 2" in page1
    client.post(f"/notifications/{notes[0].pk}/read/", {"next": "/notifications/?unread=1"})
    assert Notification.objects.get(pk=notes[0].pk).read_at is not None
    assert Notification.objects.get(pk=notes[1].pk).read_at is None
    unread = client.get("/notifications/?unread=1&page=2").content.decode()
    assert "Second" in unread and "First" not in unread
    assert "unread=1&amp;page=1" in unread


def test_opening_a_notification_marks_it_read_and_follows_local_links_only(client, person):
    local = notify([person], kind="x", title="Local", url="/events/")[0]
    evil = notify([person], kind="x", title="Evil", url="https://evil.example/")[0]
    client.force_login(person)
    assert client.post(f"/notifications/{local.pk}/open/")["Location"] == "/events/"
    assert client.post(f"/notifications/{evil.pk}/open/")["Location"] == "/notifications/"
    assert Notification.objects.unread().filter(recipient=person).count() == 0


def test_notifications_from_other_organisation_are_invisible(client, person):
    org = factories.organisation()
    stranger = factories.member(org)
    theirs = notify([stranger], kind="x", title="Their private news")[0]
    client.force_login(person)
    assert "Their private news" not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404


def test_settings_page_changes_the_email_preference(client, person):
    client.force_login(person)
    assert client.get("/notifications/settings/").status_code == 200
    client.post("/notifications/settings/", {"email_notifications": "daily"})
    person.refresh_from_db()
    assert person.email_notifications == "daily"
    bad = client.post("/notifications/settings/", {"email_notifications": "hourly"})
    assert bad.status_code == 200
    person.refresh_from_db()
    assert person.email_notifications == "daily"


def test_notification_list_query_count_is_bounded(client, person, django_assert_max_num_queries):
    client.force_login(person)
    notify([person], kind="x", title="One", actor=factories.person())
    with django_assert_max_num_queries(10) as few:
        client.get("/notifications/")
    for i in range(25):
        notify([person], kind="x", title=f"N{i}", actor=factories.person())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")

"""Notification preferences per category: in-app, immediate e-mail, daily digest or off; the
settings page, ``/api/v1/me/notification-preferences/``, and digests that read them when sent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from network import notification_kinds
from network.models import Notification, NotificationPreference
from network.notifications import notify, send_digests, set_preferences, unsubscribe_url
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notification-preferences/"


def test_each_channel_delivers_as_chosen(django_capture_on_commit_callbacks):
    person = factories.person(email_notifications="never")
    set_preferences(
        person,
        {"mentions": "off", "replies": "in_app", "signatures": "immediate", "events": "digest"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], kind="forum.mention", title="Mentioned")
        notify([person], kind="forum.reply", title="Replied")
        notify([person], kind="statement.signed", title="Malmö signed")
        notify([person], kind="event.cancelled", title="Cancelled")
    titles = set(Notification.objects.filter(recipient=person).values_list("title", flat=True))
    assert titles == {"Replied", "Malmö signed", "Cancelled"}  # off stores nothing
    assert [m.subject for m in mail.outbox] == ["[Buyers Network] Malmö signed"]
    mail.outbox.clear()
    assert send_digests() == 1
    assert "Cancelled" in mail.outbox[0].body
    assert "Replied" not in mail.outbox[0].body and "Malmö signed" not in mail.outbox[0].body


def test_unset_categories_follow_the_overall_email_setting(django_capture_on_commit_callbacks):
    daily = factories.person(email_notifications="daily")
    immediate = factories.person(email_notifications="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        notify([daily, immediate], kind="forum.reply", title="A reply")
    assert [m.to for m in mail.outbox] == [[immediate.email]]
    mail.outbox.clear()
    assert send_digests() == 1 and mail.outbox[0].to == [daily.email]


def test_digest_reads_preferences_when_it_is_sent():
    person = factories.person(email_notifications="daily")
    notify([person], kind="forum.mention", title="Mentioned this morning")
    notify([person], kind="working_group.join_requested", title="Oslo asks to join")
    set_preferences(person, {"mentions": "in_app"})  # changed in the afternoon
    assert send_digests() == 1
    body = mail.outbox[0].body
    assert "Oslo asks to join" in body and "Mentioned this morning" not in body
    assert Notification.objects.get(title="Mentioned this morning").emailed_at is None


def test_unregistered_kinds_fall_into_everything_else_and_are_delivered():
    person = factories.person(email_notifications="never")
    set_preferences(person, {"other": "digest", "mentions": "in_app"})
    notify([person], kind="something.new", title="A brand-new kind")
    notify([person], kind="forum.mention", title="Mention")
    assert send_digests() == 1
    assert "A brand-new kind" in mail.outbox[0].body and "Mention" not in mail.outbox[0].body


def test_unsubscribing_turns_every_email_channel_to_in_app(client):
    person = factories.person(email_notifications="immediate")
    set_preferences(person, {"mentions": "digest", "replies": "immediate", "reports": "off"})
    path = "/" + unsubscribe_url(person.pk).split("://", 1)[1].split("/", 1)[1]
    client.post(path)
    prefs = dict(NotificationPreference.objects.filter(person=person).values_list("category", "channel"))
    assert prefs == {"mentions": "in_app", "replies": "in_app", "reports": "off"}


def test_api_reads_and_patches_preferences(api_client):
    person = factories.person(email_notifications="daily")
    api_client.force_authenticate(person)
    got = api_client.get(URL).json()
    assert [c.key for c in notification_kinds.categories()] == list(got)
    assert set(got.values()) == {"digest"}
    response = api_client.patch(URL, {"mentions": "immediate", "reports": "off"}, format="json")
    assert response.status_code == 200
    assert response.json()["mentions"] == "immediate" and response.json()["reports"] == "off"
    assert response.json()["replies"] == "digest"
    assert api_client.get(URL).json() == response.json()


@pytest.mark.parametrize(
    "payload",
    [
        {"mentions": "immediate", "nonsense": "off"},
        {"mentions": "immediate", "replies": "sometimes"},
        {"mentions": ["off"]},
        ["mentions"],
    ],
)
def test_api_bad_input_is_a_clear_400_and_changes_nothing(api_client, payload):
    person = factories.person()
    api_client.force_authenticate(person)
    response = api_client.patch(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and "errors" in body
    assert not NotificationPreference.objects.filter(person=person).exists()


def test_an_empty_patch_changes_nothing_and_answers_the_preferences(api_client):
    """PATCH is partial: no category sent is a change of nothing (the schema allows ``{}``)."""
    person = factories.person()
    api_client.force_authenticate(person)
    response = api_client.patch(URL, {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == api_client.get(URL).json()
    assert not NotificationPreference.objects.filter(person=person).exists()


def test_the_schema_refuses_unknown_categories_as_the_view_does(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/me/notification-preferences/"]["patch"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["additionalProperties"] is False


def test_api_needs_a_signed_in_person(api_client):
    assert api_client.get(URL).status_code in (401, 403)
    assert api_client.patch(URL, {"mentions": "off"}, format="json").status_code in (401, 403)


def test_preferences_from_other_organisation_are_neither_read_nor_changed(api_client):
    helsinki, oslo = factories.organisation(), factories.organisation()
    mine = factories.member(helsinki)
    theirs = factories.member(oslo)
    set_preferences(theirs, {"mentions": "off"})
    api_client.force_authenticate(mine)
    assert api_client.patch(URL, {"mentions": "digest"}, format="json").status_code == 200
    assert NotificationPreference.objects.get(person=theirs, category="mentions").channel == "off"
    assert api_client.get(URL).json()["mentions"] == "digest"


def test_settings_page_shows_and_saves_each_category(client):
    person = factories.person(email_notifications="immediate")
    client.force_login(person)
    page = client.get("/notifications/settings/")
    html = page.content.decode()
    for category in notification_kinds.categories():
        assert f'name="channel_{category.key}"' in html
    data = {"email_notifications": "daily"}
    data.update({f"channel_{c.key}": "in_app" for c in notification_kinds.categories()})
    data["channel_reports"] = "off"
    response = client.post("/notifications/settings/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email_notifications == "daily"
    assert NotificationPreference.objects.get(person=person, category="reports").channel == "off"


def test_settings_page_rejects_an_unknown_channel_and_saves_nothing(client):
    person = factories.person(email_notifications="immediate")
    client.force_login(person)
    data = {"email_notifications": "never", "channel_mentions": "carrier-pigeon"}
    response = client.post("/notifications/settings/", data)
    assert response.status_code == 200 and b'role="alert"' in response.content
    person.refresh_from_db()
    assert person.email_notifications == "immediate"
    assert not NotificationPreference.objects.filter(person=person).exists()


def _notify_kinds_in_source() -> list[str]:
    kinds = []
    for app in ("members", "knowledge", "forums", "network"):
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", "")) == "notify"
                ):
                    for kw in node.keywords:
                        if kw.arg == "kind" and isinstance(kw.value, ast.Constant):
                            kinds.append(kw.value.value)
    return kinds


def test_every_notification_kind_in_the_code_is_registered_in_a_category():
    kinds = _notify_kinds_in_source()
    assert "forum.mention" in kinds  # the scan finds notify() calls
    assert notification_kinds.unregistered_kinds(kinds) == [], (
        "register_kind() them in network/notification_kinds.py"
    )

"""Export (page and API, one job per person, background for large accounts) and deletion through
the pages and the headless API after re-authentication; nobody reaches another person's data."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from django.test import override_settings

from members.models import DataExport, Person
from tests import factories
from tests.privacy import world as privacy_world

pytestmark = pytest.mark.django_db


def unzip(content: bytes) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_holds_everything_about_the_person_and_no_secrets(client):
    w = privacy_world.build()
    client.force_login(w.anna)
    response = client.post("/account/data/")
    assert response.status_code == 302
    job = DataExport.objects.get(person=w.anna, status="ready")
    page = client.get("/account/data/").content.decode()
    assert f"/account/data/exports/{job.pk}/download/" in page
    download = client.get(f"/account/data/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    files = unzip(b"".join(download.streaming_content))
    assert "README.txt" in files
    profile = json.loads(files["profile.json"])[0]
    assert profile["email"] == "anna@hel.fi" and "password" not in profile
    for name in (
        "account.EmailAddress.user.json",
        "members.Membership.person.json",
        "forums.Post.author.json",
        "forums.Reaction.person.json",
        "forums.PostReport.reporter.json",
        "events.Registration.person.json",
        "network.Notification.recipient.json",
        "usersessions.UserSession.user.json",
        "mfa.Authenticator.user.json",
        "statements.Signature.signed_by.json",
    ):
        assert name in files, name
    assert "anna.private@example.org" in files["account.EmailAddress.user.json"]
    assert "My own words" in files["forums.Post.author.json"]
    everything = "".join(files.values())
    assert "JBSWY3DPEHPK3PXP" not in everything  # the TOTP secret
    assert "k" * 32 not in everything  # the session key
    assert "members.Invitation.email (addressed to you).json" in files


def test_an_export_requested_twice_is_one_job(api_client):
    person = factories.person()
    api_client.force_authenticate(person)
    with override_settings(DATA_EXPORT_INLINE_ROWS=0):  # forces the background path
        first = api_client.post("/api/v1/me/data-export/")
        second = api_client.post("/api/v1/me/data-export/")
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert DataExport.objects.filter(person=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_large_account_is_prepared_in_the_background(api_client):
    person = factories.person()
    api_client.force_authenticate(person)
    with override_settings(DATA_EXPORT_INLINE_ROWS=0):
        job = api_client.post("/api/v1/me/data-export/").json()
    assert job["status"] in ("pending", "running", "ready")
    for _attempt in range(100):
        listed = api_client.get("/api/v1/me/data-export/").json()[0]
        if listed["status"] == "ready":
            break
        time.sleep(0.1)
    assert listed["status"] == "ready" and listed["download_url"]
    download = api_client.get(listed["download_url"])
    assert download.status_code == 200
    assert person.email in unzip(b"".join(download.streaming_content))["profile.json"]


def test_the_management_command_finishes_waiting_exports():
    from django.core.management import call_command

    person = factories.person()
    job = DataExport.objects.create(person=person)
    call_command("process_data_exports", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == "ready" and job.file


def test_exports_from_other_organisation_cannot_be_listed_or_downloaded(client, api_client):
    helsinki, oslo = factories.organisation(), factories.organisation()
    anna = factories.member(helsinki)
    boss = factories.member(helsinki, "owner")
    stranger = factories.member(oslo)
    client.force_login(anna)
    client.post("/account/data/")
    job = DataExport.objects.get(person=anna)
    for other in (boss, stranger, factories.person(is_staff=True, is_superuser=True)):
        client.force_login(other)
        assert client.get(f"/account/data/exports/{job.pk}/download/").status_code == 404
        api_client.force_authenticate(other)
        assert api_client.get(f"/api/v1/me/data-export/{job.pk}/download/").status_code == 404
        assert api_client.get("/api/v1/me/data-export/").json() == []
    client.logout()
    assert client.get(f"/account/data/exports/{job.pk}/download/").status_code == 302  # to log-in


def _headless_login(client, email: str) -> str:
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def test_deleting_through_the_api_needs_reauthentication(client):
    org = factories.organisation()
    factories.member(org, "owner")
    anna = factories.member(org, email="anna@example.org")
    token = _headless_login(client, "anna@example.org")
    headers = {"HTTP_X_SESSION_TOKEN": token}
    refused = client.delete("/api/v1/me/", **headers)
    assert refused.status_code == 401 and refused.json()["code"] == "reauthentication_required"
    assert Person.objects.get(pk=anna.pk).is_active
    reauth = client.post(
        "/_allauth/app/v1/auth/reauthenticate",
        {"password": factories.PASSWORD},
        content_type="application/json",
        **headers,
    )
    assert reauth.status_code == 200, reauth.content
    done = client.delete("/api/v1/me/", {"remove_posts": True}, content_type="application/json", **headers)
    assert done.status_code == 204
    assert Person.objects.get(pk=anna.pk).erased_at is not None
    assert client.get("/api/v1/me/", **headers).status_code in (401, 403)  # the session is gone


def test_the_last_owner_is_told_to_hand_over_first_through_the_api(client):
    org = factories.organisation("Tampere")
    factories.member(org, "owner", email="owner@example.org")
    headers = {"HTTP_X_SESSION_TOKEN": _headless_login(client, "owner@example.org")}
    client.post(
        "/_allauth/app/v1/auth/reauthenticate",
        {"password": factories.PASSWORD},
        content_type="application/json",
        **headers,
    )
    response = client.delete("/api/v1/me/", **headers)
    assert response.status_code == 400 and "last owner of Tampere" in response.json()["detail"]


def test_deleting_through_the_page_asks_for_the_password_first(client):
    org = factories.organisation()
    factories.member(org, "owner")
    anna = factories.member(org, email="anna@example.org")
    client.post("/accounts/login/", {"login": "anna@example.org", "password": factories.PASSWORD})
    first = client.get("/account/delete/")
    assert first.status_code == 302 and "/accounts/reauthenticate/" in first["Location"]
    back = client.post(first["Location"], {"password": factories.PASSWORD})
    assert back.status_code == 302
    page = client.get("/account/delete/")
    assert page.status_code == 200 and b"former member" in page.content
    missing_confirm = client.post("/account/delete/", {})
    assert missing_confirm.status_code == 200 and b"Tick the box" in missing_confirm.content
    done = client.post("/account/delete/", {"confirm": "on"})
    assert done.status_code == 302
    assert Person.objects.get(pk=anna.pk).erased_at is not None
    assert client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_the_privacy_page_is_in_three_languages(client, lang):
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    html = response.content.decode()
    expected = {"en": "Your rights", "fi": "Oikeutesi", "sv": "Dina rättigheter"}[lang]
    assert expected in html

"""Configuring an organisation's identity provider: owners and admins only, verified domains only,
the client secret encrypted and never shown again; the headless log-in's lookup and redirect."""

from __future__ import annotations

import pytest
from django.db import connection

from members.sso.models import IdentityProvider
from tests import factories
from tests.sso.conftest import local_path

pytestmark = pytest.mark.django_db

SECRET = "very-secret-client-secret-value"


def payload(**over):
    data = {
        "issuer": "https://login.hel.fi/realms/staff",
        "client_id": "buyers-network",
        "client_secret": SECRET,
        "domains": ["hel.fi"],
        "password_login_allowed": False,
    }
    data.update(over)
    return data


@pytest.fixture
def helsinki():
    return factories.organisation("City of Helsinki", verified_domains=["hel.fi"])


def test_an_admin_configures_and_the_secret_is_write_only_and_encrypted(api_client, helsinki):
    admin = factories.member(helsinki, role="admin")
    api_client.force_authenticate(admin)
    response = api_client.put(f"/api/v1/organisations/{helsinki.slug}/sso/", payload(), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["has_client_secret"] is True and "client_secret" not in body
    assert body["redirect_uri"].endswith(f"/accounts/oidc/org-{helsinki.pk}/login/callback/")
    assert SECRET not in api_client.get(f"/api/v1/organisations/{helsinki.slug}/sso/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret_encrypted FROM members_identityprovider")
        stored = cursor.fetchone()[0]
    assert SECRET not in stored
    # Leaving the secret out keeps the stored one.
    again = api_client.put(
        f"/api/v1/organisations/{helsinki.slug}/sso/",
        payload(client_secret="", client_id="new-id"),
        format="json",
    )
    assert again.status_code == 200
    assert IdentityProvider.objects.get().client_secret_encrypted == stored


def test_the_settings_page_never_shows_the_secret(client, helsinki):
    owner = factories.member(helsinki, role="owner")
    client.force_login(owner)
    data = payload(domains="hel.fi", enabled="on")
    response = client.post(f"/organisations/{helsinki.slug}/sso/", data)
    assert response.status_code == 302
    page = client.get(f"/organisations/{helsinki.slug}/sso/").content.decode()
    assert "login.hel.fi" in page and SECRET not in page
    assert "never shown again" in page


@pytest.mark.parametrize("role", ["member", "editor", "signatory"])
def test_a_member_who_is_not_owner_or_admin_gets_403(api_client, client, helsinki, role):
    person = factories.member(helsinki, role=role)
    api_client.force_authenticate(person)
    response = api_client.put(f"/api/v1/organisations/{helsinki.slug}/sso/", payload(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    client.force_login(person)
    assert client.get(f"/organisations/{helsinki.slug}/sso/").status_code == 403
    assert client.post(f"/organisations/{helsinki.slug}/sso/", payload(domains="hel.fi")).status_code == 403
    assert not IdentityProvider.objects.exists()


def test_sso_configuration_from_other_organisation_is_refused(api_client, helsinki):
    oslo = factories.organisation("Oslo kommune", verified_domains=["oslo.kommune.no"])
    oslo_owner = factories.member(oslo, role="owner")
    hidden = factories.organisation("Unverified town", verified=False)
    api_client.force_authenticate(oslo_owner)
    assert (
        api_client.put(f"/api/v1/organisations/{helsinki.slug}/sso/", payload(), format="json").status_code
        == 403
    )
    assert api_client.get(f"/api/v1/organisations/{hidden.slug}/sso/").status_code == 404
    assert not IdentityProvider.objects.exists()


def test_only_domains_verified_for_the_organisation_can_be_covered(api_client, helsinki):
    admin = factories.member(helsinki, role="admin")
    api_client.force_authenticate(admin)
    response = api_client.put(
        f"/api/v1/organisations/{helsinki.slug}/sso/", payload(domains=["hel.fi", "gmail.com"]), format="json"
    )
    assert response.status_code == 409  # the domains staff verified are state, not the input's shape
    assert "gmail.com" in response.json()["errors"]["domains"][0]
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer", "ftp://login.hel.fi"),
        ("issuer", "http://login.hel.fi/realms/staff"),
        ("client_id", ""),
        ("domains", []),
    ],
)
def test_bad_configuration_is_a_clear_400(api_client, helsinki, field, value):
    api_client.force_authenticate(factories.member(helsinki, role="owner"))
    response = api_client.put(
        f"/api/v1/organisations/{helsinki.slug}/sso/", payload(**{field: value}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not IdentityProvider.objects.exists()


def test_a_domain_belongs_to_one_provider(api_client, helsinki):
    other = factories.organisation("Helsinki region", verified_domains=["hel.fi"])
    api_client.force_authenticate(factories.member(helsinki, role="owner"))
    assert (
        api_client.put(f"/api/v1/organisations/{helsinki.slug}/sso/", payload(), format="json").status_code
        == 200
    )
    api_client.force_authenticate(factories.member(other, role="owner"))
    response = api_client.put(f"/api/v1/organisations/{other.slug}/sso/", payload(), format="json")
    assert response.status_code == 409 and "already signs in elsewhere" in response.json()["detail"]


def test_lookup_routes_an_address_to_its_provider(api_client, helsinki):
    api_client.force_authenticate(factories.member(helsinki, role="owner"))
    api_client.put(f"/api/v1/organisations/{helsinki.slug}/sso/", payload(), format="json")
    api_client.force_authenticate(None)
    found = api_client.post("/api/v1/auth/sso-lookup/", {"email": "anyone@hel.fi"}, format="json").json()
    assert found["sso"] is True and found["provider_id"] == f"org-{helsinki.pk}"
    assert found["password_login_allowed"] is False
    none = api_client.post("/api/v1/auth/sso-lookup/", {"email": "anyone@example.org"}, format="json").json()
    assert none["sso"] is False and none["password_login_allowed"] is True
    bad = api_client.post("/api/v1/auth/sso-lookup/", {"email": "not-an-address"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()["errors"]


def test_headless_password_log_in_is_refused_for_an_sso_only_domain(client, helsinki):
    owner = factories.member(helsinki, role="owner", email="owner@hel.fi")
    from members.sso import services

    services.identity_provider_configure(actor=owner, organisation=helsinki, **payload())
    response = client.post(
        "/_allauth/browser/v1/auth/login",
        {"email": "owner@hel.fi", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "own sign-in service" in response.content.decode()


def test_headless_sso_log_in_against_the_real_provider(client, provider, helsinki_sso):
    """allauth headless (browser client): look up, redirect to the provider, come back signed in."""
    import requests

    factories.member(helsinki_sso.org, email="anna@hel.fi")
    provider.user("anna@hel.fi")
    found = client.post(
        "/api/v1/auth/sso-lookup/", {"email": "anna@hel.fi"}, content_type="application/json"
    ).json()
    client.get("/_allauth/browser/v1/config")  # sets the CSRF cookie
    started = client.post(
        found["redirect_url"],
        {"provider": found["provider_id"], "process": "login", "callback_url": "/after-sso/"},
    )
    assert started.status_code == 302 and started["Location"].startswith(provider.base)
    authorised = provider.sign_in(requests.Session(), "anna@hel.fi", started["Location"])
    back = client.get(local_path(authorised.headers["Location"]))
    assert back.status_code == 302 and back["Location"].startswith("/after-sso/")
    session = client.get("/_allauth/browser/v1/auth/session")
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "anna@hel.fi"

"""Owners and admins must set up MFA when MFA_REQUIRED_FOR_ADMINS is on (and only then)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from rest_framework.test import APIClient

from members.models import Role
from tests.members.factories import PASSWORD, member, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True


def _totp(person):
    return Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})


def _sign_in(client, person) -> None:
    """A real sign-in (allauth records it, so MFA set-up needs no re-authentication)."""
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


def test_admin_without_mfa_is_sent_to_set_it_up(required, client):
    admin = member(organisation(slug="oulu"), Role.ADMIN)
    _sign_in(client, admin)
    response = client.get("/organisations/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before MFA set-up; both pages stay reachable
    page = client.get(response["Location"], follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    assert "two-factor authentication first" in page.content.decode()
    confirmed = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert confirmed.status_code == 200
    assert confirmed.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    assert 'name="code"' in confirmed.content.decode()


def test_exempt_paths_stay_reachable(required, client):
    owner = member(organisation(), Role.OWNER)
    client.force_login(owner)
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/static/network/site.css").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_api_writes_are_refused_with_a_clear_message_and_reads_allowed(required):
    org = organisation(slug="oulu")
    owner = member(org, Role.OWNER)
    api = APIClient()
    api.force_login(owner)
    assert api.get("/api/v1/organisations/oulu/").status_code == 200
    response = api.patch("/api/v1/organisations/oulu/", {"description": "changed"})
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required" and "two-factor" in response.json()["detail"]
    org.refresh_from_db()
    assert org.description == ""


def test_api_writes_with_a_session_token_are_refused_too(required):
    org = organisation(slug="oulu")
    member(org, Role.OWNER, email="owner@oulu.example")
    client = APIClient()
    login = client.post(
        "/_allauth/app/v1/auth/login", {"email": "owner@oulu.example", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]
    api = APIClient()
    api.credentials(HTTP_X_SESSION_TOKEN=token)
    response = api.post("/api/v1/organisations/oulu/invitations/", {"email": "a@oulu.example"})
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


def test_with_an_authenticator_everything_works(required, client):
    org = organisation(slug="oulu")
    owner = member(org, Role.OWNER)
    _totp(owner)
    client.force_login(owner)
    assert client.get("/organisations/").status_code == 200
    api = APIClient()
    api.force_login(owner)
    assert api.patch("/api/v1/organisations/oulu/", {"description": "changed"}).status_code == 200


def test_recovery_codes_alone_do_not_count(required, client):
    owner = member(organisation(), Role.OWNER)
    Authenticator.objects.create(user=owner, type=Authenticator.Type.RECOVERY_CODES, data={})
    client.force_login(owner)
    assert client.get("/organisations/").status_code == 302


@pytest.mark.parametrize("role", [Role.SIGNATORY, Role.EDITOR, Role.MEMBER])
def test_other_roles_are_not_asked(required, client, role):
    org = organisation(slug="oulu")
    someone = member(org, role)
    client.force_login(someone)
    assert client.get("/organisations/").status_code == 200
    api = APIClient()
    api.force_login(someone)
    assert api.post("/api/v1/organisations/", {"name": "Elsewhere", "country": "FI"}).status_code == 201


def test_off_by_setting_nobody_is_redirected(settings, client):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    org = organisation(slug="oulu")
    owner = member(org, Role.OWNER)
    client.force_login(owner)
    assert client.get("/organisations/").status_code == 200
    api = APIClient()
    api.force_login(owner)
    assert api.patch("/api/v1/organisations/oulu/", {"description": "changed"}).status_code == 200

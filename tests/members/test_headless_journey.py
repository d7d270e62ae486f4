"""Done-when journey through allauth's headless app API and /api/v1/ with X-Session-Token.

Sign up → verify from the e-mail → log in → create an organisation → invite a signatory who signs
up, verifies and accepts → a third person on a verified domain joins by verifying their address.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.core import mail
from rest_framework.test import APIClient

from members.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db
HEADLESS = "/_allauth/app/v1"
PASSWORD = "a-long-enough-passphrase-2026"


def _key_from_mail(message) -> str:
    match = re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body)
    assert match, message.body
    return unquote(match.group(1))


def signup_and_verify(client: APIClient, email: str) -> str:
    """Sign up through the headless API, verify from the e-mail and return the session token."""
    sent_before = len(mail.outbox)
    response = client.post(f"{HEADLESS}/auth/signup", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 401, response.content  # authenticated only after verifying
    body = response.json()
    token = body["meta"]["session_token"]
    assert any(f["id"] == "verify_email" and f.get("is_pending") for f in body["data"]["flows"])
    assert len(mail.outbox) == sent_before + 1
    message = mail.outbox[-1]
    assert message.to == [email]
    key = _key_from_mail(message)

    response = client.post(
        f"{HEADLESS}/auth/email/verify", {"key": key}, format="json", HTTP_X_SESSION_TOKEN=token
    )
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["is_authenticated"] is True
    return response.json()["meta"].get("session_token", token)


def login(client: APIClient, email: str) -> str:
    response = client.post(f"{HEADLESS}/auth/login", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def test_sign_up_create_organisation_invite_signatory_and_domain_join():
    founder_client, invitee_client, colleague_client = APIClient(), APIClient(), APIClient()

    # 1. the founder signs up and verifies, then logs in afresh to get an X-Session-Token
    signup_and_verify(founder_client, "aino@espoo.example")
    token = login(founder_client, "aino@espoo.example")
    api = APIClient()
    api.credentials(HTTP_X_SESSION_TOKEN=token)
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["email"] == "aino@espoo.example"

    # 2. … creates an organisation and becomes its owner; it starts unverified
    response = api.post(
        "/api/v1/organisations/",
        {
            "name": "City of Espoo",
            "slug": "city-of-espoo",
            "country": "fi",
            "kind": "municipality",
            "people_served": 15000,
            "annual_volumes": {"laptops": 6000, "phones": 3000},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    org = response.json()
    assert org["slug"] == "city-of-espoo" and org["country"] == "FI" and org["verified"] is False
    assert org["my_role"] == "owner"
    assert api.get("/api/v1/me/").json()["memberships"] == [
        {
            "organisation": {
                "slug": "city-of-espoo",
                "name": "City of Espoo",
                "country": "FI",
                "kind": "municipality",
                "verified": False,
            },
            "role": "owner",
        }
    ]

    # 3. … invites a second person as signatory; the e-mail carries the accept link with the key
    with_outbox = len(mail.outbox)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(
            "/api/v1/organisations/city-of-espoo/invitations/",
            {"email": "Sanna@Espoo.example", "role": "signatory"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and response.json()["email"] == "sanna@espoo.example"
    invitation_mail = mail.outbox[with_outbox]
    assert invitation_mail.to == ["sanna@espoo.example"]
    key = re.search(r"/invitations/([A-Za-z0-9_-]+)/", invitation_mail.body).group(1)

    # 4. the invitee signs up, verifies and accepts with their own token
    invitee_token = signup_and_verify(invitee_client, "sanna@espoo.example")
    invitee_api = APIClient()
    invitee_api.credentials(HTTP_X_SESSION_TOKEN=invitee_token)
    response = invitee_api.post(f"/api/v1/invitations/{key}/accept/")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "signatory"
    assert Membership.objects.get(person__email="sanna@espoo.example").role == Role.SIGNATORY
    members = api.get("/api/v1/organisations/city-of-espoo/members/").json()["results"]
    assert [(m["person"]["email"], m["role"]) for m in members] == [
        ("aino@espoo.example", "owner"),
        ("sanna@espoo.example", "signatory"),
    ]

    # 5. staff verify the organisation and its domain; a colleague joins by verifying their address
    Organisation.objects.filter(slug="city-of-espoo").update(
        verified=True, verified_domains=["espoo.example"]
    )
    signup_and_verify(colleague_client, "jussi@espoo.example")
    membership = Membership.objects.get(person__email="jussi@espoo.example")
    assert membership.organisation.slug == "city-of-espoo" and membership.role == Role.MEMBER


def test_staff_verification_through_the_api_then_domain_join():
    from tests.members.factories import person

    staff = person("staff@network.example", is_staff=True)
    signup_and_verify(APIClient(), "owner@tampere.example")
    api = APIClient()
    api.credentials(HTTP_X_SESSION_TOKEN=login(APIClient(), "owner@tampere.example"))
    assert (
        api.post(
            "/api/v1/organisations/",
            {"name": "City of Tampere", "slug": "city-of-tampere", "country": "FI"},
            format="json",
        ).status_code
        == 201
    )

    staff_api = APIClient()
    staff_api.force_authenticate(staff)
    response = staff_api.post(
        "/api/v1/organisations/city-of-tampere/verify/",
        {"verified_domains": ["@Tampere.example"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["verified"] is True and response.json()["verified_domains"] == ["tampere.example"]

    signup_and_verify(APIClient(), "liisa@tampere.example")
    assert Membership.objects.filter(
        person__email="liisa@tampere.example", organisation__slug="city-of-tampere"
    ).exists()


def test_address_on_an_unverified_organisations_domain_joins_nothing():
    from tests.members.factories import organisation

    organisation("City of Turku", verified=False, verified_domains=["turku.example"])
    signup_and_verify(APIClient(), "someone@turku.example")
    assert not Membership.objects.filter(person__email="someone@turku.example").exists()

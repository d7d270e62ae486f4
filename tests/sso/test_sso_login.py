"""Single sign-on through a real OpenID Connect provider (django-oauth-toolkit, started on loopback)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings

from members.models import Membership, Person
from tests import factories
from tests.sso.conftest import sso_round_trip

pytestmark = pytest.mark.django_db


def signed_in_as(client) -> str | None:
    response = client.get("/api/v1/me/")
    return response.json()["email"] if response.status_code == 200 else None


def test_first_sso_log_in_links_an_existing_account_through_its_verified_address(
    client, provider, helsinki_sso
):
    anna = factories.member(helsinki_sso.org, role="editor", email="anna@hel.fi")
    provider.user("anna@hel.fi", "Anna Virtanen")
    response = sso_round_trip(client, provider, "anna@hel.fi")
    assert response.status_code == 302, response.content[:800]
    assert signed_in_as(client) == "anna@hel.fi"
    assert anna.socialaccount_set.get().provider == helsinki_sso.idp.provider_id
    # The provider claims roles ["owner", "admin"]: they grant nothing.
    assert Membership.objects.get(person=anna).role == "editor"


def test_a_new_person_gets_an_account_and_only_the_member_role(client, provider, helsinki_sso):
    provider.user("new.person@hel.fi", "New Person")
    response = sso_round_trip(client, provider, "new.person@hel.fi")
    assert response.status_code == 302
    person = Person.objects.get(email="new.person@hel.fi")
    assert signed_in_as(client) == "new.person@hel.fi"
    assert EmailAddress.objects.get(user=person).verified
    assert list(Membership.objects.filter(person=person).values_list("organisation_id", "role")) == [
        (helsinki_sso.org.pk, "member")
    ]
    assert not person.is_staff and not person.has_usable_password()


def test_an_existing_account_with_an_unconfirmed_address_is_not_linked(client, provider, helsinki_sso):
    factories.person("pending@hel.fi", verified_email=False)
    provider.user("pending@hel.fi")
    response = sso_round_trip(client, provider, "pending@hel.fi")
    assert response.status_code == 403
    assert "not confirmed" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_provider_answering_for_another_issuer_is_refused(client, provider, helsinki_sso):
    provider.user("anna@hel.fi")
    provider.control("mode", issuer="https://impostor.example/o")
    started = client.post("/accounts/sso/", {"email": "anna@hel.fi"})
    assert started.status_code == 401
    assert "another issuer" in started.content.decode()
    assert signed_in_as(client) is None


def test_a_tampered_id_token_is_refused(client, provider, helsinki_sso):
    factories.member(helsinki_sso.org, email="anna@hel.fi")
    victim = factories.member(helsinki_sso.org, role="owner", email="someone.else@hel.fi")
    provider.user("anna@hel.fi")
    response = sso_round_trip(
        client, provider, "anna@hel.fi", before_callback=lambda: provider.control("mode", tamper=True)
    )
    assert response.status_code == 401
    assert "could not verify" in response.content.decode()
    assert signed_in_as(client) is None
    assert not victim.socialaccount_set.exists()


def test_an_expired_code_is_refused(client, provider, helsinki_sso):
    factories.member(helsinki_sso.org, email="anna@hel.fi")
    provider.user("anna@hel.fi")
    response = sso_round_trip(
        client, provider, "anna@hel.fi", before_callback=lambda: provider.control("expire-codes")
    )
    assert response.status_code == 401
    assert signed_in_as(client) is None


def test_an_address_on_a_domain_the_organisation_has_not_verified_is_refused(client, provider, helsinki_sso):
    # The provider vouches for an address on a domain Helsinki never verified (and did not configure).
    provider.user("intruder@evil.example")
    response = sso_round_trip(client, provider, "intruder@evil.example", start_email="anyone@hel.fi")
    assert response.status_code == 403
    assert "has not verified" in response.content.decode()
    assert not Person.objects.filter(email="intruder@evil.example").exists()
    assert signed_in_as(client) is None


def test_a_domain_staff_later_unverified_stops_signing_in(client, provider, helsinki_sso):
    provider.user("anna@hel.fi")
    helsinki_sso.org.verified_domains = ["edu.hel.fi"]
    helsinki_sso.org.save()
    response = client.post("/accounts/sso/", {"email": "anna@hel.fi"})
    assert response.status_code == 400
    assert "no single sign-on" in response.content.decode()


def test_a_provider_that_is_down_gets_a_clear_message_and_the_password_route_when_allowed(
    client, helsinki_sso
):
    helsinki_sso.idp.issuer = "http://127.0.0.1:9/o"  # discard port: nothing listens
    helsinki_sso.idp.password_login_allowed = True
    helsinki_sso.idp.save()
    response = client.post("/accounts/sso/", {"email": "anna@hel.fi"})
    assert response.status_code == 401
    html = response.content.decode()
    assert "did not answer in time" in html
    assert 'href="/accounts/login/"' in html


@override_settings(SOCIALACCOUNT_REQUESTS_TIMEOUT=1)
def test_a_slow_provider_times_out_with_a_clear_message(client, provider, helsinki_sso):
    provider.control("mode", delay=2.5)
    response = client.post("/accounts/sso/", {"email": "anna@hel.fi"})
    assert response.status_code == 401
    assert "did not answer in time" in response.content.decode()
    assert "Sign in with your password" not in response.content.decode()  # Helsinki refuses passwords


def test_password_log_in_is_refused_for_a_domain_that_signs_in_through_its_provider(client, helsinki_sso):
    factories.member(helsinki_sso.org, email="anna@hel.fi")
    response = client.post("/accounts/login/", {"login": "anna@hel.fi", "password": factories.PASSWORD})
    assert response.status_code == 200
    assert "signs you in through its own sign-in service" in response.content.decode()
    assert signed_in_as(client) is None


def test_password_log_in_stays_possible_where_the_organisation_allows_it(client, helsinki_sso):
    helsinki_sso.idp.password_login_allowed = True
    helsinki_sso.idp.save()
    factories.member(helsinki_sso.org, email="anna@hel.fi")
    response = client.post("/accounts/login/", {"login": "anna@hel.fi", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == "anna@hel.fi"


def test_the_log_in_page_offers_sign_in_with_your_organisation(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/accounts/sso/"' in html and 'id="sso-email"' in html

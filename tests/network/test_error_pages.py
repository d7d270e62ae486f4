"""Error pages explain themselves: 403, 404, 500 and CSRF failures render in the layout and the
visitor's language with what to do next; a member who may not sign sees who can and how to get
the role (before clicking, too); an anonymous visitor is sent to sign in and back; an ordinary 403
logs no traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import path

from members.models import Role
from network import errors
from network.urls import urlpatterns as site_urls
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def signed_in(person, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person)
    return client


def test_member_who_may_not_sign_sees_the_signatories_and_whom_to_ask():
    statement = sf.open_statement()
    org = factories.organisation("City of Helpers")
    factories.member(org, Role.SIGNATORY, name="Sigrid Signer", email="sigrid@helpers.example")
    factories.member(org, Role.ADMIN, name="Adam Admin", email="adam@helpers.example")
    editor = factories.member(org, Role.EDITOR)
    response = signed_in(editor).get(f"/statements/{statement.slug}/sign/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html  # the layout
    assert "signatory role" in html and "sigrid@helpers.example" in html and "adam@helpers.example" in html
    # and before clicking, on the statement itself
    html = signed_in(editor).get(f"/statements/{statement.slug}/").content.decode()
    assert 'id="sign-help"' in html and "Sigrid Signer" in html and "Adam Admin" in html


def test_role_help_never_names_people_of_other_organisations():
    statement = sf.open_statement()
    other = factories.organisation("Other City")
    factories.member(other, Role.SIGNATORY, email="secret@other.example")
    editor = factories.member(factories.organisation("My City"), Role.EDITOR)
    html = signed_in(editor).get(f"/statements/{statement.slug}/sign/").content.decode()
    assert "secret@other.example" not in html


def test_403_in_the_visitors_language():
    statement = sf.open_statement()
    editor = factories.member(factories.organisation("Kaupunki"), Role.EDITOR)
    response = signed_in(editor, "fi").get(f"/statements/{statement.slug}/sign/")
    assert response.status_code == 403 and 'lang="fi"' in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in_and_back_from_a_404():
    response = Client().get("/forums/no-such-forum/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html and "/accounts/login/?next=/forums/no-such-forum/" in html


def test_anonymous_403_offers_sign_in_with_next():
    response = Client().get("/staff/verification/")
    assert response.status_code in {302, 403}
    if response.status_code == 302:  # login_required sends them to sign in and back
        assert "next=/staff/verification/" in response["Location"]


def test_csrf_failure_page_in_the_layout():
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.member(factories.organisation()))
    response = client.post("/notifications/")
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        'class="site-header"' in html and "The form could not be sent" in html and "Nothing was saved" in html
    )


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *site_urls]
handler500 = errors.server_error


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_page_is_translated_and_says_what_next():
    client = Client(HTTP_ACCEPT_LANGUAGE="sv", raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert 'lang="sv"' in html and "/static/" in html


def test_ordinary_403_logs_no_traceback(caplog):
    statement = sf.open_statement()
    editor = factories.member(factories.organisation(), Role.EDITOR)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert signed_in(editor).get(f"/statements/{statement.slug}/sign/").status_code == 403
    forbidden = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.WARNING]
    assert forbidden and all(r.exc_info is None for r in forbidden)

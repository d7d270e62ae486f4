"""Security gates: headers, CSRF, cookies, rate limits, account enumeration, MFA, hostile search
input, upload validation and id guessing across tenants.

``check --deploy`` with production settings is in tests/network/test_settings_env.py; the
production-only behaviour (HSTS, HTTPS redirect, Secure cookies) is exercised here through a
subprocess that loads ``network.settings`` exactly as production does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from tests import factories
from tests.quality.liveserver import database_url_for_tests

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/api/v1/notifications/"])
def test_security_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    assert response.status_code < 500
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


# --- production settings in a subprocess --------------------------------------------------------

PROD_PROBE = r"""
import json, re, django
django.setup()
from django.test import Client, override_settings
from django.conf import settings
# No collectstatic in a test run: plain static storage, everything else as in production.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
from django.contrib.auth import get_user_model
person = get_user_model().objects.get(email=EMAIL)
person.set_password(PASSWORD)  # with production's hasher (tests use a fast one)
person.save()
out = {"mfa_required": settings.MFA_REQUIRED_FOR_ADMINS}
c = Client()
plain = c.get("/accounts/login/")
out["http_status"], out["http_location"] = plain.status_code, plain.headers.get("Location", "")
page = c.get("/accounts/login/", secure=True)
out["hsts"] = page.headers.get("Strict-Transport-Security", "")
csrf = page.cookies["csrftoken"]
out["csrf_cookie"] = {"secure": bool(csrf["secure"]), "httponly": bool(csrf["httponly"]), "samesite": csrf["samesite"]}
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
login = c.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token}, secure=True)
out["login_status"] = login.status_code
out["login_errors"] = re.findall(r"errorlist[^>]*>(.*?)</ul>", login.content.decode(), re.S)[:3]
session = login.cookies.get("sessionid")
out["session_cookie"] = session and {"secure": bool(session["secure"]), "httponly": bool(session["httponly"]), "samesite": session["samesite"]}
print(json.dumps(out))
"""


def _production(code: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "MFA_REQUIRED_FOR_ADMINS", "EMAIL_BACKEND", "SECRET_KEY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="network.settings",
        SECRET_KEY="prod-" + "k3y-Very-Long-And-Random-" * 3,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url_for_tests(),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_production_settings_redirect_to_https_send_hsts_and_secure_httponly_cookies():
    who = factories.person("prod-cookie@example.org")
    code = f"EMAIL, PASSWORD = {who.email!r}, {factories.PASSWORD!r}\n" + PROD_PROBE
    out = _production(code)
    assert out["http_status"] == 301 and out["http_location"].startswith("https://")
    assert "max-age=31536000" in out["hsts"]
    assert "includeSubDomains" in out["hsts"] and "preload" in out["hsts"]
    assert out["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert out["login_status"] == 302, out["login_errors"]
    assert out["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert out["mfa_required"] is True, "MFA for owners and admins is on by default in production"


# --- CSRF ---------------------------------------------------------------------------------------


def _anonymous_forms() -> list[tuple[str, dict]]:
    return [
        ("/accounts/login/", {"login": "a@example.org", "password": "x"}),
        ("/accounts/signup/", {"email": "new@example.org", "password1": "x" * 12, "password2": "x" * 12}),
        ("/accounts/password/reset/", {"email": "a@example.org"}),
        ("/i18n/setlang/", {"language": "fi", "next": "/"}),
    ]


@pytest.mark.parametrize(("path", "data"), _anonymous_forms())
def test_html_forms_refuse_a_post_without_csrf_token(path, data):
    response = Client(enforce_csrf_checks=True).post(path, data)
    assert response.status_code == 403
    assert not mail.outbox


def test_signed_in_forms_refuse_a_post_without_csrf_token():
    who = factories.person()
    c = Client(enforce_csrf_checks=True)
    c.force_login(who)
    for path in ["/notifications/", "/accounts/logout/"]:
        assert c.post(path, {}).status_code == 403, path
    assert c.get("/notifications/").status_code == 200, "still signed in: the logout was refused"


def test_session_authenticated_api_writes_need_the_csrf_token():
    """DRF's SessionAuthentication enforces CSRF: a page on another site cannot write for you."""
    from network.models import Notification
    from network.notifications import notify

    who = factories.person()
    notify([who], kind="test", title="Unread", body="", url="/")
    attacker_page = Client(enforce_csrf_checks=True)
    attacker_page.force_login(who)
    response = attacker_page.post("/api/v1/notifications/read-all/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert Notification.objects.filter(recipient=who, read_at__isnull=True).count() == 1
    own_page = Client()
    own_page.force_login(who)
    assert own_page.post("/api/v1/notifications/read-all/").status_code == 200
    assert Notification.objects.filter(recipient=who, read_at__isnull=True).count() == 0


# --- rate limits --------------------------------------------------------------------------------


def test_failed_logins_lock_the_account_key_even_for_the_right_password():
    who = factories.person("locked@example.org")
    c = Client()
    for _ in range(5):
        response = c.post("/accounts/login/", {"login": who.email, "password": "wrong-password-123"})
        assert response.status_code == 200
    response = c.post("/accounts/login/", {"login": who.email, "password": factories.PASSWORD})
    assert "_auth_user_id" not in c.session, "the sixth attempt in 5 minutes must not sign in"
    assert "Too many failed login attempts" in response.content.decode()


def test_login_is_rate_limited_per_ip_with_429():
    c = Client()
    statuses = [
        c.post("/accounts/login/", {"login": f"nobody{i}@example.org", "password": "x" * 12}).status_code
        for i in range(32)
    ]
    assert 429 in statuses[10:], statuses
    assert statuses[0] == 200


def test_sign_up_is_rate_limited_per_ip_with_429():
    c = Client()
    statuses = []
    for i in range(22):
        data = {
            "email": f"flood{i}@example.org",
            "password1": "Zebra-pasta-91!",
            "password2": "Zebra-pasta-91!",
        }
        statuses.append(c.post("/accounts/signup/", data).status_code)
    assert statuses[0] in (200, 302)
    assert statuses[-1] == 429, statuses


# --- account enumeration --------------------------------------------------------------------


def _shape(response) -> tuple:
    """What an attacker observes: status, redirect target, and the page minus the e-mail typed."""
    body = re.sub(r"[\w.+-]+@example\.org", "EMAIL", response.content.decode())
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return response.status_code, response.headers.get("Location"), len(body.splitlines())


def test_sign_up_does_not_reveal_whether_an_address_has_an_account():
    owner = factories.person("taken@example.org")
    data = {"password1": "Zebra-pasta-91!", "password2": "Zebra-pasta-91!"}
    taken = Client().post("/accounts/signup/", {"email": owner.email, **data})
    fresh = Client().post("/accounts/signup/", {"email": "fresh@example.org", **data})
    assert _shape(taken) == _shape(fresh)
    assert {m.to[0] for m in mail.outbox} == {"taken@example.org", "fresh@example.org"}
    to_owner = [m for m in mail.outbox if m.to == ["taken@example.org"]]
    assert len(to_owner) == 1 and "confirm-email" not in to_owner[0].body, "owner is told, not re-verified"


def test_password_reset_does_not_reveal_whether_an_address_has_an_account():
    owner = factories.person("owner@example.org")
    known = Client().post("/accounts/password/reset/", {"email": owner.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "stranger@example.org"})
    assert _shape(known) == _shape(unknown)
    reset_links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert [m.to for m in reset_links] == [["owner@example.org"]], "a reset link goes only to the owner"

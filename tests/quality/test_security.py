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


# --- MFA for owners and admins ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "gated"),
    [("owner", True), ("admin", True), ("signatory", False), ("editor", False), ("member", False)],
)
def test_mfa_is_required_of_owners_and_admins_only_when_the_setting_is_on(settings, role, gated):
    from allauth.mfa.models import Authenticator

    settings.MFA_REQUIRED_FOR_ADMINS = True
    org = factories.organisation()
    who = factories.member(org, role)
    c = Client()
    c.force_login(who)
    page = c.get("/library/")
    api_write = c.post("/api/v1/notifications/read-all/")
    if gated:
        assert page.status_code == 302 and "/accounts/2fa/" in page.headers["Location"]
        assert api_write.status_code == 403 and api_write.json()["code"] == "mfa_required"
        Authenticator.objects.create(user=who, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert c.get("/library/").status_code == 200
    assert c.post("/api/v1/notifications/read-all/").status_code == 200
    settings.MFA_REQUIRED_FOR_ADMINS = False
    Authenticator.objects.filter(user=who).delete()
    assert c.get("/library/").status_code == 200, "off: nobody is gated"


# --- hostile search input ---------------------------------------------------------------------

HOSTILE = [
    "title:Zanzibarite",
    "Zanzibarite*",
    "Zanz*",
    "*",
    '"Zanzibarite',
    'Zanzibarite"',
    '""',
    "Zanzibarite OR OR",
    "OR",
    "AND NOT",
    "NEAR(Zanzibarite budget)",
    "NEAR/2",
    "Zanzibarite NOT budget",
    "^Zanzibarite",
    "{title body}: Zanzibarite",
    "Zanzibarite) OR (visibility:private",
    "visibility:private",
    "organisation_id:1 OR Zanzibarite",
    "Zanzibarite' OR '1'='1",
    "Zanzibarite; DROP TABLE members_person; --",
    "Zanzibarite\x00budget",
    "-Zanzibarite",
    "+Zanzibarite",
    "Zanzibarite:*",
    "(((((Zanzibarite",
    "Zanzibarite " * 400,
    "ä" * 5000,
]


@pytest.fixture
def search_world(django_capture_on_commit_callbacks):
    """Org A has a private and a public template with the same rare word; B's member searches."""
    from tests.knowledge import factories as knowledge

    a = factories.organisation("Secretive City", verified=True)
    b = factories.organisation("Curious Town", verified=True)
    author = factories.member(a, "editor")
    snoop = factories.member(b, "member")
    with django_capture_on_commit_callbacks(execute=True):  # search indexing runs on commit
        private = knowledge.template(author, a, visibility="private", title="Zanzibarite budget plan")
        public = knowledge.template(author, a, visibility="public", title="Zanzibarite public criteria")
    return snoop, private, public


def _hits(client, q: str) -> tuple[int, set[str]]:
    response = client.get("/api/v1/search/", {"q": q})
    titles = (
        {h["title"] for h in response.json().get("results", [])} if response.status_code == 200 else set()
    )
    return response.status_code, titles


@pytest.mark.parametrize("who", ["anonymous", "other-organisation"])
def test_hostile_search_syntax_neither_errors_nor_widens_results(search_world, who):
    snoop, private, public = search_world
    c = Client()
    if who == "other-organisation":
        c.force_login(snoop)
    status, benign = _hits(c, "Zanzibarite")
    assert status == 200 and benign == {public.title}, "baseline: only the public template is findable"
    for q in HOSTILE:
        status, found = _hits(c, q)
        assert status in (200, 400), f"{q!r} → {status}"
        assert private.title not in found, f"{q!r} leaked a private template"
        assert found <= benign | {public.title}, f"{q!r} widened the results: {found}"
        page = c.get("/search/", {"q": q})
        assert page.status_code in (200, 400), f"HTML search {q!r} → {page.status_code}"
        assert private.title not in page.content.decode()


# --- upload validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("minutes.pdf", b"<html><script>alert(1)</script></html>"),
        ("logo.pdf", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("tender.docx", b"PK\x03\x04not really a zip"),
        ("criteria.exe", b"%PDF-1.7\n%%EOF\n"),
        ("report.html", b"%PDF-1.7\n%%EOF\n"),
        ("budget.pdf.html", b"%PDF-1.7\n%%EOF\n"),
    ],
)
def test_uploads_are_refused_unless_the_content_is_an_allowed_document(settings, tmp_path, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from knowledge.models import Attachment
    from tests.knowledge import factories as knowledge

    settings.MEDIA_ROOT = str(tmp_path)
    org = factories.organisation()
    author = factories.member(org, "editor")
    template = knowledge.template(author, org)
    api = APIClient()
    api.force_authenticate(author)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = api.post(f"/api/v1/templates/{template.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert not Attachment.objects.exists()
    assert not list(tmp_path.rglob("*.*")), "nothing written to storage"


def test_an_accepted_upload_is_stored_under_a_safe_name_and_served_as_a_download(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from tests.knowledge import factories as knowledge

    settings.MEDIA_ROOT = str(tmp_path)
    org = factories.organisation()
    author = factories.member(org, "editor")
    template = knowledge.template(author, org)
    api = APIClient()
    api.force_authenticate(author)
    upload = SimpleUploadedFile(
        "../../../etc/cron.d/evil.pdf", b"%PDF-1.7\n%%EOF\n", content_type="text/html"
    )
    response = api.post(f"/api/v1/templates/{template.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == 1 and tmp_path in stored[0].parents and ".." not in str(stored[0])
    c = Client()
    c.force_login(author)
    download = c.get(f"/library/templates/{template.pk}/attachments/{response.json()['id']}/")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


# --- guessing ids of another tenant's objects --------------------------------------------------


def _api_detail_routes() -> list[str]:
    """Every GET route of the API with a path parameter, read from the OpenAPI schema, so an
    endpoint added tomorrow is guessed at without editing this file."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(p for p, ops in schema["paths"].items() if "get" in ops and "{" in p)


#: Directory-like resources every member may read by design (DESIGN.md): organisations and
#: working groups are listed publicly, labels and CPV codes are vocabulary. Their admin sub-routes
#: (members, invitations, join requests) must still refuse an outsider (403 or 404).
PUBLIC_BY_DESIGN = re.compile(
    r"^/api/v1/(organisations/\{slug\}/|working-groups/\{slug\}/|labels/|cpv/|events/feeds/)"
)


@pytest.fixture
def private_world(django_capture_on_commit_callbacks):
    """Everything org A has is private: every id an outsider can guess belongs to A."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forums import services as forum_services
    from forums.models import Forum
    from knowledge.services import attachments as attachment_services
    from knowledge.services import templates as template_services
    from tests.events.factories import event
    from tests.knowledge import factories as knowledge
    from tests.statements import factories as statements

    a = factories.organisation("Private City", verified=True, slug="private-city")
    b = factories.organisation("Guessing Town", verified=True, slug="guessing-town")
    owner = factories.member(a, "owner", email="owner@private.example")
    editor = factories.member(a, "editor", email="editor@private.example")
    factories.member(a, "signatory", email="signatory@private.example")
    outsider = factories.member(b, "owner", email="guesser@guessing.example")
    with django_capture_on_commit_callbacks(execute=True):
        template = knowledge.template(editor, a, visibility="private", title="Private template")
        version = template_services.template_publish(person=editor, template=template, change_note="v1")
        # a private fork, so the fork-vs-origin comparison route is guessed at too
        template_services.template_fork(person=editor, version=version, organisation=a)
        attachment_services.attachment_add(
            person=editor, template=template, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n")
        )
        knowledge.lesson(editor, a, visibility="private", title="Private lesson")
        knowledge.tender(editor, a, visibility="private", title="Private tender")
        statements.draft(a, editor=editor, title="Private statement")
        event(a, person=editor, visibility="private", title="Private event")
        from knowledge import resources

        resources.resource_create(
            person=editor,
            organisation=a,
            data=resources.ResourceData(title="Private resource", url="https://private.example/r"),
        )
        forum = forum_services.forum_create(organisation=a, name="Private forum")
        thread = forum_services.thread_create(person=editor, forum=forum, title="Private thread", body="Hi")
        post, _created = forum_services.post_create(person=editor, thread=thread, body="Hello @owner")
        forum_services.post_report(person=owner, post=post, reason="Private report")
        from members import services as member_services

        member_services.invitation_create(
            actor=owner, organisation=a, email="new@private.example", role="member"
        )
        from members.privacy import export as privacy_export

        privacy_export.data_export_request(actor=owner, person=owner)  # a personal-data export zip
    # The platform's network forum (created by a migration, recreated when an organisation is
    # verified) is readable by every verified member by design; take it away so every id guessed
    # here is one of A's.
    Forum.objects.filter(kind=Forum.Kind.NETWORK).delete()
    return owner, outsider


def _candidates(param: str) -> list[str]:
    """Values an attacker would try for a path parameter: every id and slug that exists."""
    from django.apps import apps

    ids: set[int] = set()
    slugs: set[str] = set()
    keys: set[str] = set()
    named = [m for m in apps.get_models() if m._meta.model_name == param]
    if len(named) == 1:  # {attachment}: that model's ids (all pairs of all ids are too many to try)
        own = set(named[0].objects.values_list("pk", flat=True))
        return [str(i) for i in sorted(own | {max(own, default=0) + 1})]
    for model in apps.get_models():
        if model._meta.app_label not in {"knowledge", "statements", "forums", "events", "network", "members"}:
            continue
        if model._meta.model_name in {"cpvcode", "label"}:
            continue
        ids.update(model.objects.values_list("pk", flat=True)[:200])
        field_names = {f.name for f in model._meta.get_fields()}
        if "slug" in field_names:
            slugs.update(model.objects.values_list("slug", flat=True)[:200])
        if "key" in field_names:
            keys.update(str(k) for k in model.objects.values_list("key", flat=True)[:50])
    if param in ("slug", "organisation_slug", "organisation"):
        return sorted(slugs)
    if param == "key":
        return sorted(keys)
    if param == "number":  # version numbers count from 1 within their template
        return ["1", "2", "3"]
    return [str(i) for i in sorted(ids | {max(ids, default=0) + 1})]


#: Query parameters a route needs before it looks anything up.
REQUIRED_QUERY = {"/api/v1/templates/{id}/diff/": {"from": "1", "to": "1"}}


def _fill(route: str, params: list[str], values) -> str:
    for name, value in zip(params, values, strict=True):
        route = route.replace("{" + name + "}", value, 1)
    return route


@pytest.mark.timeout(400)  # thousands of requests; on PostgreSQL the ids of each table are distinct
def test_no_api_route_returns_another_tenants_object_by_guessing_ids(private_world):
    """For every GET route with a path parameter: each existing id or slug an outsider tries answers
    exactly like one that does not exist (so ids reveal nothing), while the owning organisation's
    member reaches at least one of them (so the route was really exercised)."""
    from itertools import product

    owner, outsider = private_world
    as_owner, as_outsider = Client(), Client()
    as_owner.force_login(owner)
    as_outsider.force_login(outsider)
    routes = _api_detail_routes()
    assert len(routes) >= 20, routes
    unexercised, leaks = [], []
    for route in routes:
        params = re.findall(r"\{(\w+)\}", route)
        query = REQUIRED_QUERY.get(route, {})
        missing_values = ["no-such-thing" if not _candidates(p)[0].isdigit() else "987654321" for p in params]
        missing = as_outsider.get(_fill(route, params, missing_values), query).status_code
        assert missing in (400, 404), f"{route}: a missing object answers {missing}"
        owner_saw = False
        for combo in list(product(*[_candidates(p) for p in params]))[:400]:
            url = _fill(route, params, combo)
            theirs = as_outsider.get(url, query).status_code
            if theirs == 200 and PUBLIC_BY_DESIGN.match(route):
                continue  # a directory entry every member reads
            if theirs != missing and not (PUBLIC_BY_DESIGN.match(route) and theirs == 403):
                leaks.append(f"{url} → {theirs} for another organisation (missing: {missing})")
            if not owner_saw and as_owner.get(url, query).status_code == 200:
                owner_saw = True
        if not owner_saw and not PUBLIC_BY_DESIGN.match(route):
            unexercised.append(route)
    assert not leaks, "\n".join(leaks)
    assert not unexercised, (
        "routes the owner never reached with the private_world fixture (extend it so they are guessed at): "
        + ", ".join(unexercised)
    )

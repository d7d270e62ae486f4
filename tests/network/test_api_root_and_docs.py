"""``/api/v1/`` lists every resource; unauthenticated requests get 401 with a challenge; the API
docs pages carry no inline script (the CSP would block it) and serve their init code from 'self'."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

EXPECTED = {
    "organisations",
    "working-groups",
    "templates",
    "lessons",
    "tenders",
    "statements",
    "events",
    "forums",
    "threads",
    "moderation/reports",
    "moderation/log",
    "notifications",
    "search",
    "me",
}


def test_api_root_lists_every_resource():
    response = APIClient().get("/api/v1/")
    assert response.status_code == 200
    resources = response.json()["resources"]
    assert set(resources) >= EXPECTED
    assert resources["forums"] == "http://testserver/api/v1/forums/"
    for url in resources.values():
        assert "<" not in url


def test_unauthenticated_requests_get_401_with_www_authenticate():
    for url in ("/api/v1/notifications/", "/api/v1/me/", "/api/v1/moderation/reports/"):
        response = APIClient().get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("X-Session-Token")
        assert response.json()["code"] == "not_authenticated"
    response = APIClient().post("/api/v1/threads/", {"forum": 1, "title": "x", "body": "y"}, format="json")
    assert response.status_code == 401


def _inline_scripts(html: str) -> list[str]:
    return [m for m in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S) if m.strip()]


def test_swagger_page_has_no_inline_code_and_serves_its_init_script():
    response = Client().get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200 and not _inline_scripts(html) and "<style" not in html
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_redoc_page_has_no_inline_script():
    response = Client().get("/api/redoc/")
    html = response.content.decode()
    assert response.status_code == 200 and not _inline_scripts(html) and "redoc-init.js" in html
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"

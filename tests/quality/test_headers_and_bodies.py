"""Headers no view may weaken and request bodies bounded before they are read (#20 item 8)."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import Client

from members.models import Role
from network.asgi import application
from tests import factories

pytestmark = pytest.mark.django_db


def _directive(csp: str, name: str) -> list[str]:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {csp!r}")


def test_sockets_may_connect_only_to_the_sites_own_origin(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    sources = _directive(csp, "connect-src")
    assert "ws:" not in sources and "wss:" not in sources
    assert sources == ["'self'", "ws://testserver"]
    secure = client.get("/", secure=True).headers["Content-Security-Policy"]
    assert _directive(secure, "connect-src") == ["'self'", "wss://testserver"]


@pytest.mark.parametrize("path", ["/", "/api/docs/", "/api/redoc/", "/api/schema/", "/api/v1/templates/"])
def test_every_page_keeps_the_opener_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


# --- bodies ---------------------------------------------------------------------------------


async def _asgi_post(
    path: str, chunks: list[bytes], content_length: int | None, content_type: bytes = b"application/json"
) -> tuple[int, dict, bytes, int]:
    """POST through the real ASGI application; returns status, headers, body and bytes it read."""
    headers = [(b"host", b"testserver"), (b"content-type", content_type)]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    pending = list(chunks)
    read = 0

    async def receive():
        nonlocal read
        if not pending:
            await asyncio.Event().wait()  # the client waits for the answer (cancelled after it)
        chunk = pending.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    sent = []

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body, read


@pytest.mark.django_db(transaction=True)
async def test_a_declared_oversized_body_is_refused_before_a_byte_is_read(settings):
    settings.MAX_REQUEST_BODY = 1024 * 1024
    chunk = b"x" * (1024 * 1024)
    status, headers, body, read = await _asgi_post("/api/v1/templates/", [chunk] * 300, 300 * len(chunk))
    assert status == 413 and read == 0
    assert headers[b"content-type"] == b"application/json" and json.loads(body)["detail"]


@pytest.mark.django_db(transaction=True)
async def test_a_chunked_body_stops_being_read_at_the_bound(settings):
    settings.MAX_REQUEST_BODY = 1024 * 1024
    chunk = b"x" * (64 * 1024)
    status, _headers, body, read = await _asgi_post("/api/v1/templates/", [chunk] * 300 * 16, None)
    assert status == 413 and json.loads(body)["detail"]
    assert read <= settings.MAX_REQUEST_BODY + len(chunk)


@pytest.mark.django_db(transaction=True)
async def test_a_body_within_the_bound_reaches_the_view(settings):
    settings.MAX_REQUEST_BODY = 1024 * 1024
    status, _headers, body, _read = await _asgi_post("/api/v1/templates/", [b"{}"], 2)
    assert status in (401, 403) and json.loads(body)["detail"]  # anonymous: the view answered


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("content_type", [b"multipart/form-data", b"multipart/form-data; boundary=xyz"])
@pytest.mark.parametrize("path", ["/api/v1/templates/", "/accounts/login/"])
async def test_a_broken_multipart_body_is_answered_with_the_error_contract_and_headers(path, content_type):
    """daphne used to send a bare 400 (no CSP, no X-Frame-Options; HTML under /api/)."""
    status, headers, body, _read = await _asgi_post(path, [b""], 0, content_type=content_type)
    assert status in (400, 401, 403), body
    assert b"content-security-policy" in headers and headers[b"x-frame-options"] == b"DENY"
    if path.startswith("/api/"):
        assert headers[b"content-type"] == b"application/json" and json.loads(body)["detail"]


def test_a_broken_multipart_body_from_a_session_is_json_not_500():
    """The session's CSRF check reads the broken body inside DRF: a 400 or 403, never a 500."""
    org = factories.organisation()
    person = factories.member(org, Role.EDITOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    response = client.generic("POST", "/api/v1/templates/", b"", content_type="multipart/form-data")
    assert response.status_code in (400, 403), response.content
    assert response.headers["Content-Type"] == "application/json" and response.json()["detail"]

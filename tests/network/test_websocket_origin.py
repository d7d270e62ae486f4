"""The WebSocket Origin check compares scheme, host and port; a handshake without Origin is accepted
only with a valid app session token (``X-Session-Token``), never on a cookie alone."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from members.models import Role
from network.asgi import application
from tests import factories
from tests.forums.factories import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def opens(headers, path: str = "/ws/ping/", query: str = "") -> tuple[bool, dict | None]:
    communicator = WebsocketCommunicator(application, path + query, headers=headers)
    connected, _ = await communicator.connect(timeout=30)
    reply = None
    if connected:
        await communicator.send_json_to({"type": "ping", "data": 1})
        reply = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
    return connected, reply


def _token_for(person) -> str:
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": person.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        ("http://testserver", "testserver", True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://127.0.0.1:1", "127.0.0.1:8000", False),  # another app on the same host name
        ("https://127.0.0.1:8000", "127.0.0.1:8000", False),  # another scheme
        ("http://localhost:8000", "127.0.0.1:8000", False),  # another host
        ("http://127.0.0.1:8000", "127.0.0.1:9000", True),  # SITE_URL, the public origin
        ("http://evil.example", "evil.example", False),  # a host outside ALLOWED_HOSTS
        ("null", "testserver", False),
        ("http://testserver/path", "testserver", False),
    ],
)
async def test_origin_must_match_in_scheme_host_and_port(settings, origin, host, accepted):
    settings.SITE_URL = "http://127.0.0.1:8000"
    connected, _reply = await opens([(b"origin", origin.encode()), (b"host", host.encode())])
    assert connected is accepted


async def test_a_trusted_origin_and_its_subdomains_may_connect(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.buyers.example.eu", "https://app.example.org"]
    for origin, accepted in [
        ("https://www.buyers.example.eu", True),
        ("https://app.example.org", True),
        ("https://app.example.org:8443", False),
        ("http://www.buyers.example.eu", False),
        ("https://buyers.example.eu.evil.example", False),
    ]:
        connected, _ = await opens([(b"origin", origin.encode()), (b"host", b"backend:8000")])
        assert connected is accepted, origin


async def test_a_cookie_without_origin_is_refused():
    org = await sync_to_async(factories.organisation)()
    person = await sync_to_async(factories.member)(org, Role.MEMBER)
    cookie = await sync_to_async(session_cookie)(person)
    connected, _ = await opens([(b"host", b"testserver"), (b"cookie", f"sessionid={cookie}".encode())])
    assert not connected


async def test_an_app_token_without_origin_connects_as_its_person():
    """README: app clients authenticate sockets with X-Session-Token and send no Origin."""
    org = await sync_to_async(factories.organisation)()
    person = await sync_to_async(factories.member)(org, Role.MEMBER)
    token = await sync_to_async(_token_for)(person)
    connected, reply = await opens([(b"host", b"testserver"), (b"x-session-token", token.encode())])
    assert connected and reply["authenticated"] is True
    connected, reply = await opens([(b"host", b"testserver")], query=f"?session_token={token}")
    assert connected and reply["authenticated"] is True


async def test_an_invalid_token_without_origin_is_refused_even_with_a_cookie():
    org = await sync_to_async(factories.organisation)()
    person = await sync_to_async(factories.member)(org, Role.MEMBER)
    cookie = await sync_to_async(session_cookie)(person)
    headers = [
        (b"host", b"testserver"),
        (b"x-session-token", b"not-a-token"),
        (b"cookie", f"sessionid={cookie}".encode()),
    ]
    connected, _ = await opens(headers)
    assert not connected


async def test_an_app_token_reaches_a_thread_socket_without_origin():
    from tests.forums.factories import world

    w = await sync_to_async(world)()
    token = await sync_to_async(_token_for)(w.alice)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/threads/{w.thread.pk}/",
        headers=[(b"host", b"testserver"), (b"x-session-token", token.encode())],
    )
    connected, _ = await communicator.connect(timeout=30)
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    await communicator.disconnect()

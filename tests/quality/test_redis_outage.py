"""Redis down, then back (#20 item 11), against a real daphne server and a real redis-server.

The server runs with ``REDIS_URL`` pointing at a throwaway redis-server on its own port (never the
shared one). The test kills Redis and checks what a person meets: log-in (the app API and the
sign-in page) and posting to a thread commit and answer, the cache falls back, ``/readyz`` says 503
naming the component, and a WebSocket handshake is refused with close code 4503 ("try again
later") instead of a 500. Then Redis is started again and the very first handshake works and gets
the next post live: the pools reconnect by themselves, no restart of the server.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
import websockets

from forums.models import Post
from tests.browser.world import build_world
from tests.factories import PASSWORD
from tests.quality.liveserver import LiveServer
from tests.quality.redis_server import ThrowawayRedis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(170)]


@pytest.fixture
def throwaway_redis():
    redis = ThrowawayRedis()
    redis.start()
    yield redis
    redis.close()


def call(server: LiveServer, method: str, path: str, *, token: str | None = None, body=None):
    """``(status, parsed body)``."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Session-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")


def app_login(server: LiveServer, email: str) -> tuple[int, str | None]:
    status, body = call(
        server, "POST", "/_allauth/app/v1/auth/login", body={"email": email, "password": PASSWORD}
    )
    return status, (body or {}).get("meta", {}).get("session_token") if status == 200 else None


def page_login(server: LiveServer, email: str) -> int:
    """Sign in through the HTML form like a browser: the status of the form post (302 = signed in)."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{server.url}/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "login": email, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(f"{server.url}/accounts/login/", data=form, method="POST")
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def handshake(server: LiveServer, thread_id: int, token: str, *, then_post=None) -> tuple[str, object]:
    """Open the thread's socket: ``("closed", code)`` when refused, ``("hello", seqs)`` when it
    works (``then_post()`` is then called and the post's seq awaited live)."""
    url = f"{server.ws_url}/ws/threads/{thread_id}/"
    headers = {"X-Session-Token": token, "Origin": server.url}
    async with websockets.connect(url, additional_headers=headers, open_timeout=20) as ws:
        try:
            first = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
        except websockets.exceptions.ConnectionClosed as closed:
            return "closed", closed.rcvd.code if closed.rcvd else None
        assert first["type"] == "hello", first
        if then_post is None:
            return "hello", None
        seq = await asyncio.to_thread(then_post)
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
            if event.get("type") == "post.created" and event["post"]["seq"] == seq:
                return "hello", seq


def assert_no_server_error(server: LiveServer) -> None:
    """Nothing answered 500 and no ASGI application crashed (logged warnings are expected)."""
    log = server.log_tail(1000)
    assert "Exception inside application" not in log, log
    assert not re.search(r'" 50[0-9] ', log.replace('"GET /readyz" 503', "")), log


def test_redis_outage_degrades_writes_and_sockets_and_recovers(throwaway_redis):
    w = build_world()
    thread_id = w.thread.pk
    with LiveServer(env={"REDIS_URL": throwaway_redis.url}) as server:
        status, editor = app_login(server, w.editor.email)
        assert status == 200
        assert asyncio.run(handshake(server, thread_id, editor)) == ("hello", None)

        throwaway_redis.stop()

        status, member = app_login(server, w.member.email)
        assert status == 200, (member, server.log_tail())
        assert page_login(server, w.signatory.email) == 302, server.log_tail()
        status, body = call(
            server, "POST", f"/api/v1/threads/{thread_id}/posts/", token=editor, body={"body": "During"}
        )
        assert status == 201, (body, server.log_tail())
        assert Post.objects.filter(thread_id=thread_id, body="During").count() == 1
        assert asyncio.run(handshake(server, thread_id, member)) == ("closed", 4503), server.log_tail()
        status, ready = call(server, "GET", "/readyz")
        assert status == 503 and ready["components"]["channel_layer"]["status"] == "down", ready
        assert "fallback" in ready["components"]["cache"]["detail"], ready
        assert_no_server_error(server)

        throwaway_redis.start()

        def post_after() -> int:
            status, body = call(
                server, "POST", f"/api/v1/threads/{thread_id}/posts/", token=editor, body={"body": "After"}
            )
            assert status == 201, body
            return body["seq"]

        # The first handshake after the restart works (no stale pooled connection) and is live.
        state, seq = asyncio.run(handshake(server, thread_id, member, then_post=post_after))
        assert state == "hello" and seq, server.log_tail()
        assert_no_server_error(server)

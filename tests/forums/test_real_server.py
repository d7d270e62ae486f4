"""A real ASGI server (daphne, in a subprocess) and real sockets (the ``websockets`` client): one
client posts over HTTP and the other sees it live; a client that was away resumes and gets exactly
the posts it missed, in order, once. Runs against the test database, on whichever channel layer the
settings choose (in-memory on the SQLite run, Redis on the PostgreSQL run)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from tests.forums.factories import session_cookie, world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def live_server_url(django_db_setup, django_db_blocker):
    port = _free_port()
    with django_db_blocker.unblock():
        database_url = _database_url()
    # Index updates batched as in production (SEARCH_INDEX_BATCH_SECONDS); the test waits for them.
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url,
        SEARCH_INDEX_BATCH_SECONDS="0.2",
    )
    daphne = Path(sys.executable).with_name("daphne")
    proc = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "network.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"daphne exited: {proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        else:
            pytest.fail("daphne did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def http_post(base: str, cookie: str, thread_id: int, body: str) -> dict:
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header
    request = urllib.request.Request(
        f"{base}/api/v1/threads/{thread_id}/posts/",
        data=json.dumps({"body": body}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Origin": base,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


async def next_of(ws, kind: str, timeout: float = 5) -> dict:
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if event["type"] == kind:
            return event


async def test_live_post_and_resume_over_a_real_server_and_real_sockets(live_server_url):
    w = await sync_to_async(world)()
    alice_cookie = await sync_to_async(session_cookie)(w.alice)
    bob_cookie = await sync_to_async(session_cookie)(w.bob)
    ws_url = live_server_url.replace("http", "ws") + f"/ws/threads/{w.thread.pk}/"

    def socket_for(cookie: str):
        return ws_connect(
            ws_url, origin=live_server_url, additional_headers={"Cookie": f"sessionid={cookie}"}
        )

    async with socket_for(bob_cookie) as bob:
        await next_of(bob, "hello")
        sent = await asyncio.to_thread(
            http_post, live_server_url, alice_cookie, w.thread.pk, "Live over HTTP"
        )
        event = await next_of(bob, "post.created")
        assert event["post"]["seq"] == sent["seq"] == 2
        assert event["post"]["body"] == "Live over HTTP"
    # Bob is away while five posts are made.
    for n in range(5):
        await asyncio.to_thread(http_post, live_server_url, alice_cookie, w.thread.pk, f"while away {n}")
    async with socket_for(bob_cookie) as bob:
        await bob.send(json.dumps({"type": "resume", "after": 2}))
        got = []
        while (event := await next_of_any(bob))["type"] != "resume.done":
            if event["type"] == "post.created":
                got.append((event["post"]["seq"], event["post"]["body"]))
        assert got == [(3 + n, f"while away {n}") for n in range(5)]
        # and live delivery continues on the resumed socket
        last = await asyncio.to_thread(http_post, live_server_url, alice_cookie, w.thread.pk, "back live")
        assert (await next_of(bob, "post.created"))["post"]["seq"] == 8
    # The server indexes a post after its response: the last one is searchable shortly (and the
    # flush after this test no longer races the server's index transaction: a deadlock once).
    assert await _indexed(last["id"]), "the last post never reached the search index"


async def _indexed(post_id: int, timeout: float = 10) -> bool:
    from network.search.models import SearchDocument

    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = await sync_to_async(SearchDocument.objects.filter(type="post", object_id=post_id).exists)()
        if found:  # visible once the index update's one transaction has committed
            return True
        await asyncio.sleep(0.1)
    return False


async def next_of_any(ws, timeout: float = 5) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def test_real_socket_of_other_organisation_is_closed_with_4403(live_server_url):
    w = await sync_to_async(world)()
    cookie = await sync_to_async(session_cookie)(w.mallory)
    ws_url = live_server_url.replace("http", "ws") + f"/ws/threads/{w.thread.pk}/"
    async with ws_connect(
        ws_url, origin=live_server_url, additional_headers={"Cookie": f"sessionid={cookie}"}
    ) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4403

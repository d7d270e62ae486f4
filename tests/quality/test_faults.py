"""Load and faults against a real daphne server on loopback (bounded in count and time).

* Concurrent HTTP writers and readers plus WebSocket subscribers: the server keeps answering,
  every accepted write is stored once, and every subscriber ends up with every post.
* Redis (the channel layer and cache) stopped and restarted mid-run — a redis-server of our own on
  a free port, never the shared one: subscribers reconnect, resume from their last sequence number
  and miss nothing. Runs when ``REDIS_URL`` is set (CI's PostgreSQL + Redis run).
* A PostgreSQL connection killed (``pg_terminate_backend``) while a request waits inside it: the
  client gets a clear JSON error, nothing half-written is stored, and the next request works.
  Runs on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import websockets
from django.db import connection, transaction

from forums.models import Post, Thread
from tests.browser.world import build_world
from tests.quality.liveserver import LiveServer, free_port
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def session_token(server: LiveServer, email: str) -> str:
    from tests.factories import PASSWORD

    request = urllib.request.Request(
        f"{server.url}/_allauth/app/v1/auth/login",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["meta"]["session_token"]


def http(server: LiveServer, method: str, path: str, token: str | None = None, body: dict | None = None):
    """``(status, json)`` of one request; connection errors count as status 0."""
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
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


class Subscriber:
    """A WebSocket client of a thread that records every post seq it sees and can resume."""

    def __init__(self, server: LiveServer, thread_id: int, token: str) -> None:
        self.url = f"{server.ws_url}/ws/threads/{thread_id}/"
        self.headers = {"X-Session-Token": token, "Origin": server.url}
        self.seen: set[int] = set()
        self.duplicates = 0

    async def run(self, stop: asyncio.Event, reconnect: asyncio.Event | None = None) -> None:
        while not stop.is_set():
            last = max(self.seen, default=0)
            try:
                async with websockets.connect(
                    f"{self.url}?after={last}", additional_headers=self.headers, open_timeout=10
                ) as ws:
                    while not stop.is_set() and not (reconnect and reconnect.is_set()):
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout=0.2)
                        except TimeoutError:
                            continue
                        event = json.loads(raw)
                        if event.get("type") == "post.created":
                            seq = event["post"]["seq"]
                            self.duplicates += seq in self.seen
                            self.seen.add(seq)
            except (OSError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.3)
            if reconnect is not None and reconnect.is_set():
                await asyncio.sleep(0.1)


def thread_seqs(thread_id: int) -> set[int]:
    return set(Post.objects.filter(thread_id=thread_id).values_list("seq", flat=True))


def run_subscribers(subscribers, stop: asyncio.Event, reconnect=None):
    """Run the subscribers' event loop in a background thread until ``stop`` is set."""
    loop = asyncio.new_event_loop()

    async def main():
        await asyncio.gather(*(s.run(stop, reconnect) for s in subscribers))

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    return loop, thread


def test_concurrent_http_and_websocket_load_loses_no_accepted_write(django_db_blocker):
    w = build_world()
    # 24 posts a person in a few seconds: a load test, not people posting (network.ratelimit.POST)
    with LiveServer(env={"FORUMS_POSTS_PER_MINUTE": "1000"}) as server:
        tokens = [session_token(server, p.email) for p in (w.editor, w.member)]
        thread_id = w.thread.pk
        stop = asyncio.Event()
        subscribers = [Subscriber(server, thread_id, tokens[i % 2]) for i in range(4)]
        loop, runner = run_subscribers(subscribers, stop)
        time.sleep(1.0)  # subscribers connected

        writers, per_writer = 6, 8
        accepted: list[int] = []
        statuses: list[int] = []
        lock = threading.Lock()

        def write(n: int) -> None:
            for i in range(per_writer):
                status, body = http(
                    server,
                    "POST",
                    f"/api/v1/threads/{thread_id}/posts/",
                    tokens[n % 2],
                    {"body": f"Writer {n} post {i}", "client_id": f"w{n}-{i}"},
                )
                with lock:
                    statuses.append(status)
                    if status == 201:
                        accepted.append(body["seq"])

        def read(_: int) -> None:
            for _ in range(10):
                status, _body = http(server, "GET", f"/api/v1/threads/{thread_id}/posts/", tokens[0])
                with lock:
                    statuses.append(status)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(write, range(writers)))
            list(pool.map(read, range(4)))
        elapsed = time.monotonic() - started
        assert all(s in (200, 201) for s in statuses), sorted(set(statuses))
        assert http(server, "GET", "/healthz")[0] == 200

        stored = thread_seqs(thread_id)
        assert len(accepted) == writers * per_writer and len(set(accepted)) == len(accepted)
        assert set(accepted) <= stored
        assert stored == set(range(1, len(stored) + 1)), "sequence numbers are gapless"
        assert wait_until(lambda: all(s.seen >= stored for s in subscribers)), [
            sorted(stored - s.seen) for s in subscribers
        ]
        assert all(s.duplicates == 0 for s in subscribers)
        loop.call_soon_threadsafe(stop.set)
        runner.join(timeout=10)
        print(
            f"\n{writers * per_writer} posts + 40 reads by 10 clients with 4 live subscribers in {elapsed:.1f}s"
        )


@pytest.fixture
def private_redis():
    """A redis-server of our own on a free loopback port (stopped and restarted by the test)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bn-redis-")
    args = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        workdir,
    ]

    class Redis:
        url = f"redis://127.0.0.1:{port}/0"
        process: subprocess.Popen | None = None

        def start(self) -> None:
            self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            assert wait_until(lambda: _redis_up(port), timeout=10), "redis-server did not start"

        def stop(self) -> None:
            if self.process is not None:
                self.process.terminate()
                self.process.wait(timeout=10)
                self.process = None

    redis = Redis()
    redis.start()
    yield redis
    redis.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def _redis_up(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.environment("REDIS_URL")  # the PostgreSQL + Redis pass runs it
def test_redis_restart_mid_run_subscribers_resume_with_nothing_missing(private_redis):
    w = build_world()
    with LiveServer(env={"REDIS_URL": private_redis.url}) as server:
        tokens = [session_token(server, p.email) for p in (w.editor, w.member)]
        thread_id = w.thread.pk
        stop, reconnect = asyncio.Event(), asyncio.Event()
        subscribers = [Subscriber(server, thread_id, tokens[1]) for _ in range(2)]
        loop, runner = run_subscribers(subscribers, stop, reconnect)
        time.sleep(1.0)

        def post(text: str) -> int:
            return http(server, "POST", f"/api/v1/threads/{thread_id}/posts/", tokens[0], {"body": text})[0]

        assert [post(f"before {i}") for i in range(3)] == [201] * 3
        assert wait_until(lambda: all(len(s.seen) >= 4 for s in subscribers))

        private_redis.stop()
        during = [post(f"during outage {i}") for i in range(3)]
        # Accepted or refused with a clear error — never a hang, never a connection reset.
        assert all(s == 201 or 500 <= s < 600 for s in during), during
        assert http(server, "GET", "/healthz")[0] == 200, "the process stays up"

        private_redis.start()
        # Clients notice a broken live feed by a drop or a missing heartbeat; here they reconnect.
        loop.call_soon_threadsafe(reconnect.set)
        time.sleep(0.5)
        loop.call_soon_threadsafe(reconnect.clear)
        assert wait_until(lambda: post("after restart") == 201, timeout=20)
        stored = thread_seqs(thread_id)
        assert wait_until(lambda: all(s.seen >= stored for s in subscribers), timeout=30), [
            sorted(stored - s.seen) for s in subscribers
        ]
        assert during.count(201) == len(stored) - 5, "every accepted write during the outage is stored"
        loop.call_soon_threadsafe(stop.set)
        runner.join(timeout=10)


@pytest.mark.database("postgresql")  # pg_terminate_backend
def test_postgresql_connection_killed_mid_request_gives_a_clear_error_and_no_half_write():
    w = build_world()
    with LiveServer() as server:
        token = session_token(server, w.editor.email)
        thread_id = w.thread.pk
        before = Thread.objects.get(pk=thread_id)
        result: dict = {}

        def post() -> None:
            result["response"] = http(
                server, "POST", f"/api/v1/threads/{thread_id}/posts/", token, {"body": "Caught mid-flight"}
            )

        # Hold the thread's row lock so the server's request waits inside its transaction, then
        # kill the server's backend while it waits.
        with transaction.atomic():
            Thread.objects.select_for_update().get(pk=thread_id)
            worker = threading.Thread(target=post)
            worker.start()
            with connection.cursor() as cursor:
                blocked = None
                for _ in range(100):
                    cursor.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
                    )
                    row = cursor.fetchone()
                    if row:
                        blocked = row[0]
                        break
                    time.sleep(0.1)
                assert blocked, "the server's request never waited on the lock"
                cursor.execute("SELECT pg_terminate_backend(%s)", [blocked])
        worker.join(timeout=30)
        status, body = result["response"]
        assert status in (500, 503), (status, body)
        assert isinstance(body, dict) and body.get("detail"), body
        after = Thread.objects.get(pk=thread_id)
        assert after.last_seq == before.last_seq and after.post_count == before.post_count
        assert not Post.objects.filter(thread_id=thread_id, body__contains="Caught mid-flight").exists()
        # The server reconnects: the next write works and continues the sequence without a gap.
        status, body = http(
            server, "POST", f"/api/v1/threads/{thread_id}/posts/", token, {"body": "Next one"}
        )
        assert status == 201 and body["seq"] == before.last_seq + 1

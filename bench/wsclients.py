"""Real WebSocket clients for the fan-out and replay benchmarks (the ``websockets`` library).

Clients recognise a benchmark post by a marker in its body (``bmk<k>z``), so the same client works
against the Django consumer (``post.created`` events with the post payload) and the bare ASGI
broadcast, and records the arrival time of each marker once (a second arrival is a duplicate).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

MARK = re.compile(r"bmk(\d+)z")
#: The thread socket's heartbeat frame (``forums.consumers.PING``).
HEARTBEAT = '{"type":"ping"}'


def marker(k: int) -> str:
    return f"bmk{k}z"


class Activity:
    """When any client last received anything: lets a round wait for the socket traffic of the
    connect phase (hello, presence) to settle before the clock starts."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    async def settle(self, quiet_s: float = 1.0, timeout_s: float = 60.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout_s:
            if time.perf_counter() - self.last >= quiet_s:
                break
            await asyncio.sleep(0.1)
        return time.perf_counter() - started


class Listener:
    """One subscribed client: records ``marker number → arrival time`` and duplicates."""

    def __init__(self, url: str, *, headers: dict[str, str], origin: str, activity: Activity) -> None:
        self.url = url
        self.headers = headers
        self.origin = origin
        self.activity = activity
        self.received: dict[int, float] = {}
        self.duplicates = 0
        self.ws: ClientConnection | None = None
        self.task: asyncio.Task | None = None

    async def open(self) -> None:
        self.ws = await connect(
            self.url,
            additional_headers=self.headers,
            origin=self.origin,  # type: ignore[arg-type]
            compression=None,
            max_queue=None,
            ping_interval=None,
            open_timeout=120,
            close_timeout=2,
            max_size=2**22,
        )
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for message in self.ws:
                now = time.perf_counter()
                if isinstance(message, bytes):
                    message = message.decode()
                if message == HEARTBEAT:
                    # The server's heartbeats are spread over the beat interval, so with many
                    # clients one arrives every few milliseconds: they are not connect traffic.
                    continue
                self.activity.last = now
                if '"post.created"' not in message:
                    continue
                found = MARK.search(message)
                if found is None:
                    continue
                key = int(found.group(1))
                if key in self.received:
                    self.duplicates += 1
                else:
                    self.received[key] = now
        except Exception:  # closed: the round counts what arrived
            return

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:
                self.ws.transport.abort()
        if self.task is not None:
            self.task.cancel()


async def open_all(listeners: list[Listener], *, parallel: int = 50) -> tuple[float, int]:
    """Connect every listener, ``parallel`` handshakes at a time; returns (seconds, failures)."""
    gate = asyncio.Semaphore(parallel)
    failures = 0

    async def one(listener: Listener) -> None:
        nonlocal failures
        async with gate:
            try:
                await listener.open()
            except Exception:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(listener) for listener in listeners))
    return time.perf_counter() - started, failures


def loads(message: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(message)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}

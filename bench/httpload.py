"""A minimal asyncio HTTP/1.1 keep-alive client for load generation on loopback.

Why not a full client library: on two cores the load generator competes with the server for CPU,
so every microsecond it spends per request is taken from the thing measured. This client sends
pre-encoded requests and parses just enough of the response (status, Content-Length or chunked
body); the same client drives the Django endpoints and the bare baselines, so ratios are fair.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; reopens transparently if the server closed it."""

    def __init__(self, host: str, port: int, default_headers: dict[str, str] | None = None) -> None:
        self.host = host
        self.port = port
        self.default_headers = default_headers or {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)

    def encode(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> bytes:
        data = b""
        all_headers = {"Host": f"{self.host}:{self.port}", **self.default_headers, **(headers or {})}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if data or method in {"POST", "PUT", "PATCH"}:
            all_headers["Content-Length"] = str(len(data))
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items())
        return head.encode("latin-1") + b"\r\n" + data

    async def send_raw(self, raw: bytes) -> Response:
        for attempt in range(2):
            if self.writer is None:
                await self._open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(raw)
                return await self._read_response()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise ConnectionError("unreachable")  # pragma: no cover

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Response:
        return await self.send_raw(self.encode(method, path, headers=headers, body=body))

    async def _read_response(self) -> Response:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            body = b"".join(chunks)
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body = await self.reader.read()
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status=status, headers=headers, body=body)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    @property
    def per_s(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0


async def closed_loop(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    concurrency: int = 8,
    duration_s: float = 5.0,
    warmup_s: float = 0.5,
    max_requests: int = 200_000,
) -> LoadResult:
    """``concurrency`` connections each send GET ``path`` back to back for ``duration_s``.

    Only 2xx responses count as successes; anything else (and a dropped connection) is an error.
    A short warm-up (not recorded) lets each worker import and connect before the clock starts.
    """
    result = LoadResult()
    connections = [Connection(host, port, headers) for _ in range(concurrency)]
    raw = connections[0].encode("GET", path)

    async def warm(conn: Connection) -> None:
        end = time.perf_counter() + warmup_s
        while time.perf_counter() < end:
            await conn.send_raw(raw)

    await asyncio.gather(*(warm(conn) for conn in connections))
    deadline = time.perf_counter() + duration_s
    budget = [max_requests]

    async def drive(conn: Connection) -> None:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            try:
                response = await conn.send_raw(raw)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                result.errors += 1
                continue
            result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
            if 200 <= response.status < 300:
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
            else:
                result.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(drive(conn) for conn in connections))
    result.elapsed_s = time.perf_counter() - started
    await asyncio.gather(*(conn.close() for conn in connections))
    return result

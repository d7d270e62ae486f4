"""API throughput: three list endpoints against bare Django views returning the same JSON.

Endpoints (as an ordinary member of another verified organisation, session cookie):
templates list, a statement's signatories, a thread's posts. For each: requests a second and
p50/p99 latency under a closed loop of concurrent keep-alive connections against ``uvicorn
--workers 2``, the real endpoint and its bare twin (``bench/bare_views.py``) side by side; and the
number of database queries per request at page sizes 10, 50 and 100 (in-process), which must not
grow with the page size.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.env import Context, Server, create_database, django_env, migrate, worker
from bench.httpload import Connection, closed_loop
from bench.report import BenchResult, Check
from bench.stats import percentile, ratio

TITLE = "API throughput (2 workers) vs bare Django views, queries per request"
SIZES = [10, 50, 100]


def endpoints(setup: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """name → (real path, bare path), with ``{size}`` for the page size."""
    slug, thread = setup["statement"], setup["thread"]
    return {
        "templates list": ("/api/v1/templates/?page_size={size}", "/bench/bare/templates/?page_size={size}"),
        "statement signatories": (
            f"/api/v1/statements/{slug}/signatures/?page_size={{size}}",
            f"/bench/bare/statements/{slug}/signatures/?page_size={{size}}",
        ),
        "thread posts": (
            f"/api/v1/threads/{thread}/posts/?limit={{size}}",
            f"/bench/bare/threads/{thread}/posts/?limit={{size}}",
        ),
    }


async def _same_json(port: int, cookie: dict[str, str], real: str, bare: str) -> bool:
    conn = Connection("127.0.0.1", port, cookie)
    try:
        first = await conn.request("GET", real)
        second = await conn.request("GET", bare)
    finally:
        await conn.close()
    return first.status == second.status == 200 and _comparable(first.body) == _comparable(second.body)


def _comparable(body: bytes) -> Any:
    """The JSON with ``next``/``previous`` links reduced to their query parameters: the two views
    live at different paths, everything else must be identical."""
    data = json.loads(body)
    if isinstance(data, dict):
        for key in ("next", "previous"):
            if data.get(key):
                data[key] = parse_qs(urlsplit(data[key]).query)
    return data


async def _throughput(
    port: int, cookie: dict[str, str], paths: dict[str, tuple[str, str]], ctx: Context
) -> list:
    rows = []
    duration = 5.0 if ctx.quick else 15.0
    for name, (real, bare) in paths.items():
        real_path, bare_path = real.format(size=25), bare.format(size=25)
        same = await _same_json(port, cookie, real_path, bare_path)
        measured = {}
        for kind, path in (("api", real_path), ("bare", bare_path)):
            load = await closed_loop(
                "127.0.0.1", port, path, headers=cookie, concurrency=8, duration_s=duration
            )
            measured[kind] = load
        api, bare_load = measured["api"], measured["bare"]
        rows.append(
            {
                "endpoint": name,
                "api_req_per_s": api.per_s,
                "api_p50_ms": percentile(api.latencies_ms, 50),
                "api_p99_ms": percentile(api.latencies_ms, 99),
                "bare_req_per_s": bare_load.per_s,
                "bare_p50_ms": percentile(bare_load.latencies_ms, 50),
                "bare_p99_ms": percentile(bare_load.latencies_ms, 99),
                "share_of_bare": ratio(api.per_s, bare_load.per_s),
                "errors": api.errors + bare_load.errors,
                "same_json": same,
            }
        )
    return rows


def run(ctx: Context) -> BenchResult:
    result = BenchResult(name="api", title=TITLE)
    db = create_database(ctx, "sqlite", "api")
    try:
        migrate(ctx, db)
        setup = worker(db, "api_setup", {}, timeout=1800)
        paths = endpoints(setup)
        queries = worker(
            db,
            "api_queries",
            {
                "reader": setup["reader"],
                "sizes": SIZES,
                "paths": {
                    **{f"{name}|api": real for name, (real, _bare) in paths.items()},
                    **{f"{name}|bare": bare for name, (_real, bare) in paths.items()},
                },
            },
        )
        cookie = {"Cookie": f"sessionid={setup['reader']}"}
        with Server(
            "network.asgi:application", django_env(db), workers=2, log_path=ctx.tmp / "api.log"
        ) as server:
            rows = asyncio.run(_throughput(server.port, cookie, paths, ctx))
    finally:
        db.drop()
    for row in rows:
        api_counts = queries.get(f"{row['endpoint']}|api", {})
        bare_counts = queries.get(f"{row['endpoint']}|bare", {})
        row["api_queries"] = "/".join(str(api_counts.get(str(size), "-")) for size in SIZES)
        row["bare_queries"] = "/".join(str(bare_counts.get(str(size), "-")) for size in SIZES)
        result.add_row(**row)
        share = row["share_of_bare"]
        result.checks.append(
            Check(
                f"{row['endpoint']} throughput",
                "≥ 50% of the bare view",
                f"{share:.0%} ({row['api_req_per_s']:.0f} vs {row['bare_req_per_s']:.0f} req/s)"
                if share is not None
                else "not measured",
                share >= 0.5 if share is not None else None,
            )
        )
        values = [api_counts.get(str(size)) for size in SIZES]
        constant = None not in values and len(set(values)) == 1
        result.checks.append(
            Check(
                f"{row['endpoint']} queries",
                "constant at page sizes 10/50/100",
                f"{row['api_queries']} queries",
                constant,
            )
        )
    result.notes.append(
        "closed loop, 8 keep-alive connections, page size 25, uvicorn --workers 2 on SQLite; the load "
        "generator shares the 2 cores. queries = per request at page sizes 10/50/100 (CaptureQueriesContext). "
        "same_json: the bare view's response equals the real one."
    )
    result.data["queries"] = queries
    return result

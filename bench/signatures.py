"""Signature burst: 50 organisations sign one statement at the same moment, plus 200 retries of
those same requests (same ``Idempotency-Key``, as a client that timed out would resend), against a
real two-worker server on SQLite and on PostgreSQL.

Every request has its own connection and all 250 are in flight together. Afterwards the database
must hold exactly one signature per organisation; every request must answer 201 (first) or the
replayed response (retries). Anything else is a failure, listed by status.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

from bench.env import Context, Server, create_database, django_env, migrate, worker
from bench.httpload import Connection
from bench.report import BenchResult, Check
from bench.stats import percentile

TITLE = "Signature burst (50 organisations at once + 200 idempotent retries)"
ORGANISATIONS = 50
RETRIES_PER_ORG = 4


async def _burst(port: int, slug: str, signers: list[dict[str, str]]) -> dict[str, Any]:
    path = f"/api/v1/statements/{slug}/signatures/"
    keys = {signer["org"]: str(uuid.uuid4()) for signer in signers}
    plan = [(signer, False) for signer in signers] + [
        (signer, True) for signer in signers for _ in range(RETRIES_PER_ORG)
    ]
    rng = random.Random(7)
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    first_done: list[float] = []
    bodies: dict[str, set[str]] = {}
    replayed = 0

    async def one(signer: dict[str, str], retry: bool) -> None:
        nonlocal replayed
        if retry:  # a retry goes out a moment later, while the first attempt may still be running
            await asyncio.sleep(rng.uniform(0, 0.05))
        conn = Connection("127.0.0.1", port)
        started = time.perf_counter()
        try:
            response = await conn.request(
                "POST",
                path,
                headers={"X-Session-Token": signer["token"], "Idempotency-Key": keys[signer["org"]]},
                body={"organisation": signer["org"]},
            )
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
            return
        finally:
            await conn.close()
        elapsed = time.perf_counter() - started
        latencies.append(elapsed * 1000)
        statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
        if response.headers.get("idempotent-replayed") == "true":
            replayed += 1
        if response.status in (200, 201):
            bodies.setdefault(signer["org"], set()).add(str(response.json().get("id")))
            if not retry:
                first_done.append(time.perf_counter())

    started = time.perf_counter()
    await asyncio.gather(*(one(signer, retry) for signer, retry in plan))
    wall = time.perf_counter() - started
    ok = sum(n for code, n in statuses.items() if code in ("200", "201"))
    return {
        "requests": len(plan),
        "ok": ok,
        "failed": len(plan) - ok,
        "statuses": statuses,
        "replayed": replayed,
        "inconsistent_replies": sum(1 for ids in bodies.values() if len(ids) > 1),
        "signatures_per_s": (len(first_done) / (max(first_done) - started)) if first_done else None,
        "requests_per_s": len(plan) / wall,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "wall_s": wall,
    }


def run(ctx: Context) -> BenchResult:
    result = BenchResult(name="signatures", title=TITLE)
    rows = []
    for backend in ctx.backends():
        db = create_database(ctx, backend, "signatures")
        try:
            migrate(ctx, db)
            setup = worker(db, "statement_setup", {"organisations": ORGANISATIONS})
            log = ctx.tmp / f"signatures-{backend}.log"
            with Server("network.asgi:application", django_env(db), workers=2, log_path=log) as server:
                burst = asyncio.run(_burst(server.port, setup["slug"], setup["signers"]))
            stored = worker(db, "statement_check", {"slug": setup["slug"]})
        finally:
            db.drop()
        row = {
            "db": backend,
            "signatures_per_s": burst["signatures_per_s"],
            "requests_per_s": burst["requests_per_s"],
            "p50_ms": burst["p50_ms"],
            "p99_ms": burst["p99_ms"],
            "stored": stored["signatures"],
            "organisations": stored["organisations"],
            "duplicates": stored["duplicates"],
            "requests": burst["requests"],
            "replayed": burst["replayed"],
            "failed": burst["failed"],
            "statuses": " ".join(f"{code}x{n}" for code, n in sorted(burst["statuses"].items())),
        }
        rows.append(row)
        result.add_row(**row)
    if not ctx.postgres:
        result.notes.append("PostgreSQL not reachable on 127.0.0.1:5432: its row is skipped.")
    duplicates = sum(row["duplicates"] for row in rows)
    failed = sum(row["failed"] for row in rows)
    missing = sum(ORGANISATIONS - row["organisations"] for row in rows)
    result.checks.append(
        Check(
            "duplicate signatures",
            "0",
            f"{duplicates} ("
            + ", ".join(f"{r['db']}: {r['stored']} stored for {ORGANISATIONS}" for r in rows)
            + ")",
            duplicates == 0 and missing == 0,
        )
    )
    result.checks.append(
        Check(
            "failed requests",
            "0",
            f"{failed} of {sum(row['requests'] for row in rows)} ("
            + "; ".join(f"{r['db']}: {r['statuses']}" for r in rows)
            + ")",
            failed == 0,
        )
    )
    result.notes.append(
        f"{ORGANISATIONS} first requests + {ORGANISATIONS * RETRIES_PER_ORG} retries with the same "
        "Idempotency-Key, all in flight at once on separate connections; uvicorn --workers 2; "
        "signatures/s = first requests / time until the last of them answered."
    )
    result.data["rows"] = rows
    return result

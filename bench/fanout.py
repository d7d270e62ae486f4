"""Real-time fan-out: N WebSocket clients on one thread, posts through the HTTP API, time from the
post request to each client receiving it — on the in-memory and the Redis channel layers, and
against a bare ASGI broadcast (no Django, no Channels) as the ceiling.

Per round (a fresh server process each, so memory deltas are clean):

1. connect N clients (session cookie), wait until the connect-time traffic (hello, presence) settles;
2. *steady*: posts at a fixed rate → p50/p99 of post-request → arrival, over every client;
3. *burst*: posts back to back → deliveries a second (all clients' arrivals / span);
4. wait for stragglers, then count misses (every client must get every post) and duplicates.

**The ceiling beside each row.** On a shared 2-core machine the bare broadcast's own rate moved by
60-80 % between rounds a minute apart, so one ceiling measured at the start (or the mean of the
first and last rounds) could not judge a row's share. Each project row therefore has a bare server
running beside it, with its own clients connected, and bursts the same number of posts to it
immediately before and after the row's own burst: the row's share is of the mean of those two
(``bare_before_per_s``, ``bare_after_per_s``), measured seconds apart under the same conditions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.env import (
    Context,
    Database,
    Server,
    SkipBenchmark,
    cpu_seconds,
    create_database,
    django_env,
    load_average,
    migrate,
    rss_kib,
    worker,
)
from bench.httpload import Connection
from bench.report import BenchResult, Chart, Check, Series
from bench.stats import mean_of, percentile, ratio
from bench.wsclients import Activity, Listener, marker, open_all

TITLE = "Real-time fan-out (post request → every client)"
_keys = itertools.count(1)


@dataclass
class Target:
    """What a round talks to: the Django stack on some layer, or the bare broadcast."""

    label: str
    app: str
    env: dict[str, str]
    ws_path: str
    post_path: str
    headers_for: Any  # session key -> socket headers
    post_headers: dict[str, str]
    workers: int = 1
    #: Session keys of the readers when they are not the SQLite set-up's (the PostgreSQL row).
    readers: list[str] | None = None


@dataclass
class Plan:
    sizes: list[int]
    rate_per_s: float
    steady_posts: int
    burst_posts: int


def plan_for(ctx: Context) -> Plan:
    """Quick: 1,000 clients; full: 1,000 and 5,000 (``BENCH_FANOUT_SIZES=5000`` picks sizes)."""
    if ctx.quick:
        plan = Plan(sizes=[1000], rate_per_s=2.0, steady_posts=10, burst_posts=20)
    else:
        plan = Plan(sizes=[1000, 5000], rate_per_s=2.0, steady_posts=30, burst_posts=50)
    wanted = os.environ.get("BENCH_FANOUT_SIZES", "")
    if wanted:
        plan.sizes = [int(size) for size in wanted.split(",") if size.strip()]
    return plan


#: Rows by short name, for ``BENCH_FANOUT_ROWS=redis2,bare`` (a subset, e.g. to profile one).
ROW_NAMES = {
    "memory": "in-memory",
    "redis": "redis",
    "redis2": "redis, 2 workers",
    "redis2-pg": "redis, 2 workers, PostgreSQL",
    "channels": "Channels group_send",
    "bare": "bare ASGI",
    "bare-again": "bare ASGI, again",
}
#: Standalone bare rounds: their mean is the ceiling of a row measured without the bare server
#: beside it (on a shared 2-core machine the ceiling moved by 60% between runs ten minutes apart).
BARE_ROWS = ("bare ASGI", "bare ASGI, again")


class _Profiler:
    """``BENCH_PYSPY=<folder>``: record the server (all workers) with py-spy during one phase, as
    collapsed stacks (``<folder>/<row>-<clients>-<phase>.txt``); nothing when unset.
    ``BENCH_PYSPY_IDLE=1`` records waiting threads too (where a post request waits, not only where
    it computes)."""

    def __init__(self, server: Server, target: Target, n: int, phase: str) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        folder = os.environ.get("BENCH_PYSPY", "")
        if not folder or server.proc is None:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = f"{target.label.replace(' ', '_').replace(',', '')}-{n}-{phase}.txt"
        self.proc = subprocess.Popen(
            [shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.proc.pid), "--subprocesses", "--rate", "200",
             "--format", "raw", "--nonblocking", "--output", str(Path(folder) / name),
             *(["--idle", "--threads"] if os.environ.get("BENCH_PYSPY_IDLE") else [])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class Ceiling:
    """The bare broadcast running beside a project row (see the module): its clients and poster."""

    server: Server
    target: Target
    listeners: list[Listener]
    poster: Connection | None = None


async def _burst(poster: Connection, path: str, listeners: list[Listener], count: int) -> float | None:
    """``count`` posts back to back, then wait for every client to have them: deliveries a second
    (arrivals over the span from the first post to the last arrival)."""
    keys = [next(_keys) for _ in range(count)]
    started = time.perf_counter()
    for key in keys:
        with contextlib.suppress(ConnectionError, OSError, asyncio.IncompleteReadError):
            await poster.request("POST", path, body={"body": f"Fan-out {marker(key)}"})
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline:
        if all(len(listener.received) >= count for listener in listeners if listener.ws):
            break
        await asyncio.sleep(0.2)
    arrivals = [listener.received[key] for listener in listeners for key in keys if key in listener.received]
    span = (max(arrivals) - started) if arrivals else None
    return len(arrivals) / span if span else None


async def _open_ceiling(ceiling: Ceiling, sessions: list[str]) -> None:
    """Connect the bare server's clients (as many as the row's) and warm it with one post."""
    activity = Activity()
    ws_base = f"ws://127.0.0.1:{ceiling.server.port}"
    ceiling.listeners = [
        Listener(ws_base + ceiling.target.ws_path, headers={}, origin=ceiling.server.base, activity=activity)
        for _ in sessions
    ]
    await open_all(ceiling.listeners)
    activity.last = time.perf_counter()
    await activity.settle(quiet_s=0.5, timeout_s=60)
    ceiling.poster = Connection("127.0.0.1", ceiling.server.port, {})
    await _burst(ceiling.poster, ceiling.target.post_path, ceiling.listeners, 1)
    for listener in ceiling.listeners:
        listener.received.clear()


async def _ceiling_burst(ceiling: Ceiling | None, count: int) -> tuple[float | None, float, float]:
    """One burst to the bare server beside the row: deliveries/s, and the client CPU seconds and
    wall seconds it took (left out of the row's own figures)."""
    if ceiling is None or ceiling.poster is None:
        return None, 0.0, 0.0
    wall0, cpu0 = time.perf_counter(), cpu_seconds(os.getpid(), children=False)
    per_s = await _burst(ceiling.poster, ceiling.target.post_path, ceiling.listeners, count)
    for listener in ceiling.listeners:
        listener.received.clear()
    return per_s, cpu_seconds(os.getpid(), children=False) - cpu0, time.perf_counter() - wall0


async def _round(
    server: Server, target: Target, sessions: list[str], plan: Plan, ceiling: Ceiling | None = None
) -> dict[str, Any]:
    n = len(sessions)
    origin = server.base
    ws_base = f"ws://127.0.0.1:{server.port}"
    activity = Activity()
    listeners = [
        Listener(ws_base + target.ws_path, headers=target.headers_for(key), origin=origin, activity=activity)
        for key in sessions
    ]
    server_rss0 = server.rss_kib()
    client_rss0 = rss_kib(os.getpid(), children=False)
    profile = _Profiler(server, target, n, "connect")
    connect_s, connect_failures = await open_all(listeners)
    activity.last = time.perf_counter()
    settle_s = await activity.settle(quiet_s=1.0, timeout_s=120)
    settle_s += await asyncio.to_thread(server.wait_idle, timeout_s=180)
    profile.stop()
    server_rss1 = server.rss_kib()
    client_rss1 = rss_kib(os.getpid(), children=False)
    if ceiling is not None:
        await _open_ceiling(ceiling, sessions)
    poster = Connection("127.0.0.1", server.port, target.post_headers)
    # One untimed post first, on every row: a process's first post pays one-time costs (lazy
    # imports, first queries' set-up, the channel layer's first connection) that are not fan-out,
    # and with 10 timed posts one slow post is the p99. Its own latency is recorded apart.
    first_post_ms = None
    warm_started = time.perf_counter()
    with contextlib.suppress(ConnectionError, OSError, asyncio.IncompleteReadError):
        await poster.request("POST", target.post_path, body={"body": "Fan-out warm-up"})
        first_post_ms = (time.perf_counter() - warm_started) * 1000
    activity.last = time.perf_counter()
    await activity.settle(quiet_s=0.5, timeout_s=30)
    profile = _Profiler(server, target, n, "posts")
    # CPU seconds of the server (all workers) and of this client process over the post phases: a
    # client process near one core's worth of CPU per second of wall time is what limits, not the server.
    cpu_wall0, server_cpu0, client_cpu0 = (
        time.perf_counter(),
        server.cpu_seconds(),
        cpu_seconds(os.getpid(), children=False),
    )
    sent_at: dict[int, float] = {}
    post_errors = 0

    post_ms: list[float] = []

    async def post(key: int) -> None:
        nonlocal post_errors
        sent_at[key] = time.perf_counter()
        try:
            response = await poster.request("POST", target.post_path, body={"body": f"Fan-out {marker(key)}"})
            if response.status not in (200, 201):
                post_errors += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            post_errors += 1
        post_ms.append((time.perf_counter() - sent_at[key]) * 1000)

    steady = [next(_keys) for _ in range(plan.steady_posts)]
    started = time.perf_counter()
    for index, key in enumerate(steady):
        delay = started + index / plan.rate_per_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await post(key)
    burst = [next(_keys) for _ in range(plan.burst_posts)]
    await asyncio.sleep(1.0)  # let the steady phase drain so the burst span is its own
    bare_before, bare_cpu, bare_wall = await _ceiling_burst(ceiling, plan.burst_posts)
    burst_started = time.perf_counter()
    for key in burst:
        await post(key)
    everything = steady + burst
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline:
        if all(len(listener.received) >= len(everything) for listener in listeners if listener.ws):
            break
        await asyncio.sleep(0.2)
    await poster.close()
    profile.stop()
    cpu_wall = time.perf_counter() - cpu_wall0 - bare_wall
    server_cpu = server.cpu_seconds() - server_cpu0
    client_cpu = cpu_seconds(os.getpid(), children=False) - client_cpu0 - bare_cpu
    bare_after, _cpu, _wall = await _ceiling_burst(ceiling, plan.burst_posts)
    if ceiling is not None:
        await asyncio.gather(*(listener.close() for listener in ceiling.listeners))
        if ceiling.poster is not None:
            await ceiling.poster.close()
    closed_early = sum(
        1 for listener in listeners if listener.ws is None or listener.ws.close_code is not None
    )
    received_none = sum(1 for listener in listeners if not listener.received)
    await asyncio.gather(*(listener.close() for listener in listeners))

    steady_latency = [
        (listener.received[key] - sent_at[key]) * 1000
        for listener in listeners
        for key in steady
        if key in listener.received
    ]
    burst_arrivals = [
        listener.received[key] for listener in listeners for key in burst if key in listener.received
    ]
    burst_span = (max(burst_arrivals) - burst_started) if burst_arrivals else None
    delivered = sum(1 for listener in listeners for key in everything if key in listener.received)
    return {
        "layer": target.label,
        "clients": n,
        "connect_failures": connect_failures,
        "connect_s": round(connect_s, 2),
        "settle_s": round(settle_s, 2),
        "posts": len(everything),
        "post_errors": post_errors,
        "p50_ms": percentile(steady_latency, 50),
        "p99_ms": percentile(steady_latency, 99),
        "max_ms": max(steady_latency) if steady_latency else None,
        "deliveries_per_s": (len(burst_arrivals) / burst_span) if burst_span else None,
        # The bare broadcast beside the row, bursts just before and after its own (see the module).
        "bare_before_per_s": bare_before,
        "bare_after_per_s": bare_after,
        "misses": n * len(everything) - delivered,
        "duplicates": sum(listener.duplicates for listener in listeners),
        "clients_closed": closed_early,
        "clients_got_nothing": received_none,
        # The post request itself (HTTP, the database write and commit, the response): the part of
        # the latency no fan-out can remove.
        "first_post_request_ms": first_post_ms,
        "post_request_p50_ms": percentile(post_ms, 50),
        "post_request_p99_ms": percentile(post_ms, 99),
        "post_phase_s": round(cpu_wall, 2),
        "server_cpu_s": round(server_cpu, 2),
        "client_cpu_s": round(client_cpu, 2),
        "load_average": load_average(),
        "server_kib_per_conn": (server_rss1 - server_rss0) / n if n else None,
        "client_kib_per_conn": (client_rss1 - client_rss0) / n if n else None,
    }


def _wanted_rows(ctx: Context) -> list[str]:
    """The rows this run measures: ``BENCH_FANOUT_ROWS`` (short names) or the mode's default. Full
    mode adds two Redis workers on PostgreSQL (SQLite has one writer: is that what two workers
    wait on?). The bare broadcast runs first as a row of its own (its latency and deliveries at
    every size); each project row is judged against the bare server beside it (see the module), so
    the second standalone bare round (``bare-again``) is left to runs that ask for it."""
    wanted = os.environ.get("BENCH_FANOUT_ROWS", "")
    if wanted:
        return [ROW_NAMES[name.strip()] for name in wanted.split(",") if name.strip()]
    rows = ["in-memory", "redis", "redis, 2 workers"]
    if not ctx.quick and ctx.postgres:
        rows.append("redis, 2 workers, PostgreSQL")
    return ["bare ASGI", *rows, "Channels group_send"]


def _targets(
    ctx: Context, db: Database, setup: dict[str, Any], pg: tuple[Database, dict] | None
) -> list[Target]:
    thread_path = f"/ws/threads/{setup['thread_id']}/"
    post_path = f"/api/v1/threads/{setup['thread_id']}/posts/"
    poster_headers = {"X-Session-Token": setup["poster"]}

    def cookie(key: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={key}"}

    targets = [
        Target(
            "in-memory",
            "network.asgi:application",
            django_env(db),
            thread_path,
            post_path,
            cookie,
            poster_headers,
        )
    ]
    if ctx.redis:
        for workers in (1, 2):
            targets.append(
                Target(
                    "redis" if workers == 1 else "redis, 2 workers",
                    "network.asgi:application",
                    django_env(db, redis_url=ctx.redis_url),
                    thread_path,
                    post_path,
                    cookie,
                    poster_headers,
                    workers=workers,
                )
            )
        if pg is not None:
            pg_db, pg_setup = pg
            targets.append(
                Target(
                    "redis, 2 workers, PostgreSQL",
                    "network.asgi:application",
                    django_env(pg_db, redis_url=ctx.redis_url),
                    f"/ws/threads/{pg_setup['thread_id']}/",
                    f"/api/v1/threads/{pg_setup['thread_id']}/posts/",
                    cookie,
                    {"X-Session-Token": pg_setup["poster"]},
                    workers=2,
                    readers=pg_setup["readers"],
                )
            )
    targets.append(
        Target(
            "Channels group_send",
            "bench.channels_broadcast:app",
            dict(os.environ, BENCH_LAYER_URL=""),
            "/ws/bare/",
            "/post",
            lambda key: {},
            {},
        )
    )
    targets += [_bare_target(label) for label in BARE_ROWS]
    return targets


def _bare_target(label: str) -> Target:
    return Target(
        label, "bench.bare_broadcast:app", dict(os.environ), "/ws/bare/", "/post", lambda key: {}, {}
    )


def run(ctx: Context) -> BenchResult:
    plan = plan_for(ctx)
    result = BenchResult(name="fanout", title=TITLE)
    rows = _wanted_rows(ctx)
    db = create_database(ctx, "sqlite", "fanout")
    pg_db: Database | None = None
    try:
        migrate(ctx, db)
        setup = worker(db, "forum_setup", {"readers": max(plan.sizes)})
        pg = None
        if "redis, 2 workers, PostgreSQL" in rows and ctx.redis and ctx.postgres:
            pg_db = create_database(ctx, "postgresql", "fanout")
            migrate(ctx, pg_db)
            pg = (pg_db, worker(pg_db, "forum_setup", {"readers": max(plan.sizes)}))
        rounds: list[dict[str, Any]] = []
        targets = [target for target in _targets(ctx, db, setup, pg) if target.label in rows]
        for target in sorted(targets, key=lambda target: rows.index(target.label)):
            for size in plan.sizes:
                log = ctx.tmp / f"fanout-{target.label.replace(' ', '_')}-{size}.log"
                ready = "/healthz" if target.app.startswith("network") else "/"
                round_started = time.perf_counter()
                beside = _bare_target("bare ASGI, beside") if target.label not in BASELINES else None
                with contextlib.ExitStack() as servers:
                    server = servers.enter_context(
                        Server(target.app, target.env, workers=target.workers, log_path=log, ready_path=ready)
                    )
                    ceiling = None
                    if beside is not None:
                        bare_log = ctx.tmp / f"fanout-beside-{target.label.replace(' ', '_')}-{size}.log"
                        bare = servers.enter_context(
                            Server(beside.app, beside.env, log_path=bare_log, ready_path="/")
                        )
                        ceiling = Ceiling(bare, beside, [])
                    readers = target.readers or setup["readers"]
                    row = asyncio.run(_round(server, target, readers[:size], plan, ceiling))
                rounds.append(row)
                result.add_row(**row)
                print(
                    f"   {target.label:9} {size:5} clients: p99 {row['p99_ms'] or 0:.0f} ms, "
                    f"{row['deliveries_per_s'] or 0:,.0f}/s, misses {row['misses']}, "
                    f"post request p50 {row['post_request_p50_ms'] or 0:.0f} ms, "
                    f"CPU s server {row['server_cpu_s']} / client {row['client_cpu_s']} "
                    + (
                        f"(bare beside {row['bare_before_per_s'] or 0:,.0f}/s before, "
                        f"{row['bare_after_per_s'] or 0:,.0f}/s after) "
                        if row["bare_before_per_s"] is not None
                        else ""
                    )
                    + f"in {row['post_phase_s']} s, load {row['load_average']}; "
                    f"connect {row['connect_s']} s, round {time.perf_counter() - round_started:.0f} s",
                    flush=True,
                )
    finally:
        db.drop()
        if pg_db is not None:
            pg_db.drop()
    if not ctx.redis:
        result.notes.append("Redis not reachable on 127.0.0.1:6379: the Redis layer column is skipped.")
    result.notes.append(
        f"steady: {plan.steady_posts} posts at {plan.rate_per_s:g}/s for latency; burst: {plan.burst_posts} "
        "posts back to back for deliveries/s; one uvicorn worker unless the row says two (Redis); SQLite "
        "unless the row says PostgreSQL; clients and server share 2 cores (server_cpu_s / client_cpu_s: "
        "CPU seconds each used over the post phases, post_phase_s of wall time)."
    )
    _checks(result, rounds, plan)
    labels = list(dict.fromkeys(row["layer"] for row in rounds))
    result.charts.append(
        Chart(
            title="Fan-out latency p99 vs clients",
            x_label="WebSocket clients on one thread",
            y_label="p99 post → arrival (ms)",
            series=[
                Series(label, [(row["clients"], row["p99_ms"]) for row in rounds if row["layer"] == label])
                for label in labels
            ],
        )
    )
    result.data["rounds"] = rounds
    return result


#: The client count the goals name (issue 21): p99 and the share of bare deliveries/s are judged there.
GOAL_CLIENTS = 1000
BASELINES = (*BARE_ROWS, "Channels group_send")


def _ceiling(at_size: dict[str, dict[str, Any]]) -> float | None:
    """The bare broadcast's deliveries/s at one size: the mean of its runs before and after the
    project's rows (or the one that ran)."""
    return mean_of([at_size[label]["deliveries_per_s"] for label in BARE_ROWS if label in at_size])


def _beside(row: dict[str, Any]) -> float | None:
    """The ceiling measured beside a row (the mean of the bare bursts just before and after its
    own), when it was."""
    return mean_of([row.get("bare_before_per_s"), row.get("bare_after_per_s")])


def _checks(result: BenchResult, rounds: list[dict[str, Any]], plan: Plan) -> None:
    """Targets at :data:`GOAL_CLIENTS` (judged only when that size ran: a figure at another size
    is shown but not judged against a goal set for 1,000); every other size gets a note."""
    if not rounds:
        raise SkipBenchmark("no round ran")
    judged = GOAL_CLIENTS if GOAL_CLIENTS in plan.sizes else max(plan.sizes)
    for size in sorted(plan.sizes):
        at_size = {row["layer"]: row for row in rounds if row["clients"] == size}
        bare = _ceiling(at_size)
        if all(label in at_size for label in BARE_ROWS):
            before, after = (at_size[label]["deliveries_per_s"] or 0 for label in BARE_ROWS)
            result.notes.append(
                f"bare ASGI ceiling, {size} clients: {before:,.0f}/s before the project's rows, "
                f"{after:,.0f}/s after; shares are of the mean, {bare or 0:,.0f}/s"
            )
        plain = at_size.get("Channels group_send")
        if plain is not None:
            share = ratio(plain["deliveries_per_s"], bare)
            result.notes.append(
                f"plain Channels consumer (group_send, in-memory), {size} clients: "
                + (f"{share:.0%} of bare" if share is not None else "bare not measured")
            )
        for label, row in at_size.items():
            if label in BASELINES:
                continue
            p99 = row["p99_ms"]
            beside = _beside(row)
            ceiling = beside or bare
            share = ratio(row["deliveries_per_s"], ceiling)
            versus_plain = ratio(row["deliveries_per_s"], plain["deliveries_per_s"] if plain else None)
            if versus_plain is not None:
                result.notes.append(
                    f"{label}, {size} clients: {versus_plain:.2f} times the plain Channels consumer's deliveries/s"
                )
            if size != judged:
                result.notes.append(
                    f"{label}, {size} clients: p99 {p99:.0f} ms, "
                    + (f"{share:.0%} of bare deliveries/s" if share is not None else "bare not measured")
                    if p99 is not None
                    else f"{label}, {size} clients: no deliveries"
                )
                continue
            at_goal = size == GOAL_CLIENTS
            result.checks.append(
                Check(
                    f"fan-out p99 ({label})",
                    "≤ 250 ms at 1,000 clients",
                    f"{p99:.0f} ms at {size} clients" if p99 is not None else "no deliveries",
                    (p99 is not None and p99 <= 250) if at_goal else None,
                )
            )
            where = " beside" if beside else ""
            if beside:
                result.notes.append(
                    f"{label}, {size} clients: the bare broadcast beside it, "
                    f"{row['bare_before_per_s'] or 0:,.0f}/s just before its burst and "
                    f"{row['bare_after_per_s'] or 0:,.0f}/s just after"
                )
            result.checks.append(
                Check(
                    f"deliveries/s vs bare ({label})",
                    "≥ 50% of the bare ASGI broadcast at 1,000 clients",
                    f"{share:.0%} ({row['deliveries_per_s'] or 0:,.0f} vs {ceiling or 0:,.0f}/s{where})"
                    f" at {size} clients"
                    if share is not None
                    else "not measured",
                    share >= 0.5 if share is not None and at_goal else None,
                )
            )
    django_rounds = [row for row in rounds if row["layer"] not in BASELINES]
    misses = sum(row["misses"] for row in django_rounds)
    result.checks.append(
        Check(
            "messages missed",
            "0 (every client gets every post)",
            f"{misses} of {sum(row['posts'] * row['clients'] for row in django_rounds):,}",
            misses == 0,
        )
    )

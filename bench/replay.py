"""Reconnect and replay: 100 clients each dropped 20 times at random while posts flow.

Each client remembers the highest ``seq`` it has seen and, on every reconnect, sends
``{"type": "resume", "after": seq}``; the thread consumer replays what it missed from the
database before live events continue. Afterwards every client must hold every post exactly once:
missing and duplicate posts are counted per client. Catch-up time is from the reconnect to the
moment the client holds every post acknowledged before it reconnected.

The same run with resume disabled (clients just reconnect) shows what would have been lost.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect

from bench.env import Context, Server, create_database, django_env, migrate, worker
from bench.httpload import Connection
from bench.report import BenchResult, Check
from bench.stats import percentile

TITLE = "Reconnect and replay (resume after seq)"


@dataclass
class Plan:
    clients: int = 100
    drops: int = 20
    rate_per_s: float = 5.0
    hold_s: tuple[float, float] = (0.3, 1.4)
    offline_s: tuple[float, float] = (0.05, 0.3)


@dataclass
class ClientState:
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0
    #: Posts the client asked for again: a resume sent ``after=contiguous`` (the last seq it holds
    #: without a gap), so the replay also brings what it holds above a gap. Requested, not
    #: duplicates: the server sends every post after ``after`` once per connection.
    asked_again: int = 0
    highest: int = 0
    contiguous: int = 0
    catchups_ms: list[float] = field(default_factory=list)
    reconnect_failures: int = 0
    attempt: int = 0
    server_closes: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)


class Done:
    """Set when posting stops; clients on their last connection drain for at most 15 s more."""

    def __init__(self) -> None:
        self.at: float | None = None

    def finish(self) -> None:
        self.at = time.perf_counter()

    def is_set(self) -> bool:
        return self.at is not None

    def expired(self, grace_s: float = 15.0) -> bool:
        return self.at is not None and time.perf_counter() - self.at > grace_s


class Poster:
    """Posts at a steady rate through the HTTP API until told to stop; counts acknowledged posts."""

    def __init__(self, port: int, path: str, token: str, rate: float) -> None:
        self.conn = Connection("127.0.0.1", port, {"X-Session-Token": token})
        self.path = path
        self.rate = rate
        self.acked = 0
        self.last_seq = 0
        self.errors = 0
        self.stop = asyncio.Event()

    async def run(self) -> None:
        started = time.perf_counter()
        index = 0
        while not self.stop.is_set():
            delay = started + index / self.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            index += 1
            try:
                response = await self.conn.request("POST", self.path, body={"body": f"Replay post {index}"})
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                self.errors += 1
                continue
            if response.status in (200, 201):
                self.acked += 1
                self.last_seq = max(self.last_seq, int(response.json().get("seq", 0)))
            else:
                self.errors += 1
        await self.conn.close()


async def _client(
    url: str, headers: dict[str, str], origin: str, state: ClientState, poster: Poster, plan: Plan,
    *, resume: bool, rng: random.Random, done: Done,
) -> None:  # fmt: skip
    for attempt in range(plan.drops + 1):
        state.attempt = attempt
        try:
            ws = await connect(
                url, additional_headers=headers, origin=origin, compression=None,  # type: ignore[arg-type]
                max_queue=None, ping_interval=None, open_timeout=60, close_timeout=1,
            )  # fmt: skip
        except Exception:
            state.reconnect_failures += 1
            await asyncio.sleep(0.2)
            continue
        reconnected_at = time.perf_counter()
        asked_after = state.contiguous if resume else None
        this_connection: set[int] = set()
        target = poster.last_seq
        waiting = attempt > 0 and target > state.contiguous
        if resume:  # the first connection too: a page loaded at seq N opens its socket with after=N
            # From the last seq it holds without a gap: a live post can reach a fresh socket before
            # the replay of older ones, and a drop in between leaves a hole below ``highest``.
            await ws.send(json.dumps({"type": "resume", "after": state.contiguous}))
        if attempt == 0:
            state.connected.set()
        last_round = attempt == plan.drops
        hold_until = reconnected_at + rng.uniform(*plan.hold_s)
        try:
            while True:
                if last_round:
                    if done.is_set() and state.contiguous >= poster.last_seq:
                        break
                    timeout = 0.5
                else:
                    timeout = hold_until - time.perf_counter()
                    if timeout <= 0:
                        break
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout)
                except TimeoutError:
                    if last_round and done.expired():
                        break
                    continue
                data = json.loads(message)
                if data.get("type") != "post.created":
                    continue
                seq = int(data["post"]["seq"])
                twice_here = seq in this_connection
                this_connection.add(seq)
                if seq in state.seen:
                    if (
                        not twice_here
                        and data.get("replay")
                        and asked_after is not None
                        and seq > asked_after
                    ):
                        state.asked_again += 1
                    else:
                        state.duplicates += 1
                    continue
                state.seen.add(seq)
                state.highest = max(state.highest, seq)
                while state.contiguous + 1 in state.seen:
                    state.contiguous += 1
                if waiting and state.contiguous >= target:
                    state.catchups_ms.append((time.perf_counter() - reconnected_at) * 1000)
                    waiting = False
        except Exception:  # the server closed on us: the next attempt reconnects
            state.server_closes += 1
        if last_round:
            await ws.close()
            return
        ws.transport.abort()  # an abrupt drop, like a train entering a tunnel
        await asyncio.sleep(rng.uniform(*plan.offline_s))


async def _round(
    server: Server, setup: dict[str, Any], plan: Plan, *, resume: bool, start_seq: int
) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{server.port}/ws/threads/{setup['thread_id']}/"
    path = f"/api/v1/threads/{setup['thread_id']}/posts/"
    poster = Poster(server.port, path, setup["poster"], plan.rate_per_s)
    poster.last_seq = start_seq
    states = [
        ClientState(seen=set(range(1, start_seq + 1)), highest=start_seq, contiguous=start_seq)
        for _ in range(plan.clients)
    ]
    done = Done()
    rng = random.Random(20261125 + int(resume))
    clients = [
        asyncio.ensure_future(
            _client(url, {"Cookie": f"sessionid={key}"}, server.base, state, poster, plan, resume=resume,
                    rng=random.Random(rng.random()), done=done)
        )
        for key, state in zip(setup["readers"][: plan.clients], states, strict=True)
    ]  # fmt: skip
    # Posting starts once every client is subscribed, so nothing is "missed" before a first connect.
    await asyncio.wait_for(asyncio.gather(*(state.connected.wait() for state in states)), 120)
    poster_task = asyncio.ensure_future(poster.run())
    started = time.perf_counter()
    # Posts flow until every client is on its last connection (all its drops used), at most 5 min.
    while not all(state.attempt >= plan.drops for state in states) and time.perf_counter() - started < 300:
        await asyncio.sleep(0.2)
    poster.stop.set()
    await poster_task
    done.finish()
    await asyncio.wait_for(asyncio.gather(*clients, return_exceptions=True), 120)
    final = poster.last_seq
    expected = set(range(start_seq + 1, final + 1))
    missing = [len(expected - state.seen) for state in states]
    catchups = [c for state in states for c in state.catchups_ms]
    return {
        "resume": "on" if resume else "off",
        "clients": plan.clients,
        "drops_per_client": plan.drops,
        "posts": len(expected),
        "post_errors": poster.errors,
        "missing": sum(missing),
        "clients_missing_any": sum(1 for m in missing if m),
        "duplicates": sum(state.duplicates for state in states),
        "asked_again": sum(state.asked_again for state in states),
        "catchups": len(catchups),
        "catchup_p50_ms": percentile(catchups, 50),
        "catchup_p95_ms": percentile(catchups, 95),
        "reconnect_failures": sum(state.reconnect_failures for state in states),
        "server_closes": sum(state.server_closes for state in states),
        "seconds": round(time.perf_counter() - started, 1),
    }


def run(ctx: Context) -> BenchResult:
    # Quick mode drops each client 5 times (the 20 in --full): on 2 cores a round of 2,000
    # reconnects takes minutes, since every join and leave broadcasts presence to the whole thread.
    plan = Plan(drops=5) if ctx.quick else Plan(drops=20)
    result = BenchResult(name="replay", title=TITLE)
    db = create_database(ctx, "sqlite", "replay")
    try:
        migrate(ctx, db)
        setup = worker(db, "forum_setup", {"readers": plan.clients})
        start_seq = setup["last_seq"]
        rows = []
        for resume in (True, False):
            log = ctx.tmp / f"replay-{'on' if resume else 'off'}.log"
            with Server("network.asgi:application", django_env(db), log_path=log) as server:
                row = asyncio.run(_round(server, setup, plan, resume=resume, start_seq=start_seq))
            start_seq += row["posts"]
            rows.append(row)
            result.add_row(**row)
    finally:
        db.drop()
    on, off = rows
    result.checks.append(
        Check(
            "missing after resume",
            "0",
            f"{on['missing']} (without resume: {off['missing']} lost by {off['clients_missing_any']} clients)",
            on["missing"] == 0,
        )
    )
    result.checks.append(Check("duplicates after resume", "0", str(on["duplicates"]), on["duplicates"] == 0))
    p95 = on["catchup_p95_ms"]
    result.checks.append(
        Check(
            "catch-up time p95",
            "reported (no target)",
            f"{p95:.0f} ms over {on['catchups']} reconnects that had missed posts"
            if p95 is not None
            else "-",
            None,
        )
    )
    result.notes.append(
        f"{plan.clients} clients x {plan.drops} abrupt drops (TCP abort), online {plan.hold_s[0]}-{plan.hold_s[1]} s, "
        f"offline {plan.offline_s[0]}-{plan.offline_s[1]} s; posts at {plan.rate_per_s:g}/s via the HTTP API; "
        "in-memory layer, SQLite, one uvicorn worker."
    )
    result.data["rounds"] = rows
    return result

"""The full garbage collection after a burst of sockets runs once the burst has settled
(``network.startup.BurstCollector``), not at whatever moment CPython's counters fall due."""

from __future__ import annotations

import asyncio
import gc

from network.startup import BurstCollector


def _full_collections_during(coro) -> int:
    seen: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(watch)
    try:
        asyncio.run(coro)
    finally:
        gc.callbacks.remove(watch)
    return len(seen)


def test_a_burst_of_joins_is_followed_by_one_full_collection_once_quiet():
    collector = BurstCollector(quiet_s=0.05, min_joins=3)

    async def burst() -> None:
        for _ in range(5):
            collector.joined()
        await asyncio.sleep(0.5)

    assert _full_collections_during(burst()) >= 1
    assert collector.collections == 1
    assert collector.joins == 0


def test_a_few_joins_do_not_collect():
    collector = BurstCollector(quiet_s=0.05, min_joins=100)

    async def few() -> None:
        for _ in range(5):
            collector.joined()
        await asyncio.sleep(0.3)

    asyncio.run(few())
    assert collector.collections == 0

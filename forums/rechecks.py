"""Access re-checks of thread sockets, batched per process: one database hop for every socket that
asks within a moment, and one query per kind of reader rather than four per socket.

A socket re-checks that its person may still read the thread every
``FORUMS_ACCESS_RECHECK_SECONDS`` and whenever a membership change rings (a person's or a whole
thread's re-check). Alone, each re-check was a thread-pool hop and four queries (the person's
memberships, groups and convened groups, then the thread through the read rule): a thousand sockets
re-checking after a thread-wide change, or five thousand on their periodic round, queued thousands
of queries in front of the next post request. Here the re-checks that arrive while the previous
batch runs (or within the same turn of the loop) go out together through
:func:`forums.selectors.thread_readable_by` — the same read rule, with fresh roles — and each socket
gets its own answer. The rule and its freshness are unchanged; only the queries are shared.

The access check of a socket that connects is the same check, and a reconnect storm (a deploy, a
benchmark's thousand clients) asks it a thousand times within seconds; :func:`readable_thread`
batches those the same way and reads the thread row once per batch
(:func:`forums.selectors.thread_for_readers`): a third of a connect storm's server time was these
look-ups, four queries each.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from forums import selectors
from network.realtime import socket_database_sync_to_async

#: At most this many re-checks in one hop (a hop holds the socket thread; the next batch follows).
BATCH = 2000


class _Batcher:
    """The pending re-checks of one event loop, by thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: dict[int, list[tuple[Any, asyncio.Future]]] = {}
        #: Thread ids whose batch must also read the thread row (a connecting socket asked).
        self.rows: set[int] = set()
        self.task: asyncio.Task | None = None

    def ask(self, person: Any, thread_id: int, *, row: bool = False) -> asyncio.Future:
        """A future of ``(thread or None, readable)``; the thread only when ``row`` is asked."""
        future = asyncio.get_running_loop().create_future()
        self.pending.setdefault(thread_id, []).append((person, future))
        if row:
            self.rows.add(thread_id)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())
        return future

    async def _run(self) -> None:
        await asyncio.sleep(0)  # the sockets a fan-out woke in this turn join the batch
        while self.pending:
            batch: list[tuple[int, list[tuple[Any, asyncio.Future]]]] = []
            size = 0
            for thread_id in list(self.pending):
                asks = self.pending[thread_id]
                taken, rest = asks[: BATCH - size], asks[BATCH - size :]
                batch.append((thread_id, taken))
                size += len(taken)
                if rest:
                    self.pending[thread_id] = rest
                else:
                    del self.pending[thread_id]
                if size >= BATCH:
                    break
            rows = {thread_id for thread_id, _ in batch if thread_id in self.rows}
            self.rows -= rows
            try:
                answers = await _readable([(tid, [p for p, _ in asks], tid in rows) for tid, asks in batch])
            except Exception as exc:  # every socket of the batch sees the failure, as alone
                for _, asks in batch:
                    for _, future in asks:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for (_, asks), (thread, readable) in zip(batch, answers, strict=True):
                for (_, future), ok in zip(asks, readable, strict=True):
                    if not future.done():
                        future.set_result((copy.copy(thread) if ok and thread is not None else None, ok))


@socket_database_sync_to_async
def _readable(batch: list[tuple[int, list[Any], bool]]) -> list[tuple[Any, list[bool]]]:
    return [
        selectors.thread_for_readers(persons, thread_id)
        if row
        else (None, selectors.thread_readable_by(persons, thread_id))
        for thread_id, persons, row in batch
    ]


_batchers: dict[int, _Batcher] = {}


def _batcher() -> _Batcher:
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(id(loop))
    if batcher is None or batcher.loop is not loop:
        if len(_batchers) > 8:  # tests run one loop per test
            _batchers.clear()
        batcher = _batchers[id(loop)] = _Batcher(loop)
    return batcher


async def may_read(person: Any, thread_id: int) -> bool:
    """Whether ``person`` may still read the thread (fresh roles), batched with this process's
    other re-checks."""
    _thread, readable = await asyncio.shield(_batcher().ask(person, thread_id))
    return readable


async def readable_thread(person: Any, thread_id: int) -> Any:
    """The thread if ``person`` may read it (fresh roles), else None — what
    ``selectors.thread_get(person, thread_id, fresh=True)`` answers, batched with the other
    sockets connecting or re-checking in this process (each socket gets its own copy of the row)."""
    thread, _readable = await asyncio.shield(_batcher().ask(person, thread_id, row=True))
    return thread

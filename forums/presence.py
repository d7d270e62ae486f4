"""Who is viewing a thread, and who is typing: coalesced per thread, per process.

Presence used to be broadcast by every socket on every join and leave, with the full name list, to
every socket of the thread: connecting N clients cost N² channel messages, and the backlog outlived
the channel layer's message expiry (which makes Channels drop the channel from all its groups).

Now each server process keeps its own thread's viewers in memory (sockets join and leave without a
cache or database call) and one task per thread and process, :class:`ThreadChatter`, publishes at
most once per ``FORUMS_PRESENCE_INTERVAL_SECONDS``:

* presence: the process writes its viewers into the thread's shared map in the cache (one get and
  one set; entries carry the process id and a timestamp, and drop out when not refreshed within
  ``STALE_AFTER``), merges every process's entries, and sends *one* summary — ``count`` of distinct
  people and at most ``MAX_NAMES`` names — to the thread group if it changed. Connecting N clients in
  a burst therefore costs a handful of summaries times N deliveries, O(N), not O(N²).
* typing: people who typed since the last flush go out together in one message.

Presence is advisory (a name list on the page): a lost update between two processes is repaired by
the next refresh (every ``REFRESH_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

STALE_AFTER = 90
REFRESH_SECONDS = 30
MAX_NAMES = 20
#: Identifies this process's entries in the shared map.
PROCESS = uuid.uuid4().hex[:12]

Entry = tuple[int, str, float, str]  # person id, display name, refreshed at, process


def _key(thread_id: int) -> str:
    return f"forums:presence:{thread_id}"


def summary(entries: dict[str, Entry]) -> dict[str, Any]:
    """``count`` of distinct people (one person may have several tabs open) and the first
    ``MAX_NAMES`` of their names, sorted."""
    people = {entry[0]: entry[1] for entry in entries.values()}
    names = sorted(people.values(), key=str.casefold)
    return {"count": len(people), "viewers": names[:MAX_NAMES]}


def publish(thread_id: int, local: dict[str, tuple[int, str]], process: str = PROCESS) -> dict[str, Any]:
    """Replace this process's entries in the thread's shared map with ``local`` (channel name →
    person id, name); return the summary of every process's live entries."""
    now = time.time()
    entries: dict[str, Entry] = cache.get(_key(thread_id)) or {}
    merged = {
        channel: entry
        for channel, entry in entries.items()
        if entry[3] != process and now - entry[2] < STALE_AFTER
    }
    merged.update({channel: (pid, name, now, process) for channel, (pid, name) in local.items()})
    if merged:
        cache.set(_key(thread_id), merged, timeout=STALE_AFTER * 2)
    else:
        cache.delete(_key(thread_id))
    return summary(merged)


def interval() -> float:
    return float(getattr(settings, "FORUMS_PRESENCE_INTERVAL_SECONDS", 1.0))


class ThreadChatter:
    """Presence and typing of one thread in this process, flushed by one task at most once per
    :func:`interval` to the thread's group."""

    def __init__(self, thread_id: int, group: str, layer: Any) -> None:
        self.thread_id = thread_id
        self.group = group
        self.layer = layer
        self.viewers: dict[str, tuple[int, str]] = {}
        self.typing: dict[int, str] = {}
        self.presence_dirty = False
        self.last_summary: dict[str, Any] | None = None
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None

    def poke(self) -> None:
        self.wake.set()
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        publish_async = sync_to_async(publish, thread_sensitive=False)
        last_publish = 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=REFRESH_SECONDS)
            self.wake.clear()
            typing, self.typing = self.typing, {}
            try:
                if typing:
                    people = [[pid, name] for pid, name in typing.items()]
                    await self.layer.group_send(self.group, {"type": "forum.typing", "people": people})
                refresh_due = time.monotonic() - last_publish >= REFRESH_SECONDS
                if self.presence_dirty or refresh_due:
                    self.presence_dirty = False
                    last_publish = time.monotonic()
                    current = await publish_async(self.thread_id, dict(self.viewers))
                    if current != self.last_summary:
                        self.last_summary = current
                        await self.layer.group_send(self.group, {"type": "forum.presence", **current})
            except Exception:  # advisory chatter must never take the thread's sockets down
                logger.warning("presence flush for thread %s failed", self.thread_id, exc_info=True)
            if not self.viewers and not self.typing and not self.presence_dirty:
                _registry().pop(self.thread_id, None)
                return
            await asyncio.sleep(interval())


_registries: dict[int, dict[int, ThreadChatter]] = {}


def _registry() -> dict[int, ThreadChatter]:
    """Chatter state of the running event loop (tests run one loop per test)."""
    loop = asyncio.get_running_loop()
    if len(_registries) > 8 and id(loop) not in _registries:
        _registries.clear()
    return _registries.setdefault(id(loop), {})


def _chatter(thread_id: int, group: str, layer: Any) -> ThreadChatter:
    registry = _registry()
    chatter = registry.get(thread_id)
    if chatter is None or chatter.layer is not layer:
        chatter = registry[thread_id] = ThreadChatter(thread_id, group, layer)
    return chatter


def join(thread_id: int, group: str, layer: Any, channel_name: str, person_id: int, name: str) -> None:
    """A socket started viewing (no I/O here: the flush publishes it). Sockets call it again on
    every heartbeat: a viewer already listed changes nothing (the flush task republishes every
    ``REFRESH_SECONDS`` anyway), so thousands of beats do not make every flush rewrite the map."""
    chatter = _chatter(thread_id, group, layer)
    viewer = (person_id, name)
    if chatter.viewers.get(channel_name) == viewer and chatter.task is not None and not chatter.task.done():
        return
    chatter.viewers[channel_name] = viewer
    chatter.presence_dirty = True
    chatter.poke()


def leave(thread_id: int, group: str, layer: Any, channel_name: str) -> None:
    chatter = _chatter(thread_id, group, layer)
    if chatter.viewers.pop(channel_name, None) is not None:
        chatter.presence_dirty = True
        chatter.poke()


def typing(thread_id: int, group: str, layer: Any, person_id: int, name: str) -> None:
    """Someone typed: announced with everyone else who typed in the same interval."""
    chatter = _chatter(thread_id, group, layer)
    chatter.typing[person_id] = name
    chatter.poke()

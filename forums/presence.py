"""Who is viewing a thread: a small map in the cache, channel name → (person, display name, seen).

Presence is advisory (a name list on the page), so a lost update between two processes is
tolerable; entries not refreshed by a socket's heartbeat within ``STALE_AFTER`` seconds drop out.
"""

from __future__ import annotations

import time

from django.core.cache import cache

STALE_AFTER = 90


def _key(thread_id: int) -> str:
    return f"forums:presence:{thread_id}"


def _live(entries: dict) -> dict:
    now = time.time()
    return {ch: e for ch, e in entries.items() if now - e[2] < STALE_AFTER}


def join(thread_id: int, channel_name: str, person_id: int, name: str) -> list[str]:
    entries = _live(cache.get(_key(thread_id)) or {})
    entries[channel_name] = (person_id, name, time.time())
    cache.set(_key(thread_id), entries, timeout=STALE_AFTER * 2)
    return names(entries)


def leave(thread_id: int, channel_name: str) -> list[str]:
    entries = _live(cache.get(_key(thread_id)) or {})
    entries.pop(channel_name, None)
    cache.set(_key(thread_id), entries, timeout=STALE_AFTER * 2)
    return names(entries)


def names(entries: dict) -> list[str]:
    """Distinct display names (one person may have several tabs open), sorted."""
    return sorted({e[1] for e in entries.values()}, key=str.casefold)

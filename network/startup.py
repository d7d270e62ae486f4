"""What a server process does once, before it serves (called by :mod:`network.asgi`).

Two things a process otherwise pays for while serving:

* **URL resolvers per language.** Django fills a resolver's reverse tables the first time a URL is
  reversed in each language (``i18n_patterns``): about 150 ms of regex work, which the first post
  of each language paid inside its request (``Post.get_absolute_url`` in the notifications) — in
  the fan-out benchmark, the first post of a run reached its readers 300 to 400 ms late.
* **Start-up objects in every full garbage collection.** Everything imported at start-up (about
  150,000 tracked objects: Django, the apps, DRF, Channels) lives as long as the process, yet every
  full collection walked it again. A full collection runs whenever the long-lived objects have
  grown by a quarter — after a burst of connections, e.g. a deploy's reconnect storm — and with a
  thousand sockets it walked ~400,000 objects, stopping the event loop 200 to 800 ms on a busy
  2-core machine (measured with ``gc.callbacks``). :func:`freeze_start_up_heap` moves the start-up
  objects to the permanent generation (``gc.freeze``, what CPython documents for long-lived
  servers), so a full collection walks only what sockets and requests created since. Nothing that
  exists at that moment is garbage later: module globals, classes, settings, resolvers.
* **The full collection after a burst of sockets** (:class:`BurstCollector`): run by the process
  once the burst has settled, not left to fall in the middle of the next posts.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
from typing import Any

from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.utils import translation


def _fill(resolver: URLResolver, seen: set[int]) -> None:
    if id(resolver) in seen:
        return
    seen.add(id(resolver))
    resolver.reverse_dict  # noqa: B018 — the property fills the tables for the active language
    for _prefix, sub in resolver.namespace_dict.values():
        _fill(sub, seen)


def warm_url_resolvers() -> None:
    """Fill the reverse tables of the root resolver and its namespaces in every site language.

    In a context of its own: each resolver marks itself "populating" in an ``asgiref.local.Local``
    (a context variable), about a hundred of them, and filled in the process's main context those
    variables were inherited by every task the server started. asgiref copies a task's context
    variables across every ``sync_to_async`` and ``async_to_sync`` hop (re-homing each ``Local``),
    so each hop of every request and socket heartbeat paid for a hundred of them: 5-7 % of the
    server's CPU in the fan-out benchmark."""
    contextvars.copy_context().run(_fill_all)


def _fill_all() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _fill(get_resolver(), set())


def freeze_start_up_heap() -> None:
    """Collect what start-up left behind, then keep the survivors out of later collections."""
    gc.collect()
    gc.freeze()


class BurstCollector:
    """One full garbage collection once a burst of long-lived objects has settled.

    A socket leaves about 250 tracked objects behind (the consumer, its middleware coroutines, its
    heartbeat task), all of which survive into the oldest generation. CPython runs a full
    collection when that generation has grown by a quarter since the last one, so after a burst of
    connections (a deploy's reconnect storm, the benchmark's thousand clients) the next full
    collection was due at a moment nobody chose: measured in the middle of the posts that followed,
    a 200 to 800 ms stop of the event loop walking 300,000 objects, late for every socket of the
    process. Here the process runs that collection itself, on the event loop, once no socket has
    joined for ``quiet_s`` seconds after at least ``min_joins`` did: the loop pauses while nothing
    is waiting for it, and the count CPython keeps starts from zero again, so the next full
    collection is a whole quarter of the heap away (posts leave almost nothing long-lived).

    Not ``gc.freeze()``: a socket's objects become garbage when it closes, and frozen cycles would
    never be freed."""

    def __init__(self, *, quiet_s: float = 1.0, min_joins: int = 100) -> None:
        self.quiet_s = quiet_s
        self.min_joins = min_joins
        self.joins = 0
        self.last_join = 0.0
        self.collections = 0
        self._timer: Any = None

    def joined(self) -> None:
        """A long-lived socket was opened (call on the event loop)."""
        loop = asyncio.get_running_loop()
        self.joins += 1
        self.last_join = loop.time()
        if self.joins >= self.min_joins and self._timer is None:
            self._timer = loop.call_later(self.quiet_s, self._settled)

    def _settled(self) -> None:
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self.last_join
        if quiet < self.quiet_s:  # still joining: look again when it may have settled
            self._timer = loop.call_later(self.quiet_s - quiet, self._settled)
            return
        self._timer = None
        self.joins = 0
        self.collections += 1
        gc.collect()


#: The collector of this process's sockets (:mod:`forums.consumers` reports each join).
burst_collector = BurstCollector()

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
"""

from __future__ import annotations

import gc

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
    """Fill the reverse tables of the root resolver and its namespaces in every site language."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _fill(get_resolver(), set())


def freeze_start_up_heap() -> None:
    """Collect what start-up left behind, then keep the survivors out of later collections."""
    gc.collect()
    gc.freeze()

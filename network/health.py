"""``/healthz`` (the process is up) and ``/readyz`` (every component it needs answers)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"ok ({connection.vendor})"


def check_channel_layer() -> str:
    """A real round trip: send to a fresh channel and receive it back."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        channel = await layer.new_channel()
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "readyz.ping", "token": token})
        message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if message.get("token") != token:
            raise RuntimeError("channel layer returned a different message")

    async_to_sync(round_trip)()
    return f"ok ({type(layer).__name__})"


def check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    if getattr(cache, "using_fallback", False):  # network.cache: answering, but not from Redis
        raise RuntimeError("Redis unreachable: serving from the per-process local fallback")
    return "ok"


def check_search() -> str:
    from network.search.registry import get_backend

    return get_backend().check()


def check_search_analysers() -> str:
    """Which analysers the search chain runs (a missing one degrades relevance, never readiness)."""
    from network.search.analysis import summary

    return summary()


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "cache": check_cache,
    "search": check_search,
    "search_analysers": check_search_analysers,
}


def run_checks() -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check; return whether all passed and each component's status and detail."""
    components: dict[str, dict[str, str]] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            components[name] = {"status": "ok", "detail": check()}
        except Exception as exc:  # report every failure by name, never crash the probe
            healthy = False
            components[name] = {"status": "down", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return healthy, components


@require_GET
@never_cache
def readyz(request):
    healthy, components = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "down", "components": components}, status=200 if healthy else 503
    )


# What each check means to a person using the site (the status page shows these, never the
# technical detail, which stays in /readyz for operators).
COMPONENT_LABELS = {
    "database": (
        _("Content and accounts"),
        _("Reading and saving templates, statements, posts and accounts."),
    ),
    "channel_layer": (_("Live updates"), _("New posts, presence and typing in threads without reloading.")),
    "cache": (_("Sign-in protection and speed"), _("Rate limits and cached pages.")),
    "search": (_("Search"), _("Full-text search across the network.")),
}


@require_GET
@never_cache
def status_page(request):
    """The service status in words: each part of the service working or not, and when checked.
    It answers 503 when something is down, like ``/readyz``, so monitors can use either."""
    healthy, components = run_checks()
    rows = [
        {
            "name": COMPONENT_LABELS.get(name, (name, ""))[0],
            "purpose": COMPONENT_LABELS.get(name, ("", ""))[1],
            "ok": component["status"] == "ok",
        }
        for name, component in components.items()
    ]
    context = {"healthy": healthy, "rows": rows, "checked_at": timezone.now()}
    return render(request, "network/status.html", context, status=200 if healthy else 503)

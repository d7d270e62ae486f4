"""Shared fixtures. Test data comes from :mod:`tests.factories` (real models, real services)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import os
import socket

import pytest
from django.core.cache import cache


def pytest_sessionstart(session) -> None:
    """Load the search analysers once, before any test's deadline starts: every search analyses
    its words in all eight languages, and loading their dictionaries takes ~8 s a process."""
    from network.search.analysis import warm_up

    warm_up()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached state must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


def redis_url() -> str | None:
    """The Redis to test the channels-redis layer against: ``REDIS_URL``, else a local one if up."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.3):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        return None


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _shipped_cpv_vocabulary(request):
    """The shipped CPV codes come from a data migration; a transactional test flushes every table at
    its end, so put them back for the tests that follow when they are gone."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction", False) else "db")
    from knowledge import cpv
    from knowledge.models import CpvCode

    if not CpvCode.objects.filter(code="30213100").exists():
        cpv.load_rows(cpv.read_csv_rows(cpv.SHIPPED_FILE))


def _deadline(item) -> float:
    marker = item.get_closest_marker("timeout")
    if marker and marker.args:
        return float(marker.args[0])
    return float(item.config.getini("timeout") or 0)


def _runs_here(item) -> bool:
    """``@pytest.mark.database("postgresql")`` (or ``"sqlite"``) ties a test to one database, and
    ``@pytest.mark.postgres`` is ``database("postgresql")``; ``@pytest.mark.environment("REDIS_URL")``
    ties it to a variable the services pass sets. Such a test belongs to the pass that has it."""
    from django.db import connection

    wanted = [m.args[0] for m in item.iter_markers("database")]
    if item.get_closest_marker("postgres") is not None:
        wanted.append("postgresql")
    if any(vendor != connection.vendor for vendor in wanted):
        return False
    return all(os.environ.get(m.args[0]) for m in item.iter_markers("environment"))


def pytest_collection_modifyitems(config, items):
    """Deselect what belongs to the other pass, then bound async tests (below).

    CI runs the suite twice (SQLite, then PostgreSQL + Redis + the engine): a test for the other
    pass's database is deselected at collection, never reported as a skip, so a skip in the summary
    always means something is missing.
    """
    kept = [item for item in items if _runs_here(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    _bound_async_tests(items)


async def _close_rooms() -> None:
    """End the test's channel-layer subscriptions (forums.hub) in its own loop, so none is left
    for the loop's teardown, which waits for ever on a task whose cancellation was lost."""
    from forums import hub

    with contextlib.suppress(Exception):
        await asyncio.wait_for(hub.close_all(), timeout=20)


def _bound_async_tests(items):
    """Every async test runs under ``asyncio.wait_for`` a little inside its pytest-timeout deadline.

    pytest-timeout's signal method raised its failure inside whichever asyncio task happened to run
    (a consumer's heartbeat), where asyncio stored it on that task: the test kept awaiting and the
    run hung for ever. Cancelling the test's own coroutine fails it cleanly and lets its fixtures
    tear down; pytest-timeout (method "thread", pyproject) stays the backstop for a blocked thread.
    """
    for item in items:
        function = getattr(item, "obj", None)
        limit = _deadline(item)
        if not inspect.iscoroutinefunction(function) or limit <= 0:
            continue
        inner_limit = max(limit * 0.9, limit - 5)

        @functools.wraps(function)
        async def bounded(*args, __function=function, __limit=inner_limit, **kwargs):
            deadline = asyncio.timeout(__limit)
            try:
                async with deadline:
                    return await __function(*args, **kwargs)
            except TimeoutError:
                if not deadline.expired():
                    raise  # the test's own timeout (a receive that waited too long), not ours
                pytest.fail(f"Timeout: the test awaited more than {__limit:.0f} s", pytrace=False)
            finally:
                await _close_rooms()

        item.obj = bounded

"""What a server process does at start-up stays out of the context every task inherits
(``network.startup.warm_url_resolvers``)."""

from __future__ import annotations

import contextvars

from django.urls import clear_url_caches, reverse

from network.startup import warm_url_resolvers


def _variables_set_by(func) -> set[contextvars.ContextVar]:
    """Run ``func`` in a fresh context, as a server's start-up runs before its event loop, and
    answer the context variables it left set there (what every later task would inherit)."""

    def run() -> set[contextvars.ContextVar]:
        before = set(contextvars.copy_context())
        func()
        return set(contextvars.copy_context()) - before

    return contextvars.Context().run(run)


def test_filling_the_url_resolvers_leaves_no_context_variables_for_later_tasks():
    clear_url_caches()  # new resolvers, so the warm-up fills them (as in a new process)
    try:
        leaked = _variables_set_by(warm_url_resolvers)
        assert leaked == set(), f"{len(leaked)} context variables left in the start-up context"
        # ...and the tables it filled are the process's: reversing needs no more filling.
        assert reverse("search:search").endswith("/search/")
    finally:
        clear_url_caches()


def test_the_same_fill_outside_its_own_context_would_leave_a_hundred_behind():
    """The measure above can fail: filling in the caller's context sets a variable per resolver."""
    from network import startup

    clear_url_caches()
    try:
        leaked = _variables_set_by(startup._fill_all)
        assert len(leaked) > 10
    finally:
        clear_url_caches()

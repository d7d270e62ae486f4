"""Chooses the search backend from settings (database by default, Elasticsearch when configured).

The search issue fills in the backends; this module is the one place the rest of the code asks.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings


class DatabaseBackend:
    """Placeholder until the search issue lands: reports the database it would search."""

    name = "database"

    def check(self) -> str:
        from django.db import connection

        return f"ok (database: {connection.vendor})"


@lru_cache(maxsize=1)
def get_backend():
    if settings.SEARCH_BACKEND == "elasticsearch":  # pragma: no cover - replaced by the search issue
        raise RuntimeError("Elasticsearch backend not installed yet")
    return DatabaseBackend()

"""The one place the rest of the code asks for the search backend and the index declarations.

The backend comes from settings: the search engine (Elasticsearch or OpenSearch) when
``SEARCH_URL`` / ``OPENSEARCH_URL`` / ``ELASTICSEARCH_URL`` is set, else the database (SQLite FTS5 or PostgreSQL full text, by ``connection.vendor``). Nothing connects to an
engine at import time.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import connection

from network.search.backends.base import SearchBackend
from network.search.spec import SearchIndex


def database_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        from network.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if connection.vendor == "sqlite":
        from network.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    raise RuntimeError(f"No database search backend for {connection.vendor}")


@lru_cache(maxsize=1)
def get_backend() -> SearchBackend:
    if settings.SEARCH_BACKEND == "engine":
        from network.search.backends.engine import EngineBackend

        return EngineBackend(
            settings.SEARCH_URL,
            settings.SEARCH_INDEX_PREFIX,
            engine=settings.SEARCH_ENGINE,
            timeout=settings.SEARCH_TIMEOUT,
            shards=settings.SEARCH_INDEX_SHARDS,
            replicas=settings.SEARCH_INDEX_REPLICAS,
        )
    return database_backend()


def indexes() -> list[SearchIndex]:
    """Every declared index (each type declares its own through :mod:`network.content`)."""
    from network import content

    return content.search_indexes()


def index_for_model(model) -> SearchIndex | None:
    label = model._meta.label
    for index in indexes():
        if index.model == label:
            return index
    return None


def index_for_type(type_name: str) -> SearchIndex | None:
    for index in indexes():
        if index.type == type_name:
            return index
    return None

"""Full-text search: index declarations, one query interface, database and search-engine (Elasticsearch, OpenSearch) backends.

Use :func:`search`::

    from network.search import SearchQuery, search

    results = search(person, SearchQuery("kannettavat tietokoneet", filters={"country": ["FI"]}))

Every backend filters by the visibility policy inside the engine query, for hits and facet counts.
"""

from __future__ import annotations

from typing import Any

from network.search.query import FACETS, InvalidSearch, SearchQuery
from network.search.results import FacetCount, Hit, SearchResults

__all__ = ["FACETS", "FacetCount", "Hit", "InvalidSearch", "SearchQuery", "SearchResults", "search"]


def search(person: Any, query: SearchQuery) -> SearchResults:
    """What ``person`` (or ``None`` for anonymous) may find for ``query``, one page at a time."""
    from network.search.registry import get_backend
    from network.visibility import viewer_for

    return get_backend().search(viewer_for(person), query, query.parsed())

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
    """What ``person`` (or ``None`` for anonymous) may find for ``query``, one page at a time.

    CPV codes in the query also match their descriptions; when few documents match, a "did you
    mean" suggestion is computed from what the person may read, and when nothing matches at all
    the suggestion's results are returned instead (``corrected_from`` says what was typed).
    """
    import dataclasses

    from network.search.cpv import expand
    from network.search.registry import get_backend
    from network.search.suggest import suggest
    from network.visibility import viewer_for

    backend = get_backend()
    viewer = viewer_for(person)
    parsed = expand(query.parsed())
    results = backend.search(viewer, query, parsed)
    # Every word found something unless nothing matched or some hits lack words: only then can a
    # word be misspelt.
    if parsed.blank or parsed.matches_nothing or (results.total and not results.partial):
        return results
    suggestion = suggest(lambda p: backend.count(viewer, query, p), query, parsed)
    if not suggestion or suggestion == query.text:
        return results
    results.suggestion = suggestion
    if results.total == 0:
        corrected = dataclasses.replace(query, text=suggestion)
        found = backend.search(viewer, corrected, expand(corrected.parsed()))
        if found.total:
            found.suggestion, found.corrected_from = suggestion, query.text
            return found
    return results

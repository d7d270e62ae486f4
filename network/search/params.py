"""Reading a search from URL parameters: the one parser the HTML page and the API share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from network.search.query import FACETS, InvalidSearch, SearchQuery

#: Parameters a search URL may carry besides the facet filters.
CONTROL_PARAMS = ("q", "sort", "page", "page_size")
IGNORED_PARAMS = ("format",)


def query_from_params(params: Any, *, default_page_size: int = 20) -> SearchQuery:
    """``?q=&type=template&type=lesson&country=FI&page=2`` → :class:`SearchQuery`.

    Repeated parameters OR within a facet. An unknown parameter raises :class:`InvalidSearch`
    (a misspelt filter must not silently widen the results).
    """
    getlist = params.getlist if hasattr(params, "getlist") else (lambda k: _as_list(params.get(k)))
    unknown = [k for k in params if k not in FACETS and k not in CONTROL_PARAMS and k not in IGNORED_PARAMS]
    if unknown:
        raise InvalidSearch(
            {k: f"Unknown parameter; filters are {', '.join(FACETS)}." for k in sorted(unknown)}
        )
    filters = {name: getlist(name) for name in FACETS if getlist(name)}
    return SearchQuery(
        text=params.get("q") or "",
        filters=filters,
        sort=params.get("sort") or "relevance",
        page=params.get("page") or 1,
        page_size=params.get("page_size") or default_page_size,
    )


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def query_string(query: SearchQuery, **override: Any) -> str:
    """The URL query string for ``query`` with ``override`` applied (facet links, pages)."""
    params = query.as_params(**override)
    return urlencode(
        [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]
    )


def toggled(filters: Mapping[str, list[str]], name: str, value: str) -> list[str]:
    current = list(filters.get(name, []))
    return [v for v in current if v != value] if value in current else [*current, value]

"""Search latency, in one Django process on the benchmark database.

Input: ``{"queries": [{"label", "kind", "text", "filters"}], "repeats": n, "baseline_repeats": m,
"email": "<ordinary member>", "rebuild": bool}``. For every query it times
``network.search.search(person, SearchQuery(...))`` (the real backend: SQLite FTS5 or PostgreSQL
full text), with facet counts and without them ("results only"), and the naive baseline: ``icontains`` over the same declared text fields of every
searchable type, through ``Model.objects.visible_to(person)``, first page plus total — which is
what a search written without an index would do.
"""

from __future__ import annotations

import time
from typing import Any

from bench.workers.common import emit, skip, start


def _text_lookups(index: Any) -> list[str]:
    """The declared fields a naive ``icontains`` can reach: string accessors naming text columns."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    model = index.model_class()
    lookups = []
    for accessor in [index.title, *(acc for acc, _weight in index.fields)]:
        if not isinstance(accessor, str) or "." in accessor:
            continue
        try:
            field = model._meta.get_field(accessor)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.CharField | models.TextField):
            lookups.append(accessor)
    return lookups


def _baseline(person: Any, text: str, page_size: int) -> int:
    """First page + total over every searchable type, ``icontains`` per word, visibility-filtered."""
    from django.db.models import Q

    from network.search.query import parse
    from network.search.registry import indexes

    parsed = parse(text)
    words = [w for clause in parsed.clauses for atom in clause for w in atom.words]
    total = 0
    for index in indexes():
        model = index.model_class()
        lookups = _text_lookups(index)
        if not lookups:
            continue
        manager = model._default_manager
        qs = manager.visible_to(person) if hasattr(manager, "visible_to") else manager.all()
        for word in words:
            any_field = Q()
            for lookup in lookups:
                any_field |= Q(**{f"{lookup}__icontains": word})
            qs = qs.filter(any_field)
        total += qs.count()
        list(qs.order_by("-pk")[:page_size])
    return total


def _floor_statements(person: Any, text: str, filters: dict[str, list[str]]) -> list[tuple[str, list]]:
    """The engine floor: the same MATCH / tsquery our backend builds for this search, as the bare
    statements an engine needs for a ranked first page and a total (no visibility probe, no
    grouping, no snippets, no Python around them). Empty for a backend that is not a database."""
    from django.db import connection

    from network.search.backends.database import query_languages
    from network.search.cpv import expand
    from network.search.query import SearchQuery
    from network.visibility import viewer_for

    viewer = viewer_for(person)
    sq = SearchQuery(text=text, filters=filters)
    parsed = expand(sq.parsed())
    languages = query_languages(sq)
    if connection.vendor == "sqlite":
        from network.search.backends.sqlite import filter_expression, fts_expression, viewer_audience

        parts = [] if parsed.blank else [f"({fts_expression(parsed, languages)})"]
        parts += [*filter_expression(filters), viewer_audience(viewer)]
        expression = " AND ".join(parts)
        order = "ORDER BY rowid DESC" if parsed.blank else "ORDER BY rank"
        return [
            (f"SELECT rowid FROM search_fts WHERE search_fts MATCH ? {order} LIMIT 20", [expression]),  # noqa: S608 - our SQL
            ("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", [expression]),
        ]
    if connection.vendor == "postgresql":
        from network.search.backends.postgres import access_tsquery, tsquery

        access = access_tsquery(viewer, sq)
        if parsed.blank:
            where, params, order = "search_vector @@ %s::tsquery", [access], "date DESC, id DESC"
            rank_params: list = []
        else:
            words = tsquery(parsed, languages)
            where, params = "search_vector @@ (%s::tsquery && %s::tsquery)", [words, access]
            order = "ts_rank_cd(search_vector, %s::tsquery) DESC"
            rank_params = [tsquery(parsed, languages, ranking=True)]
        return [
            (
                f"SELECT id FROM search_searchdocument WHERE {where} ORDER BY {order} LIMIT 20",  # noqa: S608 - our SQL
                [*params, *rank_params],
            ),
            (f"SELECT count(*) FROM search_searchdocument WHERE {where}", params),  # noqa: S608 - our SQL
        ]
    return []


def _floor(statements: list[tuple[str, list]], repeats: int) -> list[float]:
    """Time the floor statements on the raw DB-API connection (no Django cursor wrapper)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    samples = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        cursor = raw.cursor()
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
        cursor.close()
        samples.append((time.perf_counter() - started) * 1000)
    if connection.vendor == "postgresql" and not connection.get_autocommit():
        raw.rollback()
    return samples[1:]  # the first run warms the page cache and the plan


def main() -> None:
    payload = start()
    try:
        from network.search import search
        from network.search.query import SearchQuery
    except ImportError as exc:
        skip(f"network.search.search is not available yet ({exc})")
    from django.db import connection

    from members.models import Person
    from network.search.registry import get_backend, indexes

    person = Person.objects.get(email=payload.get("email", "member@hel.fi"))
    documents = {index.type: index.queryset().count() for index in indexes()}
    baseline_fields = {index.type: _text_lookups(index) for index in indexes()}
    repeats = int(payload.get("repeats", 5))
    baseline_repeats = int(payload.get("baseline_repeats", 2))
    rows = []
    for query in payload["queries"]:
        sq = SearchQuery(text=query["text"], filters=query.get("filters") or {})
        search(person, sq)  # warm caches and the connection
        samples = []
        total = None
        for _ in range(repeats):
            started = time.perf_counter()
            results = search(person, SearchQuery(text=query["text"], filters=query.get("filters") or {}))
            samples.append((time.perf_counter() - started) * 1000)
            total = results.total
        # The same search without facet counts: what the baseline (page + total, no facets) does.
        results_only_samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            search(person, SearchQuery(text=query["text"], filters=query.get("filters") or {}, facets=False))
            results_only_samples.append((time.perf_counter() - started) * 1000)
        baseline_samples = []
        baseline_total = None
        if not query.get("filters"):  # the baseline has no facets; filtered queries compare to nothing
            for _ in range(baseline_repeats):
                started = time.perf_counter()
                baseline_total = _baseline(person, query["text"], sq.page_size)
                baseline_samples.append((time.perf_counter() - started) * 1000)
        floor_samples = _floor(_floor_statements(person, query["text"], query.get("filters") or {}), repeats)
        rows.append(
            {
                **query,
                "floor_samples_ms": floor_samples,
                "samples_ms": samples,
                "results_only_samples_ms": results_only_samples,
                "total": total,
                "baseline_samples_ms": baseline_samples,
                "baseline_total": baseline_total,
            }
        )
    emit(
        {
            "vendor": connection.vendor,
            "backend": type(get_backend()).__name__,
            "documents": documents,
            "baseline_fields": baseline_fields,
            "rows": rows,
        }
    )


if __name__ == "__main__":
    main()

"""Wagtail's ``modelsearch`` (database backend) on the same corpus and queries as ``search_run``.

Runs under ``bench.settings_peers`` (``modelsearch`` and :mod:`bench.peers` installed). Input: the
``search_run`` payload. The corpus is copied from the indexed ``SearchDocument`` rows (same text,
same visibility fields, country from the facet rows) into :class:`bench.peers.models.PeerDocument`,
indexed with ``rebuild_modelsearch_index`` (docs/s), then each query runs as the same member: the
visibility rule as an ORM filter (public, own organisations, ``network`` for a verified member;
working-group shares are left out, which flatters the peer), the facet filters as filter fields,
``.search(text, operator="and")``, the first page of 20 and ``.count()``; "with facets" adds
``.facet()`` for type, language and country (three of our facets; our search counts all of them).
"""

from __future__ import annotations

import io
import time
from typing import Any

from bench.workers.common import emit, skip, start


def _copy_corpus() -> int:
    from bench.peers.models import PeerDocument
    from network.search.models import SearchDocument, SearchFacet

    PeerDocument.objects.all().delete()
    country = dict(SearchFacet.objects.filter(name="country").values_list("document_id", "value"))
    fields = (
        "pk",
        "type",
        "language",
        "title",
        "summary",
        "body",
        "organisation_id",
        "visibility",
        "is_public",
    )
    batch: list[PeerDocument] = []
    copied = 0
    for row in SearchDocument.objects.values_list(*fields).iterator(chunk_size=2000):
        pk, *values = row
        batch.append(PeerDocument(**dict(zip(fields[1:], values, strict=True)), country=country.get(pk, "")))
        if len(batch) >= 2000:
            PeerDocument.objects.bulk_create(batch)
            copied += len(batch)
            batch = []
    PeerDocument.objects.bulk_create(batch)
    return copied + len(batch)


def _visible(viewer: Any):
    from django.db.models import Q

    from bench.peers.models import PeerDocument
    from network.visibility import Visibility

    rule = Q(is_public=True)
    if viewer.organisation_ids:
        rule |= Q(organisation_id__in=sorted(viewer.organisation_ids))
    if viewer.verified_member:
        rule |= Q(visibility=Visibility.NETWORK)
    return PeerDocument.objects.filter(rule)


def _one(viewer: Any, text: str, filters: dict[str, list[str]], *, facets: bool) -> int:
    from modelsearch.utils import parse_query_string

    qs = _visible(viewer)
    for name in ("type", "language", "country"):
        if filters.get(name):
            qs = qs.filter(**{f"{name}__in": filters[name]})
    if not text.strip():
        list(qs.order_by("-pk")[:20])
        total = qs.count()
        if facets:
            for name in ("type", "language", "country"):
                list(qs.values_list(name).order_by())
        return total
    _filters, query = parse_query_string(text, operator="and")
    results = qs.search(query, operator="and")
    list(results[:20])
    total = results.count()
    if facets:
        for name in ("type", "language", "country"):
            results.facet(name)
    return total


def main() -> None:
    payload = start()
    try:
        import modelsearch  # noqa: F401
    except ImportError:
        skip("modelsearch is not installed (pip install -e '.[bench]')")
    from django.core.management import call_command
    from django.db import connection

    from members.models import Person
    from network.visibility import viewer_for

    call_command("migrate", run_syncdb=True, verbosity=0)
    documents = _copy_corpus()
    started = time.perf_counter()
    call_command("rebuild_modelsearch_index", stdout=io.StringIO())
    index_s = time.perf_counter() - started
    # Planner statistics for the freshly filled tables, as our backend's rebuild takes them:
    # without them PostgreSQL planned a nested loop that ran for minutes a query at 100k.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    viewer = viewer_for(Person.objects.get(email=payload.get("email", "member@hel.fi")))
    repeats = int(payload.get("repeats", 5))
    budget_s = float(payload.get("peer_budget_s", 10))
    rows = []
    for query in payload["queries"]:
        text, filters = query["text"], query.get("filters") or {}
        _one(viewer, text, filters, facets=True)  # warm up
        samples, results_only, total = [], [], None
        for facets, found in ((True, samples), (False, results_only)):
            # Repeats stop after budget_s seconds of one query (at least one sample each): the
            # peer's slowest queries take seconds, and the run must stay within its time.
            spent = 0.0
            while len(found) < repeats and (not found or spent < budget_s):
                started = time.perf_counter()
                answered = _one(viewer, text, filters, facets=facets)
                found.append((time.perf_counter() - started) * 1000)
                spent += found[-1] / 1000
                total = answered if facets else total
        rows.append({**query, "samples_ms": samples, "results_only_samples_ms": results_only, "total": total})
    emit(
        {
            "vendor": connection.vendor,
            "backend": "modelsearch (database)",
            "documents": documents,
            "index_seconds": index_s,
            "rows": rows,
        }
    )


if __name__ == "__main__":
    main()

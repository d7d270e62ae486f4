"""The search page: the header search box posts ``q`` here; facets narrow, pages page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from network.search import InvalidSearch, SearchQuery, search
from network.search.params import query_from_params, query_string, toggled
from network.search.query import FACETS

FACET_TITLES = {
    "type": _("Type"),
    "country": _("Country"),
    "cpv": _("CPV division"),
    "label": _("Label"),
    "stage": _("Procurement stage"),
    "language": _("Language"),
    "organisation": _("Organisation"),
    "working_group": _("Working group"),
    "year": _("Year"),
}
SUGGESTIONS = [
    "laptops TCO",
    "smartphone Electronics Watch",
    "kannettavat tietokoneet",
    "återbrukade datorer",
]


def search_page(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    try:
        query = query_from_params(request.GET)
    except InvalidSearch as exc:
        errors = exc.errors
        query = SearchQuery(request.GET.get("q", ""))
    results = search(request.user, query)
    facets = []
    for name in FACETS:
        values = results.facets.get(name, [])
        selected = query.filters.get(name, [])
        if not values and not selected:
            continue
        shown = {v.value for v in values}
        options = [
            {
                "value": v.value,
                "label": v.label,
                "count": v.count,
                "approximate": v.approximate,
                "selected": v.value in selected,
                "href": "?" + query_string(query, **{name: toggled(query.filters, name, v.value)}, page=None),
            }
            for v in values
        ]
        # A selected value with no match left still shows, so it can be unticked.
        options += [
            {
                "value": s,
                "label": s,
                "count": 0,
                "approximate": False,
                "selected": True,
                "href": "?" + query_string(query, **{name: toggled(query.filters, name, s)}, page=None),
            }
            for s in selected
            if s not in shown
        ]
        facets.append({"name": name, "title": FACET_TITLES[name], "options": options})
    context = {
        "query": query,
        "results": results,
        "facets": facets,
        "approximate_facets": any(o["approximate"] for f in facets for o in f["options"]),
        "errors": errors,
        "has_filters": bool(query.filters),
        "clear_filters_href": "?" + query_string(query, **dict.fromkeys(query.filters, None), page=None),
        "previous_href": "?" + query_string(query, page=results.page - 1) if results.has_previous else "",
        "next_href": "?" + query_string(query, page=results.page + 1) if results.has_next else "",
        "sort_date_href": "?" + query_string(query, sort="date", page=None),
        "sort_relevance_href": "?" + query_string(query, sort=None, page=None),
        "suggestions": SUGGESTIONS,
    }
    return render(request, "search/search.html", context, status=400 if errors else 200)

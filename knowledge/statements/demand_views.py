"""The network demand page (``/demand/``): the market signal across every open statement.

The figures come from :mod:`knowledge.statements.network_demand` (public content only), the same
function the API and the exports call, so every surface shows the same numbers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_countries import countries

from knowledge.statements import charts, network_demand, selectors
from network.categories import DeviceCategory


def _choices() -> dict[str, Any]:
    statements = selectors.public_open_statements().order_by("title").values_list("slug", "title")
    return {
        "category_choices": DeviceCategory.choices,
        "country_choices": list(countries),
        "statement_choices": list(statements),
    }


def demand_page(request: HttpRequest) -> HttpResponse:
    """Totals by category, country, statement and year of signing, with a chart and its table."""
    status = 200
    errors: dict[str, list[str]] = {}
    try:
        filters = network_demand.clean_filters(request.GET)
    except ValidationError as exc:
        errors, status = exc.message_dict, 400
        filters = network_demand.DemandFilters()
        demand = None
    else:
        demand = network_demand.network_demand(filters)
    chart = None
    if demand is not None:
        bars = [(row.label, row.total) for row in demand.by_category]
        chart = charts.bar_chart_svg(
            bars,
            title=_("Disclosed units bought a year, by device category"),
            description="; ".join(f"{label}: {units:,}" for label, units in bars)
            or _("No disclosed volumes match these filters."),
        )
    query = request.GET.urlencode() if demand is not None else ""
    return render(
        request,
        "statements/network_demand.html",
        {
            "demand": demand,
            "chart": chart,
            "errors": errors,
            "values": {name: request.GET.get(name, "") for name in network_demand.FILTERS},
            "query": query,
            **_choices(),
        },
        status=status,
    )

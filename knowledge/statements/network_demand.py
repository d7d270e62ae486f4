"""The network's declared demand: disclosed yearly volumes of active signatures on open statements.

This is the market signal suppliers read: what named public buyers, together, buy a year. It is the
same for everyone (it is built from public content only: statements the visibility policy shows to
an anonymous reader, and the volumes signatories chose to publish), so the page, the API and the
exports agree and nothing private can enter it.

Rules:

* Only **active** signatures (not withdrawn, not replaced by an amendment) on statements **open
  today** (``open_now_q``: a statement past its closing date has left the totals, even before
  ``close_statements`` persisted it).
* Only **disclosed** volumes are added. An organisation that did not publish its figures is counted
  in ``undisclosed_organisations`` and nothing else: not per category, statement or country, so its
  figures cannot be inferred by subtraction.
* An organisation buys its laptops once a year whatever the number of statements it signed, so the
  network totals count each (organisation, category) **once**, with the figure of its latest
  signature; the "by statement" rows show each statement's own declarations.

Two queries whatever the size of the network (statements, then signatures with organisations).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from knowledge.statements import selectors
from knowledge.statements.models import Signature
from network import validation
from network.capabilities import PUBLIC_READER
from network.categories import DeviceCategory, categories_for_cpv

FILTERS = ("category", "country", "cpv", "statement")
_CPV = re.compile(r"^(\d{2,8})(-\d)?$")


@dataclass(frozen=True)
class DemandFilters:
    """Validated filters; empty strings mean "no filter"."""

    category: str = ""
    country: str = ""
    cpv: str = ""
    statement: str = ""

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name)}


def clean_filters(params: Any) -> DemandFilters:
    """Parse query parameters; unknown parameters or values raise ``ValidationError`` (a 400).

    ``statement`` must name a statement open for signature today: a draft, a closed statement and a
    missing slug get the same message, so the filter reveals nothing about non-public statements.
    That message is a state rule (the API's 409, like any reference to a row the caller cannot
    find): the same well-formed slug is accepted once such a statement opens.
    """
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(params.keys()) - set(FILTERS) - {"format", "page"})
    if unknown:
        errors["non_field_errors"] = [
            _("Unknown filter: %(names)s. Use %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(FILTERS)}
        ]
    values = {name: str(params.get(name) or "").strip() for name in FILTERS}
    if values["category"] and values["category"] not in DeviceCategory.values:
        errors["category"] = [
            _("Unknown category “%(c)s”; use one of %(all)s.")
            % {"c": values["category"], "all": ", ".join(DeviceCategory.values)}
        ]
    if values["country"]:
        values["country"] = values["country"].upper()
        if values["country"] not in dict(countries):
            errors["country"] = [_("“%(c)s” is not an ISO 3166 country code.") % {"c": values["country"]}]
    if values["cpv"]:
        match = _CPV.match(values["cpv"])
        if not match:
            errors["cpv"] = [_("Give CPV digits: a division such as 30 or a code such as 30213100-6.")]
        else:
            values["cpv"] = match.group(1)
    if values["statement"] and not (
        selectors.public_open_statements().filter(slug=values["statement"]).exists()
    ):
        errors["statement"] = [
            validation.conflicting(
                _("No statement open for signature has the slug “%(s)s”.") % {"s": values["statement"]}
            )
        ]
    if errors:
        raise ValidationError(errors)
    return DemandFilters(**values)


@dataclass
class Buyer:
    name: str
    slug: str
    country: str
    units: int


@dataclass
class Row:
    """One line of a breakdown: units a year per category, and the named buyers behind them."""

    key: str
    label: str
    units: dict[str, int] = field(default_factory=dict)
    buyers: list[Buyer] = field(default_factory=list)
    url: str = ""

    @property
    def total(self) -> int:
        return sum(self.units.values())

    units_in_order: list[int | None] = field(default_factory=list)


@dataclass
class Declaration:
    """One disclosed figure: an organisation declares ``units`` of ``category`` a year."""

    statement_slug: str
    statement_title: str
    organisation: str
    organisation_slug: str
    country: str
    category: str
    units: int
    signed_on: datetime.date
    revision: int


@dataclass
class NetworkDemand:
    filters: DemandFilters
    categories: list[str]
    columns: list[str]
    by_category: list[Row]
    by_country: list[Row]
    by_statement: list[Row]
    by_year: list[Row]
    declarations: list[Declaration]
    signatory_organisations: int
    disclosing_organisations: int
    undisclosed_organisations: int
    statement_count: int

    @property
    def total_units(self) -> int:
        return sum(r.total for r in self.by_category)

    def category_label(self, category: str) -> str:
        return str(dict(DeviceCategory.choices)[category])


def _signatures(filters: DemandFilters) -> list[Signature]:
    statements = selectors.public_open_statements()
    if filters.statement:
        statements = statements.filter(slug=filters.statement)
    qs = (
        selectors.active_signatures_on(statements)
        .select_related("organisation", "statement")
        .only(
            "volumes",
            "volumes_public",
            "signed_at",
            "first_signed_at",
            "revision",
            "organisation__name",
            "organisation__slug",
            "organisation__country",
            "statement__slug",
            "statement__title",
            "statement__status",
            "statement__closes_on",
        )
        .order_by("signed_at", "id")
    )
    if filters.country:
        qs = qs.filter(organisation__country=filters.country)
    return list(qs)


def _categories(filters: DemandFilters) -> list[str]:
    wanted = list(DeviceCategory.values)
    if filters.category:
        wanted = [filters.category]
    if filters.cpv:
        covered = set(categories_for_cpv(filters.cpv))
        wanted = [c for c in wanted if c in covered]
    return wanted


def _add(rows: dict[str, Row], key: str, label: str, decl: Declaration, url: str = "") -> None:
    row = rows.get(key)
    if row is None:
        row = rows[key] = Row(key=key, label=label, url=url)
    row.units[decl.category] = row.units.get(decl.category, 0) + decl.units
    for buyer in row.buyers:
        if buyer.slug == decl.organisation_slug:
            buyer.units += decl.units
            break
    else:
        row.buyers.append(Buyer(decl.organisation, decl.organisation_slug, decl.country, decl.units))


def network_demand(filters: DemandFilters | None = None) -> NetworkDemand:
    """The network totals under ``filters`` (already validated by :func:`clean_filters`)."""
    filters = filters or DemandFilters()
    categories = _categories(filters)
    signatures = _signatures(filters)
    signatory_orgs: set[int] = set()
    undisclosed: set[int] = set()
    disclosing: set[int] = set()
    declarations: list[Declaration] = []
    statement_ids: set[int] = set()
    for sig in signatures:
        signatory_orgs.add(sig.organisation_id)
        statement_ids.add(sig.statement_id)
        if not PUBLIC_READER.sees_volumes(sig):  # the public rule: disclosed figures only
            undisclosed.add(sig.organisation_id)
            continue
        for category in categories:
            units = (sig.volumes or {}).get(category)
            if units is None:
                continue
            disclosing.add(sig.organisation_id)
            declarations.append(
                Declaration(
                    statement_slug=sig.statement.slug,
                    statement_title=sig.statement.title,
                    organisation=sig.organisation.name,
                    organisation_slug=sig.organisation.slug,
                    country=str(sig.organisation.country.code),
                    category=category,
                    units=int(units),
                    signed_on=timezone.localdate(sig.originally_signed_at),
                    revision=sig.revision,
                )
            )
    # An organisation that disclosed on one statement and not on another did disclose.
    undisclosed -= disclosing
    labels = dict(DeviceCategory.choices)
    # Network totals: each (organisation, category) once, its latest declaration (signatures are in
    # signing order, so a later one replaces an earlier one).
    latest: dict[tuple[str, str], Declaration] = {}
    for decl in declarations:
        latest[(decl.organisation_slug, decl.category)] = decl
    by_category: dict[str, Row] = {}
    by_country: dict[str, Row] = {}
    by_year: dict[str, Row] = {}
    for decl in latest.values():
        _add(by_category, decl.category, str(labels[decl.category]), decl)
        _add(by_country, decl.country, str(countries.name(decl.country)), decl)
        year = str(decl.signed_on.year)
        _add(by_year, year, year, decl)
    by_statement: dict[str, Row] = {}
    for decl in declarations:
        url = reverse("statements:detail", kwargs={"slug": decl.statement_slug})
        _add(by_statement, decl.statement_slug, decl.statement_title, decl, url=url)
    order = {c: i for i, c in enumerate(DeviceCategory.values)}
    # Table columns: the categories someone declared (six empty columns help no reader).
    columns = [c for c in categories if c in by_category]
    for rows in (by_category, by_country, by_statement, by_year):
        for row in rows.values():
            row.buyers.sort(key=lambda b: (-b.units, b.name))
            row.units_in_order = [row.units.get(c) for c in columns]
    return NetworkDemand(
        filters=filters,
        categories=categories,
        columns=columns,
        by_category=sorted(by_category.values(), key=lambda r: order[r.key]),
        by_country=sorted(by_country.values(), key=lambda r: r.label),
        by_statement=sorted(by_statement.values(), key=lambda r: (-r.total, r.label)),
        by_year=sorted(by_year.values(), key=lambda r: r.key),
        declarations=sorted(
            declarations, key=lambda d: (d.statement_title, d.organisation, order[d.category])
        ),
        signatory_organisations=len(signatory_orgs),
        disclosing_organisations=len(disclosing),
        undisclosed_organisations=len(undisclosed),
        statement_count=len(statement_ids),
    )


# --- the same figures as data (API, JSON and CSV exports) ------------------------------------


def _row_data(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "units": dict(row.units),
        "total": row.total,
        "buyers": [
            {"name": b.name, "slug": b.slug, "country": b.country, "units": b.units} for b in row.buyers
        ],
    }


def as_data(demand: NetworkDemand) -> dict[str, Any]:
    """The API and JSON export body: filters, totals, breakdowns and the undisclosed count."""
    return {
        "filters": demand.filters.as_dict(),
        "categories": demand.categories,
        "total_units": demand.total_units,
        "signatory_organisations": demand.signatory_organisations,
        "disclosing_organisations": demand.disclosing_organisations,
        "undisclosed_organisations": demand.undisclosed_organisations,
        "statements": demand.statement_count,
        "by_category": [_row_data(r) for r in demand.by_category],
        "by_country": [_row_data(r) for r in demand.by_country],
        "by_statement": [_row_data(r) for r in demand.by_statement],
        "by_year": [_row_data(r) for r in demand.by_year],
    }


def declarations_data(demand: NetworkDemand) -> list[dict[str, Any]]:
    return [
        {
            "statement": d.statement_slug,
            "statement_title": d.statement_title,
            "organisation": d.organisation,
            "organisation_slug": d.organisation_slug,
            "country": d.country,
            "category": d.category,
            "units_per_year": d.units,
            "signed_on": d.signed_on.isoformat(),
            "revision": d.revision,
        }
        for d in demand.declarations
    ]


CSV_COLUMNS = (
    "statement",
    "statement_title",
    "organisation",
    "organisation_slug",
    "country",
    "category",
    "units_per_year",
    "signed_on",
    "revision",
)


def declarations_csv(demand: NetworkDemand) -> str:
    """One line per disclosed declaration (never an undisclosed one), spreadsheet-safe."""
    from network.csv_export import csv_text

    return csv_text(CSV_COLUMNS, ([row[c] for c in CSV_COLUMNS] for row in declarations_data(demand)))

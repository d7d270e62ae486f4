"""Reads for joint statements: what a person may see, signatory lists and the aggregated demand.

Every read starts from :meth:`StatementQuerySet.visible_to`, so HTML pages, the API and the
exports answer the same question the same way. Volumes a signatory did not make public are shown
only to the signing organisation and to the issuers, and never enter totals or exports.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django_countries import countries

from knowledge.statements.models import (
    AuditEntry,
    Signature,
    Statement,
    StatementStatus,
    StatementVersion,
    open_now_q,
)
from network import capabilities
from network.capabilities import PUBLIC_READER
from network.categories import CATEGORY_CPV, DeviceCategory, categories_for_cpv
from network.feeds import FeedFilters


def statements_visible_to(person: Any):
    """Statements ``person`` may read, open ones first, with their active signature counts."""
    return (
        Statement.objects.visible_to(person)
        .with_signature_count()
        .select_related("organisation")
        .prefetch_related("issuers")
        .open_first()
    )


def statement_for(person: Any, slug: str) -> Statement:
    """The statement with ``slug`` if ``person`` may read it; otherwise 404, as if it did not exist."""
    statement = (
        Statement.objects.visible_to(person)
        .select_related("organisation", "working_group", "current_version")
        .prefetch_related("issuers")
        .filter(slug=slug)
        .first()
    )
    if statement is None:
        raise Http404
    return statement


def active_signatures(statement: Statement):
    return (
        Signature.objects.active()
        .filter(statement=statement)
        .select_related("organisation", "version")
        .order_by("signed_at", "id")
    )


def statement_capabilities(
    person: Any, statement: Statement, *, signed_organisation_ids: Any = None
) -> capabilities.StatementCapabilities:
    """What ``person`` may do with ``statement`` (sign, withdraw, manage) and which figures they see."""
    return capabilities.statement_capabilities(
        person, statement, signed_organisation_ids=signed_organisation_ids
    )


@dataclass
class SignatoryRow:
    """One active signature as a reader may see it (``volumes`` is None when not disclosed to them)."""

    organisation_name: str
    organisation_slug: str
    country_code: str
    country_name: str
    signed_at: datetime.datetime
    version: int
    #: the volumes the reader may see (``sees_volumes``), None when the policy hides them
    shown_volumes: dict[str, int] | None
    volumes_public: bool
    comment: str
    signature: Signature

    @property
    def labelled_volumes(self) -> list[tuple[str, int]]:
        """``[(category label, units)]`` in the categories' order, for people to read."""
        labels = dict(DeviceCategory.choices)
        shown = self.shown_volumes or {}
        return [(str(labels[c]), shown[c]) for c in DeviceCategory.values if c in shown]


def signatory_rows(person: Any, statement: Statement, *, public_only: bool = False) -> list[SignatoryRow]:
    """Active signatories in signing order; ``public_only`` hides every undisclosed figure (exports)."""
    caps = statement_capabilities(person, statement, signed_organisation_ids=())
    rows = []
    for sig in active_signatures(statement):
        show = caps.sees_volumes(sig, public_only=public_only)
        rows.append(
            SignatoryRow(
                organisation_name=sig.organisation.name,
                organisation_slug=sig.organisation.slug,
                country_code=str(sig.organisation.country.code),
                country_name=str(sig.organisation.country.name),
                signed_at=sig.signed_at,
                version=sig.version.number,
                shown_volumes=dict(sig.volumes) if show else None,
                volumes_public=sig.volumes_public,
                comment=sig.comment,
                signature=sig,
            )
        )
    return rows


@dataclass
class CategoryTotal:
    category: str
    label: str
    units: int
    organisations: int


@dataclass
class DemandSummary:
    """The market signal: how many signed, from where, and the public yearly volumes added up."""

    signatory_count: int
    countries: list[tuple[str, str, int]]
    totals: list[CategoryTotal]
    public_volume_signatories: int
    timeline: list[tuple[datetime.date, int]] = field(default_factory=list)


def signatures_timeline(statement: Statement) -> list[tuple[datetime.date, int]]:
    """Active signatures at the end of each day something changed (signings minus withdrawals)."""
    deltas: Counter[datetime.date] = Counter()
    for signed_at, withdrawn_at in Signature.objects.filter(statement=statement).values_list(
        "signed_at", "withdrawn_at"
    ):
        deltas[timezone.localdate(signed_at)] += 1
        if withdrawn_at is not None:
            deltas[timezone.localdate(withdrawn_at)] -= 1
    running, points = 0, []
    for day in sorted(deltas):
        running += deltas[day]
        points.append((day, running))
    return points


def demand_summary(statement: Statement) -> DemandSummary:
    """Aggregate only what signatories made public: totals never include undisclosed figures."""
    signatures = list(active_signatures(statement))
    by_country: Counter[str] = Counter(str(s.organisation.country.code) for s in signatures)
    units: dict[str, int] = defaultdict(int)
    orgs: dict[str, int] = defaultdict(int)
    public = 0
    for sig in signatures:
        if not sig.volumes or not PUBLIC_READER.sees_volumes(sig):
            continue
        public += 1
        for category, n in sig.volumes.items():
            units[category] += int(n)
            orgs[category] += 1
    labels = dict(DeviceCategory.choices)
    totals = [
        CategoryTotal(category=c, label=str(labels[c]), units=units[c], organisations=orgs[c])
        for c in DeviceCategory.values
        if c in units
    ]
    return DemandSummary(
        signatory_count=len(signatures),
        countries=[(code, str(countries.name(code)), n) for code, n in sorted(by_country.items())],
        totals=totals,
        public_volume_signatories=public,
        timeline=signatures_timeline(statement),
    )


@dataclass
class VersionSignatories:
    version: StatementVersion
    organisations: list[str]


def versions_signed(statement: Statement):
    """Published versions, newest first, each with ``active_signatures`` (organisations loaded)."""
    active = Signature.objects.active().select_related("organisation").order_by("signed_at")
    return statement.versions.order_by("-number").prefetch_related(
        Prefetch("signatures", queryset=active, to_attr="active_signatures")
    )


def versions_with_signatories(statement: Statement) -> list[VersionSignatories]:
    """Each published version, newest first, with the organisations whose active signature is on it."""
    versions = versions_signed(statement)
    return [VersionSignatories(v, [s.organisation.name for s in v.active_signatures]) for v in versions]


def audit_entries(statement: Statement):
    return AuditEntry.objects.filter(statement=statement).select_related("actor", "organisation")


def signable_organisations(person: Any) -> list[Any]:
    """The verified organisations ``person`` may sign for (the sign form's choices)."""
    from members.selectors import signable_organisations as signable

    return list(signable(person))


def active_signature_of(statement: Statement, organisation: Any) -> Signature | None:
    return Signature.objects.active().filter(statement=statement, organisation=organisation).first()


def statements_open_for_signature(person: Any):
    """Open statements not yet signed by every verified organisation ``person`` signs for.

    ``None`` when the person signs for no verified organisation (nothing to offer them). A
    statement is listed while at least one of their organisations has not signed it.
    """
    from knowledge.statements.models import open_now_q

    organisations = signable_organisations(person)
    if not organisations:
        return None
    ids = [o.pk for o in organisations]
    signed_by_all = (
        Signature.objects.active()
        .filter(organisation_id__in=ids)
        .values("statement_id")
        .annotate(n=Count("organisation_id", distinct=True))
        .filter(n__gte=len(ids))
        .values("statement_id")
    )
    return (
        Statement.objects.visible_to(person)
        .filter(open_now_q())
        .exclude(pk__in=signed_by_all)
        .prefetch_related("issuers")
        .order_by(F("closes_on").asc(nulls_last=True), "-opened_at", "pk")
    )


# --- public reads (feeds, the network's demand): what an anonymous visitor reads ---------------


def public_statements(filters: FeedFilters):
    """Published statements an anonymous visitor reads, narrowed by the feed filters."""
    qs = Statement.objects.visible_to(None).filter(status__in=[StatementStatus.OPEN, StatementStatus.CLOSED])
    if filters.category:
        qs = qs.filter(
            Q(demands__category=filters.category)
            | Q(demands__cpv_code__startswith=CATEGORY_CPV[filters.category][:5])
        )
    if filters.cpv:
        qs = qs.filter(
            Q(demands__cpv_code__startswith=filters.cpv)
            | Q(demands__category__in=categories_for_cpv(filters.cpv))
        )
    if filters.country:
        qs = qs.filter(issuers__country=filters.country)
    return qs.distinct()


def public_open_statements():
    """Statements open for signature today, as an anonymous visitor reads them."""
    return Statement.objects.visible_to(None).filter(open_now_q())


def active_signatures_on(statements: Any):
    """Active signatures on ``statements`` (ids or a queryset of readable statements): callers
    choose the statements through the policy, and read volumes only through the capabilities."""
    ids = statements.values("pk") if hasattr(statements, "values") else list(statements)
    return Signature.objects.active().filter(statement__in=ids)

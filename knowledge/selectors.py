"""Reads for the knowledge library. Every queryset starts from ``Model.objects.visible_to(person)``;
views, the API, exports and search use these so the visibility policy is applied in one place.

Lineage and the fork count (decision): a template's lineage shows its ancestors and the forks the
viewer may read. Forks the viewer may not read are counted, but only as a number: no title,
organisation, date or id of an invisible fork is disclosed. The total tells an author that their
work is reused (the point of the network) without telling anyone who reused it privately.
Ancestors the viewer may not read appear as a placeholder ("a template you cannot see") so the chain
stays truthful without disclosing the hidden template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from knowledge.models import (
    Attachment,
    Criterion,
    Label,
    Lesson,
    PlannedTender,
    TemplateVersion,
    TenderInterest,
    TenderInterestChange,
    TenderTemplate,
)
from knowledge.models.choices import TenderStatus
from knowledge.statements.models import Statement
from network import visibility
from network.feeds import FeedFilters, filter_by_cpv_and_country

#: A tender still ahead of publication: the only ones peers can still join.
JOINABLE_STATUSES = (TenderStatus.PLANNING, TenderStatus.MARKET_CONSULTATION)


def json_list_contains(field_name: str, value: str) -> tuple[dict[str, Any], Q]:
    """Filter a JSON list column for ``value`` on SQLite and PostgreSQL alike (text of the list)."""
    alias = f"{field_name}_text"
    return {alias: Cast(field_name, output_field=CharField())}, Q(**{f"{alias}__contains": f'"{value}"'})


# --- templates ---------------------------------------------------------------------------------


def templates_visible(person: Any) -> QuerySet[TenderTemplate]:
    return (
        TenderTemplate.objects.visible_to(person)
        .select_related("organisation", "forked_from__template")
        .prefetch_related("cpv_codes")
    )


def template_for(person: Any, pk: Any) -> TenderTemplate:
    """The template if ``person`` may read it; otherwise 404, exactly like a missing one."""
    try:
        return templates_visible(person).get(pk=pk)
    except (TenderTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def template_detail(person: Any, pk: Any) -> TenderTemplate:
    template = template_for(person, pk)
    criteria = (
        Criterion.objects.filter(template=template).prefetch_related("labels").order_by("position", "pk")
    )
    template.criteria_list = list(criteria)
    template.version_list = list(
        TemplateVersion.objects.filter(template=template).select_related("published_by").defer("snapshot")
    )
    template.attachment_list = list(Attachment.objects.filter(template=template))
    return template


def versions_of(template: TenderTemplate) -> QuerySet[TemplateVersion]:
    return (
        TemplateVersion.objects.filter(template=template).select_related("published_by").order_by("-number")
    )


def version_for(template: TenderTemplate, number: Any) -> TemplateVersion:
    try:
        return TemplateVersion.objects.select_related("template", "published_by").get(
            template=template, number=int(number)
        )
    except (TemplateVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def attachment_for(person: Any, template_pk: Any, pk: Any) -> Attachment:
    try:
        return (
            Attachment.objects.visible_to(person)
            .select_related("template")
            .get(template_id=template_pk, pk=pk)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class LineageNode:
    """One step in a lineage; ``template`` is ``None`` when the viewer may not read it."""

    version_number: int | None
    template: TenderTemplate | None


@dataclass
class Lineage:
    ancestors: list[LineageNode] = field(default_factory=list)  # nearest first
    forks: list[TenderTemplate] = field(default_factory=list)  # visible direct forks
    fork_count: int = 0  # all direct forks, visible or not

    @property
    def hidden_fork_count(self) -> int:
        return self.fork_count - len(self.forks)


def lineage(person: Any, template: TenderTemplate, *, max_depth: int = 20) -> Lineage:
    """Where ``template`` came from and who forked it, as far as ``person`` may see."""
    result = Lineage()
    chain: list[tuple[int, int]] = []  # (template id, version number)
    version_id = template.forked_from_id
    seen: set[int] = {template.pk}
    while version_id and len(chain) < max_depth:
        row = (
            TemplateVersion.objects.filter(pk=version_id)
            .values_list("template_id", "number", "template__forked_from_id")
            .first()
        )
        if row is None or row[0] in seen:
            break
        seen.add(row[0])
        chain.append((row[0], row[1]))
        version_id = row[2]
    if chain:
        ids = [t for t, _n in chain]
        visible = {t.pk: t for t in templates_visible(person).filter(pk__in=ids)}
        result.ancestors = [LineageNode(number, visible.get(tid)) for tid, number in chain]
    forks = TenderTemplate.objects.filter(forked_from__template=template)
    result.fork_count = forks.count()
    result.forks = list(
        templates_visible(person).filter(forked_from__template=template).select_related("forked_from")
    )
    return result


def criteria_input(template: TenderTemplate) -> list[dict[str, Any]]:
    """A template's criteria as a write takes them (``CriterionData`` fields, keys kept): what the
    edit page's formset starts from and what an edit that changes one criterion sends back."""
    return [
        {
            "key": c.key,
            "stage": c.stage,
            "title": c.title,
            "text": c.text,
            "ambition": c.ambition,
            "means_of_proof": c.means_of_proof,
            "labels": [lb.slug for lb in c.labels.all()],
            "verification_text": c.verification_text,
            "weight": c.weight,
        }
        for c in template.criteria.prefetch_related("labels").order_by("position", "pk")
    ]


def origin_comparison(person: Any, template: TenderTemplate) -> dict[str, Any] | None:
    """What ``template`` (a fork) changed since the version it came from, or None.

    None when it is not a fork, or when its origin's template is not readable by ``person`` (the
    comparison would disclose the hidden origin's text).
    """
    from knowledge.diff import diff_fork
    from knowledge.services.templates import snapshot

    if template.forked_from_id is None:
        return None
    origin = TemplateVersion.objects.select_related("template").filter(pk=template.forked_from_id).first()
    if origin is None or not visibility.can_read(person, origin.template):
        return None
    result = diff_fork(origin, snapshot(template))
    result["origin_template"] = origin.template
    return result


# --- lessons and tenders -------------------------------------------------------------------------


def lessons_visible(person: Any) -> QuerySet[Lesson]:
    return Lesson.objects.visible_to(person).select_related("organisation")


def lesson_for(person: Any, pk: Any) -> Lesson:
    try:
        return lessons_visible(person).get(pk=pk)
    except (Lesson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lesson_related(person: Any, lesson: Lesson) -> dict[str, list[Any]]:
    """Related items, each filtered through the policy: a link never discloses a hidden item."""
    related = {
        "templates": list(templates_visible(person).filter(lessons=lesson)),
        "tenders": list(tenders_visible(person).filter(lessons=lesson)),
        "statements": list(Statement.objects.visible_to(person).filter(lessons=lesson)),
    }
    return related


def tenders_visible(person: Any) -> QuerySet[PlannedTender]:
    return (
        PlannedTender.objects.visible_to(person)
        .select_related("organisation")
        .prefetch_related("cpv_codes")
        .annotate(interest_count=Count("interests", distinct=True))
        .order_by(*PlannedTender._meta.ordering)
    )


def tender_for(person: Any, pk: Any) -> PlannedTender:
    try:
        return tenders_visible(person).get(pk=pk)
    except (PlannedTender.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def interests_for(person: Any, tender: PlannedTender) -> QuerySet[TenderInterest]:
    """Members of the owning organisation see every interest; others see their own organisations'."""
    qs = TenderInterest.objects.filter(tender=tender).select_related("organisation", "person")
    viewer = visibility.viewer_for(person)
    if tender.organisation_id in viewer.organisation_ids:
        return qs
    return qs.filter(organisation_id__in=viewer.organisation_ids)


def interest_changes_for(person: Any, tender: PlannedTender) -> QuerySet[TenderInterestChange]:
    """Who changed which organisation's interest, scoped exactly like :func:`interests_for`."""
    qs = TenderInterestChange.objects.filter(tender=tender).select_related("organisation", "person")
    viewer = visibility.viewer_for(person)
    if tender.organisation_id in viewer.organisation_ids:
        return qs
    return qs.filter(organisation_id__in=viewer.organisation_ids)


def labels() -> QuerySet[Label]:
    return Label.objects.all()


# --- filters shared by the library page and the API -----------------------------------------------


def filter_common(qs: QuerySet, params: dict[str, Any], *, kind: str, person: Any) -> QuerySet:
    """Apply the library filters. ``kind`` is ``template``, ``lesson`` or ``tender``.

    A filter that reaches through a relation (a lesson's or tender's label, via its templates) asks
    the visibility policy for the related rows too: a template ``person`` may not read must not
    decide which lessons they see (that would reveal the private template's labels).

    cpv (prefix of the eight digits, check digit ignored), label (slug), stage, country (of the owner
    organisation, ISO 3166 alpha-2), language, organisation (slug), procedure, status.
    """
    cpv = str(params.get("cpv") or "").strip().split("-")[0]
    if cpv and cpv.isdigit() and kind in ("template", "tender"):
        qs = qs.filter(cpv_codes__code__startswith=cpv).distinct()
    label = params.get("label")
    if label:
        if kind == "template":
            qs = qs.filter(criteria__labels__slug=label).distinct()
        else:
            labelled = TenderTemplate.objects.visible_to(person).filter(criteria__labels__slug=label)
            relation = "templates__in" if kind == "tender" else "related_templates__in"
            qs = qs.filter(**{relation: labelled}).distinct()
    stage = params.get("stage")
    if stage:
        if kind == "template":
            qs = qs.filter(criteria__stage=stage).distinct()
        elif kind == "lesson":
            alias, q = json_list_contains("stages", stage)
            qs = qs.alias(**alias).filter(q)
    country = params.get("country")
    if country:
        qs = qs.filter(organisation__country=str(country).upper())
    language = params.get("language")
    if language and kind in ("template", "lesson"):
        qs = qs.filter(language=language)
    organisation = params.get("organisation")
    if organisation:
        qs = qs.filter(organisation__slug=organisation)
    procedure = params.get("procedure")
    if procedure and kind in ("template", "tender"):
        qs = qs.filter(procedure=procedure)
    status = params.get("status")
    if status and kind in ("template", "tender"):
        qs = qs.filter(status=status)
    return qs


def prefetch_template_labels(qs: QuerySet[TenderTemplate]) -> QuerySet[TenderTemplate]:
    return qs.prefetch_related(Prefetch("criteria", queryset=Criterion.objects.prefetch_related("labels")))


# --- the tender calendar's joint quantities -------------------------------------------------------

OTHER_CATEGORY = "other"


@dataclass
class QuarterQuantities:
    """Estimated quantities of joinable tenders planned for one quarter, by device category."""

    label: str
    units: dict[str, int] = field(default_factory=dict)
    tenders: int = 0
    units_in_order: list[int | None] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.units.values())


def joint_quantities(
    tenders: QuerySet[PlannedTender],
) -> tuple[list[tuple[str, str]], list[QuarterQuantities]]:
    """Per quarter and category, the estimated quantities of tenders still open to joint procurement.

    ``tenders`` is already scoped to the viewer (``tenders_visible`` + library filters). A tender
    counts in the category of its first CPV code that belongs to one (``category_for_cpv``), else
    under "other ICT"; tenders without an estimated quantity are counted but add no units.
    Returns the categories that occur (value, label) and one row per quarter, in calendar order.
    """
    from network.categories import DeviceCategory, category_for_cpv

    rows = (
        tenders.filter(joint_procurement_open=True, status__in=JOINABLE_STATUSES)
        .order_by()
        .prefetch_related("cpv_codes")
    )
    quarters: dict[tuple[int, int], QuarterQuantities] = {}
    seen: set[str] = set()
    for tender in rows:
        category = next(
            (
                c
                for c in (
                    category_for_cpv(code.code)
                    for code in sorted(tender.cpv_codes.all(), key=lambda x: x.code)
                )
                if c
            ),
            OTHER_CATEGORY,
        )
        key = (tender.planned_year, tender.planned_quarter)
        row = quarters.setdefault(key, QuarterQuantities(label=f"{key[0]} Q{key[1]}"))
        row.tenders += 1
        if tender.estimated_quantity:
            row.units[category] = row.units.get(category, 0) + tender.estimated_quantity
            seen.add(category)
    labels = dict(DeviceCategory.choices)
    from django.utils.translation import gettext as _

    labels[OTHER_CATEGORY] = _("Other ICT")
    order = [c for c in [*DeviceCategory.values, OTHER_CATEGORY] if c in seen]
    result = [quarters[k] for k in sorted(quarters)]
    for row in result:
        row.units_in_order = [row.units.get(c) for c in order]
    return [(c, str(labels[c])) for c in order], result


# --- dashboard ------------------------------------------------------------------------------


def new_lessons_section(s: Any) -> Any:
    """Lessons learned shared lately by my organisations, fellow group members or the network."""
    from django.utils.translation import gettext as _

    from network.dashboard import selectors as dashboard

    if not (s.org_ids or s.group_ids):
        return None
    rows = (
        Lesson.objects.visible_to(s.person)
        .filter(created_at__gte=s.since)
        .filter(Q(organisation_id__in=s.network_org_ids) | Q(shared_groups__in=s.group_ids))
        .select_related("organisation")
        .order_by("-created_at", "-pk")
        .distinct()[: dashboard.LIMIT]
    )
    items = [
        dashboard.Item(
            title=lesson.title,
            url=lesson.get_absolute_url(),
            when=lesson.created_at,
            detail=(lesson.context or "")[:200],
            who=lesson.organisation.name,
        )
        for lesson in rows
    ]
    return dashboard.Section("lessons", _("New lessons learned"), items, _("No new lessons in your network."))


def public_joint_tenders(filters: FeedFilters) -> QuerySet[PlannedTender]:
    """Public planned tenders open to joint procurement and not yet published, under the feed
    filters (the Atom and iCalendar feeds read as an anonymous visitor)."""
    qs = PlannedTender.objects.visible_to(None).filter(
        joint_procurement_open=True, status__in=JOINABLE_STATUSES
    )
    qs = filter_by_cpv_and_country(qs, filters, country="organisation__country")
    return qs.select_related("organisation").prefetch_related("cpv_codes")

"""Planned tender writes and peers' interest (one interest per organisation, idempotent)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from knowledge import cpv
from knowledge.models import PlannedTender, TenderInterest, TenderInterestChange, TenderTemplate
from knowledge.models.choices import Procedure, TenderStatus
from knowledge.services.common import require_create_in, require_edit
from network import sharing, validation, visibility
from network.notifications import notify


@dataclass
class TenderData:
    """A planned tender as a write gives it: the page's form, the API and the demo loader build one.

    The model's fields hold the rules (:class:`~knowledge.models.PlannedTender`); the service runs
    them once. ``cpv_codes`` and ``templates`` as ``None`` leave an existing tender's links alone.
    """

    title: str = ""
    description: str = ""
    planned_year: Any = None
    planned_quarter: Any = None
    estimated_quantity: Any = None
    estimated_value_eur: Any = None
    procedure: str = Procedure.OPEN
    status: str = TenderStatus.PLANNING
    joint_procurement_open: bool = False
    strategic_goals: list[str] = field(default_factory=list)
    visibility: str = visibility.Visibility.PRIVATE
    cpv_codes: list[str] | None = None
    templates: list[Any] | None = None
    #: With visibility ``group``: the working groups (slugs or objects) it is shared with
    #: (:func:`network.sharing.resolve`); ``None`` leaves them as they are.
    shared_groups: list[Any] | None = None

    @classmethod
    def of(cls, tender: PlannedTender) -> TenderData:
        """What ``tender`` holds now: a partial edit (the API's PATCH) replaces some of it."""
        values = {name: getattr(tender, name) for name in _MODEL_FIELDS}
        return cls(**values)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> TenderData:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def with_changes(self, changes: dict[str, Any]) -> TenderData:
        return replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})


#: Fields copied onto the model as they are (after trimming the texts); the model validates them.
_MODEL_FIELDS = (
    "title",
    "description",
    "planned_year",
    "planned_quarter",
    "estimated_quantity",
    "estimated_value_eur",
    "procedure",
    "status",
    "joint_procurement_open",
    "strategic_goals",
    "visibility",
)


def _values(data: TenderData) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in _MODEL_FIELDS}
    values["title"] = (data.title or "").strip()
    values["description"] = (data.description or "").strip()
    values["visibility"] = data.visibility or visibility.Visibility.PRIVATE
    values["joint_procurement_open"] = bool(data.joint_procurement_open)
    values["strategic_goals"] = list(dict.fromkeys(data.strategic_goals or []))
    for name in ("estimated_quantity", "estimated_value_eur"):
        if values[name] == "":
            values[name] = None
    return values


def _links(person: Any, data: TenderData, errors: dict[str, list[str]]) -> tuple[list | None, list | None]:
    """CPV codes and templates: checked beside the model's rules, reported with them."""
    codes = None
    if data.cpv_codes is not None:
        try:
            codes = cpv.validate_cpv_codes(data.cpv_codes)
        except ValidationError as exc:
            errors["cpv_codes"] = exc.messages
    template_ids = None
    if data.templates is not None:
        template_ids = validation.referenced_ids(
            TenderTemplate.objects.visible_to(person), data.templates, errors, "templates"
        )
    return codes, template_ids


def _save(person: Any, tender: PlannedTender, data: TenderData) -> PlannedTender:
    """Validate once (the model's rules and the links, every error together), then store."""
    candidate = validation.candidate(tender, _values(data))
    errors: dict[str, list[str]] = {}
    codes, template_ids = _links(person, data, errors)
    groups = sharing.resolve(candidate, data.shared_groups, errors)
    validation.full_clean(candidate, errors=errors)
    with transaction.atomic():
        candidate.save()
        if codes is not None:
            candidate.cpv_codes.set(codes)
        if template_ids is not None:
            candidate.templates.set(template_ids)
        if groups is not None:
            candidate.shared_groups.set(groups)
    return candidate


def tender_create(*, person: Any, organisation: Any, data: TenderData) -> PlannedTender:
    require_create_in(person, organisation)
    return _save(person, PlannedTender(organisation=organisation, created_by=person), data)


def tender_update(*, person: Any, tender: PlannedTender, data: TenderData) -> PlannedTender:
    """Replace the tender's fields with ``data`` (build it with ``TenderData.of(tender)`` to keep
    what is not being changed); invalid input leaves both the row and ``tender`` as they were."""
    require_edit(person, tender)
    return _save(person, tender, data)


def tender_interest_set(
    *, person: Any, tender: PlannedTender, organisation: Any, note: str = "", withdraw: bool = False
) -> TenderInterest | None:
    """Record (or update, or withdraw) ``organisation``'s interest. Double submits update one row.

    Interest speaks for the organisation, so it needs a role the policy names
    (``visibility.can_express_interest_for``: editors and above). Every change is logged with who
    made it (:class:`TenderInterestChange`), so the record survives a withdrawal; the owner
    organisation is told of new interest.
    """
    if not visibility.can_read(person, tender):
        raise PermissionDenied(_("This planned tender is not available to you."))
    if not visibility.can_express_interest_for(person, organisation):
        raise PermissionDenied(
            _("Only owners, admins and editors of %(org)s can speak for its interest.")
            % {"org": organisation.name}
        )
    if organisation.pk == tender.organisation_id:
        # the tender's owner, not the input's shape: the same body is fine for another tender (409)
        raise validation.conflict({"organisation": _("This is your own organisation's tender.")})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("At most 2,000 characters.")})
    Action = TenderInterestChange.Action
    if withdraw:
        with transaction.atomic():
            deleted, _rows = TenderInterest.objects.filter(tender=tender, organisation=organisation).delete()
            if deleted:
                TenderInterestChange.objects.create(
                    tender=tender, organisation=organisation, person=person, action=Action.WITHDRAWN
                )
        return None
    with transaction.atomic():
        before = (
            TenderInterest.objects.filter(tender=tender, organisation=organisation)
            .values_list("note", flat=True)
            .first()
        )
        try:
            with transaction.atomic():
                interest, created = TenderInterest.objects.update_or_create(
                    tender=tender, organisation=organisation, defaults={"note": note, "person": person}
                )
        except IntegrityError:  # a concurrent double submit inserted it first
            interest = TenderInterest.objects.get(tender=tender, organisation=organisation)
            interest.note, interest.person = note, person
            interest.save(update_fields=["note", "person", "updated_at"])
            created = False
        if created or before != note:
            TenderInterestChange.objects.create(
                tender=tender,
                organisation=organisation,
                person=person,
                action=Action.EXPRESSED if created else Action.CHANGED,
                note=note,
            )
        if created:
            from members.models import EDITOR_ROLES, Person

            recipients = Person.objects.filter(
                memberships__organisation_id=tender.organisation_id, memberships__role__in=EDITOR_ROLES
            ).distinct()
            notify(
                recipients,
                kind="tender_interest",
                title=_("%(org)s is interested in “%(tender)s”")
                % {"org": organisation.name, "tender": tender.title},
                body=note,
                url=tender.get_absolute_url(),
                actor=person,
            )
    return interest


def tender_delete(*, person: Any, tender: PlannedTender) -> None:
    """Editors of the owning organisation delete it (the API's DELETE; nothing else deletes rows)."""
    require_edit(person, tender)
    tender.delete()

"""Planned tender writes and peers' interest (one interest per organisation, idempotent)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from knowledge import cpv
from knowledge.models import PlannedTender, TenderInterest, TenderInterestChange, TenderTemplate
from knowledge.models.choices import Procedure, StrategicGoal, TenderStatus
from knowledge.services.common import clean_choices, clean_visibility, require_create_in, require_edit
from network import visibility
from network.notifications import notify


class _Invalid(ValueError):
    """A field's value cannot be used; ``message`` is what the form or API shows."""


def _whole_number(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _Invalid(_("A quantity is a whole number of 0 or more.")) from None
    if number < 0:
        raise _Invalid(_("A quantity is a whole number of 0 or more."))
    return number


def _euros(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _Invalid(_("Give an amount in euros, e.g. 250000.")) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise _Invalid(_("Give an amount in euros, e.g. 250000."))
    return amount


def _int_in(allowed: range, message: str):
    def parse(value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise _Invalid(message) from None
        if number not in allowed:
            raise _Invalid(message)
        return number

    return parse


def _choice_of(choices: Any, message: str):
    def parse(value: Any) -> Any:
        if value not in choices.values:
            raise _Invalid(message)
        return value

    return parse


def _text(value: Any) -> str:
    return (value or "").strip()


#: field → parser; one validation layer for the form, the API and the demo loader.
PARSERS = {
    "title": _text,
    "description": _text,
    "estimated_quantity": _whole_number,
    "estimated_value_eur": _euros,
    "planned_year": _int_in(range(2000, 2101), _("Give a year such as 2026.")),
    "planned_quarter": _int_in(range(1, 5), _("Choose a quarter from 1 to 4.")),
    "procedure": _choice_of(Procedure, _("Choose a procedure.")),
    "status": _choice_of(TenderStatus, _("Choose a status.")),
    "joint_procurement_open": bool,
}


def _parse_fields(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, parse in PARSERS.items():
        if name not in data:
            continue
        try:
            fields[name] = parse(data[name])
        except _Invalid as exc:
            errors[name] = [str(exc)]
    if "title" in fields and not fields["title"]:
        errors["title"] = [_("A planned tender needs a title.")]
    if "strategic_goals" in data:
        try:
            fields["strategic_goals"] = clean_choices(
                data["strategic_goals"], StrategicGoal, "strategic_goals"
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "visibility" in data:
        fields["visibility"] = clean_visibility(data["visibility"])
    return fields


def _visible_template_ids(person: Any, templates: Any, errors: dict[str, list[str]]) -> list[int]:
    wanted = {int(t.pk if hasattr(t, "pk") else t) for t in templates or []}
    found = set(TenderTemplate.objects.visible_to(person).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        errors["templates"] = [_("Some of the templates do not exist or are not visible to you.")]
    return sorted(found)


def _clean(person: Any, data: dict[str, Any]) -> tuple[dict[str, Any], list | None, list[int] | None]:
    """Validate once (every field, every error reported together) before anything is stored."""
    errors: dict[str, list[str]] = {}
    fields = _parse_fields(data, errors)
    codes = None
    if "cpv_codes" in data:
        try:
            codes = cpv.validate_cpv_codes(data["cpv_codes"] or [])
        except ValidationError as exc:
            errors["cpv_codes"] = exc.messages
    template_ids = None
    if "templates" in data:
        template_ids = _visible_template_ids(person, data["templates"], errors)
    if errors:
        raise ValidationError(errors)
    return fields, codes, template_ids


def tender_create(*, person: Any, organisation: Any, data: dict[str, Any]) -> PlannedTender:
    require_create_in(person, organisation)
    required = {
        "title": "",
        "planned_year": data.get("planned_year"),
        "planned_quarter": data.get("planned_quarter"),
    }
    fields, codes, template_ids = _clean(person, {**required, **data})
    with transaction.atomic():
        tender = PlannedTender.objects.create(organisation=organisation, created_by=person, **fields)
        if codes is not None:
            tender.cpv_codes.set(codes)
        if template_ids is not None:
            tender.templates.set(template_ids)
    return tender


def tender_update(*, person: Any, tender: PlannedTender, data: dict[str, Any]) -> PlannedTender:
    require_edit(person, tender)
    fields, codes, template_ids = _clean(person, data)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(tender, name, value)
        tender.save()
        if codes is not None:
            tender.cpv_codes.set(codes)
        if template_ids is not None:
            tender.templates.set(template_ids)
    return tender


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
        raise ValidationError({"organisation": _("This is your own organisation's tender.")})
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

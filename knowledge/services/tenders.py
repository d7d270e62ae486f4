"""Planned tender writes and peers' interest (one interest per organisation, idempotent)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from knowledge import cpv
from knowledge.models import PlannedTender, TenderInterest, TenderTemplate
from knowledge.models.choices import Procedure, StrategicGoal, TenderStatus
from knowledge.services.common import clean_choices, clean_visibility, require_create_in, require_edit
from network import visibility
from network.notifications import notify


def _clean(person: Any, data: dict[str, Any]) -> tuple[dict[str, Any], list | None, list[int] | None]:
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in ("title", "description"):
        if name in data:
            fields[name] = (data[name] or "").strip()
    if "title" in fields and not fields["title"]:
        errors["title"] = [_("A planned tender needs a title.")]
    if "estimated_quantity" in data:
        q = data["estimated_quantity"]
        if q in (None, ""):
            fields["estimated_quantity"] = None
        else:
            try:
                fields["estimated_quantity"] = int(q)
                if fields["estimated_quantity"] < 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors["estimated_quantity"] = [_("A quantity is a whole number of 0 or more.")]
    if "estimated_value_eur" in data:
        v = data["estimated_value_eur"]
        if v in (None, ""):
            fields["estimated_value_eur"] = None
        else:
            try:
                fields["estimated_value_eur"] = Decimal(str(v)).quantize(Decimal("0.01"))
                if fields["estimated_value_eur"] < 0 or fields["estimated_value_eur"] >= Decimal("1e12"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors["estimated_value_eur"] = [_("Give an amount in euros, e.g. 250000.")]
    if "planned_year" in data:
        try:
            fields["planned_year"] = int(data["planned_year"])
            if not 2000 <= fields["planned_year"] <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            errors["planned_year"] = [_("Give a year such as 2026.")]
    if "planned_quarter" in data:
        try:
            fields["planned_quarter"] = int(data["planned_quarter"])
            if fields["planned_quarter"] not in (1, 2, 3, 4):
                raise ValueError
        except (TypeError, ValueError):
            errors["planned_quarter"] = [_("Choose a quarter from 1 to 4.")]
    if "procedure" in data:
        if data["procedure"] not in Procedure.values:
            errors["procedure"] = [_("Choose a procedure.")]
        fields["procedure"] = data["procedure"]
    if "status" in data:
        if data["status"] not in TenderStatus.values:
            errors["status"] = [_("Choose a status.")]
        fields["status"] = data["status"]
    if "joint_procurement_open" in data:
        fields["joint_procurement_open"] = bool(data["joint_procurement_open"])
    if "strategic_goals" in data:
        try:
            fields["strategic_goals"] = clean_choices(
                data["strategic_goals"], StrategicGoal, "strategic_goals"
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "visibility" in data:
        fields["visibility"] = clean_visibility(data["visibility"])
    codes = None
    if "cpv_codes" in data:
        try:
            codes = cpv.validate_cpv_codes(data["cpv_codes"] or [])
        except ValidationError as exc:
            errors["cpv_codes"] = exc.messages
    template_ids = None
    if "templates" in data:
        wanted = {int(t.pk if hasattr(t, "pk") else t) for t in data["templates"] or []}
        found = set(
            TenderTemplate.objects.visible_to(person).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if wanted - found:
            errors["templates"] = [_("Some of the templates do not exist or are not visible to you.")]
        template_ids = sorted(found)
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

    Any member of the organisation may speak for its interest; the owner organisation is told.
    """
    if not visibility.can_read(person, tender):
        raise PermissionDenied(_("This planned tender is not available to you."))
    if visibility.viewer_for(person).role_in(organisation.pk) is None:
        raise PermissionDenied(_("You can express interest only for an organisation you belong to."))
    if organisation.pk == tender.organisation_id:
        raise ValidationError({"organisation": _("This is your own organisation's tender.")})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("At most 2,000 characters.")})
    if withdraw:
        TenderInterest.objects.filter(tender=tender, organisation=organisation).delete()
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                interest, created = TenderInterest.objects.update_or_create(
                    tender=tender, organisation=organisation, defaults={"note": note, "person": person}
                )
        except IntegrityError:  # a concurrent double submit inserted it first
            interest = TenderInterest.objects.get(tender=tender, organisation=organisation)
            interest.note, interest.person = note, person
            interest.save(update_fields=["note", "person"])
            created = False
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

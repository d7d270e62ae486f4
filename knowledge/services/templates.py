"""Tender template writes: create, edit (with the criteria list), publish a version, fork, delete.

Rules enforced here (so the HTML forms and the API behave the same):

* CPV codes are validated with :func:`knowledge.cpv.validate_cpv_codes` (format, check digit, known).
* Criterion Markdown is rendered once, safely, by :func:`network.markdown.render` and stored.
* Weights belong to award criteria only; when any award criterion has a weight, every award criterion
  needs one and they add up to 100.
* Every write runs in one transaction: on any error nothing is stored.
* Version numbers come from an atomic ``UPDATE … SET version_count = version_count + 1`` on the
  template row, which serialises concurrent publishers on PostgreSQL (row lock) and SQLite (write
  lock); the unique (template, number) constraint backs it up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from knowledge import cpv
from knowledge.models import Criterion, Label, TemplateVersion, TenderTemplate
from knowledge.models.choices import LANGUAGES, Ambition, Licence, MeansOfProof, Procedure, Stage
from knowledge.services.common import (
    clean_choices,
    clean_tags,
    clean_visibility,
    require_create_in,
    require_edit,
)
from network import visibility
from network.markdown import render

# Criterion text is rendered safely whatever it holds (network.markdown escapes raw HTML and nh3
# sanitises the output). Input that plainly tries to script the page is refused as well, with a
# message, rather than silently stored: a procurement text has no reason to contain it.
HOSTILE = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style)\b"
    r"|<[^>]*[\s/]on[a-z]+\s*="
    r"|\b(javascript|vbscript)\s*:"
    r"|data\s*:\s*text/html",
    re.IGNORECASE,
)

TEMPLATE_FIELDS = ("title", "summary", "procedure", "language", "licence", "tags", "visibility", "status")


@dataclass
class CriterionData:
    """One criterion as the forms and the API submit it. ``key`` identifies an existing criterion."""

    stage: str
    title: str
    text: str
    ambition: str = Ambition.CORE
    means_of_proof: list[str] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)  # Label instances, ids or slugs
    verification_text: str = ""
    weight: int | None = None
    key: Any = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> CriterionData:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class CriteriaInvalid(ValidationError):
    """Invalid criteria: readable messages under ``criteria`` plus ``item_errors`` per criterion, so a
    formset can put each message next to the field it is about."""

    def __init__(self, item_errors: list[dict[str, list[str]]]) -> None:
        self.item_errors = item_errors
        messages = [
            _("Criterion %(n)s: %(msg)s") % {"n": index + 1, "msg": msg}
            for index, errs in enumerate(item_errors)
            for msgs in errs.values()
            for msg in msgs
        ]
        super().__init__({"criteria": messages})


def _clean_template_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in TEMPLATE_FIELDS:
        if name in data:
            cleaned[name] = data[name]
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            errors["title"] = [_("A template needs a title.")]
        elif len(cleaned["title"]) > 200:
            errors["title"] = [_("At most 200 characters.")]
    checks = {
        "procedure": Procedure.values,
        "licence": Licence.values,
        "language": [c for c, _n in LANGUAGES],
        "status": TenderTemplate.Status.values,
    }
    for name, allowed in checks.items():
        if name in cleaned and cleaned[name] not in allowed:
            errors[name] = [_("“%(v)s” is not a valid choice.") % {"v": cleaned[name]}]
    if "tags" in cleaned:
        cleaned["tags"] = clean_tags(cleaned["tags"])
    if "visibility" in cleaned:
        cleaned["visibility"] = clean_visibility(cleaned["visibility"])
    if errors:
        raise ValidationError(errors)
    return cleaned


def _resolve_labels(values: Sequence[Any], labels_by: dict[str, Label]) -> list[Label]:
    result = []
    for value in values:
        if isinstance(value, Label):
            result.append(value)
            continue
        label = labels_by.get(str(value))
        if label is None:
            raise ValidationError(_("Unknown label “%(v)s”.") % {"v": value})
        result.append(label)
    return result


def _criterion_text_errors(item: CriterionData) -> dict[str, list[str]]:
    errs: dict[str, list[str]] = {}
    item.title = (item.title or "").strip()
    item.text = (item.text or "").strip()
    if item.stage not in Stage.values:
        errs["stage"] = [_("Choose the stage of the procurement this criterion belongs to.")]
    if not item.title:
        errs["title"] = [_("A criterion needs a title.")]
    elif len(item.title) > 200:
        errs["title"] = [_("At most 200 characters.")]
    if not item.text:
        errs["text"] = [_("A criterion needs its text.")]
    elif HOSTILE.search(item.text) or HOSTILE.search(item.verification_text or ""):
        errs["text"] = [
            _("The text may not contain scripts, embedded frames, event handlers or javascript: links.")
        ]
    if item.ambition not in Ambition.values:
        errs["ambition"] = [_("Choose core or comprehensive.")]
    return errs


def _criterion_weight_error(item: CriterionData) -> list[str] | None:
    if item.weight in ("", None):
        item.weight = None
        return None
    try:
        item.weight = int(item.weight)
    except (TypeError, ValueError):
        return [_("A weight is a whole number from 0 to 100.")]
    if not 0 <= item.weight <= 100:
        return [_("A weight is a whole number from 0 to 100.")]
    if item.stage != Stage.AWARD:
        return [_("Only award criteria carry a weight.")]
    return None


def _criterion_errors(item: CriterionData, all_labels: dict[str, Any]) -> dict[str, list[str]]:
    """One criterion's errors by field (it is normalised in place as it is checked)."""
    errs = _criterion_text_errors(item)
    try:
        item.means_of_proof = clean_choices(item.means_of_proof, MeansOfProof, "means_of_proof")
    except ValidationError:
        errs["means_of_proof"] = [_("Choose from label, third-party verification, self-declaration, audit.")]
    try:
        item.labels = _resolve_labels(item.labels or [], all_labels)
    except ValidationError as exc:
        errs["labels"] = exc.messages
    weight = _criterion_weight_error(item)
    if weight:
        errs["weight"] = weight
    return errs


def _clean_criteria(criteria: Sequence[CriterionData | dict[str, Any]]) -> list[CriterionData]:
    """Validate the whole list; errors come back as ``{"criteria": [{field: [...]}, ...]}``."""
    items = [c if isinstance(c, CriterionData) else CriterionData.from_mapping(c) for c in criteria]
    all_labels = {str(lb.pk): lb for lb in Label.objects.all()}
    all_labels.update({lb.slug: lb for lb in all_labels.values()})
    per_item: list[dict[str, list[str]]] = []
    any_error = False
    for item in items:
        errs = _criterion_errors(item, all_labels)
        per_item.append(errs)
        any_error = any_error or bool(errs)
    if any_error:
        raise CriteriaInvalid(per_item)
    award = [c for c in items if c.stage == Stage.AWARD]
    weighted = [c for c in award if c.weight is not None]
    if weighted:
        if len(weighted) != len(award):
            raise ValidationError(
                {"criteria": _("When award criteria carry weights, every award criterion needs one.")},
                code="award_weights_missing",
            )
        total = sum(c.weight for c in weighted)
        if total != 100:
            raise ValidationError(
                {
                    "criteria": _(
                        "The weights of the award criteria add up to %(total)s; they must add up to 100."
                    )
                    % {"total": total}
                },
                code="award_weights_sum",
            )
    return items


def _clean_cpv(codes: Sequence[str] | None) -> list:
    try:
        return cpv.validate_cpv_codes(codes or [])
    except ValidationError as exc:
        raise ValidationError({"cpv_codes": exc.messages}) from None


def _write_criteria(template: TenderTemplate, items: list[CriterionData]) -> None:
    """Replace the criteria list, keeping each existing criterion's key (for version diffs)."""
    existing = {str(c.key): c for c in template.criteria.all()}
    keep: set[int] = set()
    for position, item in enumerate(items):
        crit = existing.get(str(item.key)) if item.key else None
        if crit is None:
            crit = Criterion(template=template)
        crit.position = position
        crit.stage, crit.title, crit.text = item.stage, item.title, item.text
        crit.text_html = render(item.text)
        crit.ambition, crit.means_of_proof = item.ambition, item.means_of_proof
        crit.verification_text, crit.weight = (item.verification_text or "").strip(), item.weight
        crit.save()
        crit.labels.set(item.labels)
        keep.add(crit.pk)
    template.criteria.exclude(pk__in=keep).delete()


def template_create(
    *,
    person: Any,
    organisation: Any,
    data: dict[str, Any],
    cpv_codes: Sequence[str] = (),
    criteria: Sequence[CriterionData | dict[str, Any]] = (),
    shared_groups: Sequence[Any] = (),
) -> TenderTemplate:
    """Create a template with its criteria in ``organisation`` (editors only)."""
    require_create_in(person, organisation)
    fields = _clean_template_fields({"title": "", **data})
    codes = _clean_cpv(cpv_codes)
    items = _clean_criteria(criteria)
    with transaction.atomic():
        template = TenderTemplate.objects.create(
            organisation=organisation,
            created_by=person,
            slug=slugify(fields["title"])[:80],
            **fields,
        )
        template.cpv_codes.set(codes)
        template.shared_groups.set(shared_groups)
        _write_criteria(template, items)
    return template


def template_update(
    *,
    person: Any,
    template: TenderTemplate,
    data: dict[str, Any],
    cpv_codes: Sequence[str] | None = None,
    criteria: Sequence[CriterionData | dict[str, Any]] | None = None,
    shared_groups: Sequence[Any] | None = None,
) -> TenderTemplate:
    """Edit a template. ``None`` leaves CPV codes / criteria / groups as they are."""
    require_edit(person, template)
    fields = _clean_template_fields(data)
    codes = _clean_cpv(cpv_codes) if cpv_codes is not None else None
    items = _clean_criteria(criteria) if criteria is not None else None
    with transaction.atomic():
        locked = TenderTemplate.objects.select_for_update().get(pk=template.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        if "title" in fields:
            locked.slug = slugify(fields["title"])[:80]
        locked.save()
        if codes is not None:
            locked.cpv_codes.set(codes)
        if shared_groups is not None:
            locked.shared_groups.set(shared_groups)
        if items is not None:
            _write_criteria(locked, items)
    return locked


def template_delete(*, person: Any, template: TenderTemplate) -> None:
    require_edit(person, template)
    template.delete()


def snapshot(template: TenderTemplate) -> dict[str, Any]:
    """The template and its criteria as plain JSON: what a version freezes."""
    criteria = template.criteria.prefetch_related("labels").order_by("position", "pk")
    return {
        "title": template.title,
        "summary": template.summary,
        "procedure": template.procedure,
        "language": template.language,
        "licence": template.licence,
        "tags": list(template.tags),
        "cpv_codes": [c.full_code for c in template.cpv_codes.order_by("code")],
        "criteria": [
            {
                "key": str(c.key),
                "position": c.position,
                "stage": c.stage,
                "title": c.title,
                "text": c.text,
                "text_html": c.text_html,
                "ambition": c.ambition,
                "means_of_proof": list(c.means_of_proof),
                "labels": sorted(lb.slug for lb in c.labels.all()),
                "verification_text": c.verification_text,
                "weight": c.weight,
            }
            for c in criteria
        ],
    }


def template_publish(*, person: Any, template: TenderTemplate, change_note: str = "") -> TemplateVersion:
    """Freeze the template as the next numbered version and mark it published."""
    require_edit(person, template)
    change_note = (change_note or "").strip()
    if len(change_note) > 2000:
        raise ValidationError({"change_note": _("At most 2,000 characters.")})
    with transaction.atomic():
        # The UPDATE takes the row lock first, so two publishers get different numbers.
        TenderTemplate.objects.filter(pk=template.pk).update(
            version_count=F("version_count") + 1, status=TenderTemplate.Status.PUBLISHED
        )
        locked = TenderTemplate.objects.get(pk=template.pk)
        version = TemplateVersion.objects.create(
            template=locked,
            number=locked.version_count,
            change_note=change_note,
            published_by=person,
            snapshot=snapshot(locked),
        )
    template.version_count, template.status = locked.version_count, locked.status
    return version


def template_fork(
    *, person: Any, version: TemplateVersion, organisation: Any, title: str | None = None
) -> TenderTemplate:
    """Copy a published version into ``organisation`` as a new private draft that records its origin.

    The person must be able to read the version (else it does not exist for them) and be an editor
    of the organisation forking it.
    """
    if not visibility.can_read(person, version.template):
        raise PermissionDenied(_("This template is not available to you."))
    require_create_in(person, organisation)
    data = version.snapshot
    labels = {lb.slug: lb for lb in Label.objects.all()}
    criteria = [
        CriterionData(
            stage=c["stage"],
            title=c["title"],
            text=c["text"],
            ambition=c["ambition"],
            means_of_proof=c["means_of_proof"],
            labels=[labels[s] for s in c["labels"] if s in labels],
            verification_text=c["verification_text"],
            weight=c["weight"],
        )
        for c in data["criteria"]
    ]
    with transaction.atomic():
        fork = template_create(
            person=person,
            organisation=organisation,
            data={
                "title": (title or data["title"]).strip(),
                "summary": data["summary"],
                "procedure": data["procedure"],
                "language": data["language"],
                "licence": data["licence"],
                "tags": data["tags"],
                "visibility": visibility.Visibility.PRIVATE,
            },
            cpv_codes=data["cpv_codes"],
            criteria=criteria,
        )
        fork.forked_from = version
        fork.save(update_fields=["forked_from"])
        # The fork keeps each criterion's identity, so it can be compared with its origin.
        for position, item in enumerate(data["criteria"]):
            Criterion.objects.filter(template=fork, position=position).update(key=item["key"])
    return fork

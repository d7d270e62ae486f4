"""Tender template writes: create, edit (with the criteria list), publish a version, fork, delete.

One validation layer (#18): the rules of a template's and a criterion's fields (required title,
lengths, choices, tag limits, weight bounds, no scripts in criterion text, weights on award criteria
only) live on the models and run here once through ``full_clean``, so the HTML forms, the API, the
demo loader and a fork get the same messages. Beside them, here:

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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from knowledge import cpv
from knowledge.models import Criterion, Label, TemplateVersion, TenderTemplate
from knowledge.models.choices import Ambition, Licence, Procedure, Stage
from knowledge.services.common import normalise_tags, require_create_in, require_edit
from network import sharing, validation, visibility
from network.markdown import render

#: What an edit may change (the status changes by publishing, the slug follows the title).
TEMPLATE_FIELDS = ("title", "summary", "procedure", "language", "licence", "tags", "visibility")


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
        known.setdefault("stage", "")
        known.setdefault("title", "")
        known.setdefault("text", "")
        return cls(**known)


@dataclass
class TemplateData:
    """A template as a write gives it: the page's form, the API, the demo loader and a fork build
    one. The model fields (``TenderTemplate``, ``Criterion``) hold the rules; the service runs them
    once. ``cpv_codes``, ``criteria`` and ``shared_groups`` as ``None`` leave those as they are."""

    title: str = ""
    summary: str = ""
    procedure: str = Procedure.OPEN
    language: str = "en"
    licence: str = Licence.CC_BY
    tags: list[str] | str = field(default_factory=list)
    visibility: str = visibility.Visibility.PRIVATE
    cpv_codes: Sequence[str] | None = None
    criteria: Sequence[CriterionData | dict[str, Any]] | None = None
    shared_groups: Sequence[Any] | None = None

    @classmethod
    def of(cls, template: TenderTemplate) -> TemplateData:
        """What ``template`` holds now: a partial edit (the API's PATCH) replaces some of it."""
        return cls(**{name: getattr(template, name) for name in TEMPLATE_FIELDS})

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> TemplateData:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def with_changes(self, changes: dict[str, Any]) -> TemplateData:
        return replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})


def _numbered(index: int, msg: Any) -> Any:
    """``Criterion 2: …`` for one criterion's message; a state rule stays one (its code kept)."""
    if isinstance(msg, ValidationError):
        text = _("Criterion %(n)s: %(msg)s") % {"n": index + 1, "msg": msg.messages[0]}
        return ValidationError(text, code=msg.code)
    return _("Criterion %(n)s: %(msg)s") % {"n": index + 1, "msg": msg}


class CriteriaInvalid(ValidationError):
    """Invalid criteria: readable messages under ``criteria`` plus ``item_errors`` per criterion, so a
    formset can put each message next to the field it is about; the template's own field errors
    (``fields``) come with them, so every problem is reported at once."""

    def __init__(
        self, item_errors: list[dict[str, list[str]]], fields: dict[str, list[str]] | None = None
    ) -> None:
        self.item_errors = item_errors
        messages = [
            _numbered(index, msg)
            for index, errs in enumerate(item_errors)
            for msgs in errs.values()
            for msg in msgs
        ]
        super().__init__({**(fields or {}), "criteria": messages})


def _values(data: TemplateData) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in TEMPLATE_FIELDS}
    values["title"] = (data.title or "").strip()
    values["summary"] = (data.summary or "").strip()
    values["slug"] = slugify(values["title"])[:80]
    values["tags"] = normalise_tags(data.tags)
    values["visibility"] = data.visibility or visibility.Visibility.PRIVATE
    return values


def _resolve_labels(values: Sequence[Any], labels_by: dict[str, Label]) -> tuple[list[Label], list[str]]:
    result, unknown = [], []
    for value in values or []:
        label = value if isinstance(value, Label) else labels_by.get(str(value))
        if label is None:
            # the labels are rows staff keep: state, not shape (409)
            unknown.append(validation.conflicting(_("Unknown label “%(v)s”.") % {"v": value}))
        else:
            result.append(label)
    return result, unknown


def _criterion_errors(item: CriterionData, labels_by: dict[str, Label]) -> dict[str, list[str]]:
    """One criterion checked by the ``Criterion`` model's rules; ``item`` is normalised in place
    (trimmed texts, the weight as a number, labels as objects)."""
    candidate = Criterion(
        stage=item.stage or "",
        title=(item.title or "").strip(),
        text=(item.text or "").strip(),
        ambition=item.ambition or Ambition.CORE,
        means_of_proof=list(dict.fromkeys(item.means_of_proof or [])),
        verification_text=(item.verification_text or "").strip(),
        weight=None if item.weight in ("", None) else item.weight,
    )
    errors: dict[str, list[str]] = {}
    try:
        candidate.full_clean(exclude=["template", "key", "position", "text_html"], validate_unique=False)
    except ValidationError as exc:
        validation.merge(errors, exc)
    item.labels, unknown = _resolve_labels(item.labels, labels_by)
    if unknown:
        errors["labels"] = unknown
    item.stage, item.title, item.text = candidate.stage, candidate.title, candidate.text
    item.ambition, item.means_of_proof = candidate.ambition, candidate.means_of_proof
    item.verification_text, item.weight = candidate.verification_text, candidate.weight
    return errors


def _award_weights_error(items: list[CriterionData]) -> ValidationError | None:
    """When award criteria carry weights, every one carries one and they add up to 100."""
    award = [c for c in items if c.stage == Stage.AWARD]
    weighted = [c for c in award if c.weight is not None]
    if not weighted:
        return None
    if len(weighted) != len(award):
        return ValidationError(
            {"criteria": _("When award criteria carry weights, every award criterion needs one.")},
            code="award_weights_missing",
        )
    total = sum(c.weight for c in weighted)
    if total == 100:
        return None
    message = _("The weights of the award criteria add up to %(total)s; they must add up to 100.")
    return ValidationError({"criteria": message % {"total": total}}, code="award_weights_sum")


def _clean_criteria(criteria: Sequence[CriterionData | dict[str, Any]]) -> list[CriterionData]:
    """Validate the whole list; errors come back as :class:`CriteriaInvalid` (per criterion)."""
    items = [c if isinstance(c, CriterionData) else CriterionData.from_mapping(c) for c in criteria]
    labels_by = {str(lb.pk): lb for lb in Label.objects.all()}
    labels_by.update({lb.slug: lb for lb in labels_by.values()})
    per_item = [_criterion_errors(item, labels_by) for item in items]
    if any(per_item):
        raise CriteriaInvalid(per_item)
    weights = _award_weights_error(items)
    if weights is not None:
        raise weights
    return items


def _validate(template: TenderTemplate, data: TemplateData) -> tuple[list | None, list | None, list | None]:
    """The template's fields, CPV codes, shared groups and criteria, every error reported together."""
    errors: dict[str, list[str]] = {}
    groups = sharing.resolve(template, data.shared_groups, errors)
    codes = None
    if data.cpv_codes is not None:
        try:
            codes = cpv.validate_cpv_codes(data.cpv_codes)
        except ValidationError as exc:
            errors["cpv_codes"] = exc.messages
    items = None
    try:
        validation.full_clean(template)
    except ValidationError as exc:
        validation.merge(errors, exc)
    if data.criteria is not None:
        try:
            items = _clean_criteria(data.criteria)
        except CriteriaInvalid as exc:
            raise CriteriaInvalid(exc.item_errors, errors) from None
        except ValidationError as exc:
            validation.merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    return codes, items, groups


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


def template_create(*, person: Any, organisation: Any, data: TemplateData) -> TenderTemplate:
    """Create a template with its criteria in ``organisation`` (editors only)."""
    require_create_in(person, organisation)
    template = TenderTemplate(organisation=organisation, created_by=person, **_values(data))
    codes, items, groups = _validate(template, data)
    with transaction.atomic():
        template.save()
        template.cpv_codes.set(codes or [])
        template.shared_groups.set(groups or [])
        _write_criteria(template, items or [])
    return template


def template_update(*, person: Any, template: TenderTemplate, data: TemplateData) -> TenderTemplate:
    """Replace the template's fields with ``data`` (``TemplateData.of(template)`` keeps the rest);
    invalid input leaves both the row and ``template`` as they were."""
    require_edit(person, template)
    values = _values(data)
    codes, items, groups = _validate(validation.candidate(template, values), data)
    with transaction.atomic():
        # Fresh and locked: a publish meanwhile keeps its version number and status.
        locked = TenderTemplate.objects.select_for_update().get(pk=template.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        if codes is not None:
            locked.cpv_codes.set(codes)
        if groups is not None:
            locked.shared_groups.set(groups)
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


def version_to_fork(template: TenderTemplate, number: int | None = None) -> TemplateVersion:
    """The version a fork copies: ``number``, else the latest. A template not published yet has none:
    a rule of its state, not of the request (:func:`network.validation.conflict`, the API's 409), so
    the same request succeeds once it is published. A number it never had is a 404."""
    from knowledge.selectors import version_for

    if not number and not template.version_count:
        raise validation.conflict({"version": _("This template has no published version to fork yet.")})
    return version_for(template, number or template.version_count)


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
            data=TemplateData(
                title=(title or data["title"]).strip(),
                summary=data["summary"],
                procedure=data["procedure"],
                language=data["language"],
                licence=data["licence"],
                tags=data["tags"],
                visibility=visibility.Visibility.PRIVATE,
                cpv_codes=data["cpv_codes"],
                criteria=criteria,
            ),
        )
        fork.forked_from = version
        fork.save(update_fields=["forked_from"])
        # The fork keeps each criterion's identity, so it can be compared with its origin.
        for position, item in enumerate(data["criteria"]):
            Criterion.objects.filter(template=fork, position=position).update(key=item["key"])
    return fork

"""Lesson writes. Related templates, tenders and statements must be visible to the author (no
linking to what one cannot read)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from knowledge.content import notify_lesson_shared
from knowledge.models import Lesson, PlannedTender, TenderTemplate
from knowledge.models.choices import LANGUAGES, LessonStage
from knowledge.services.common import (
    clean_choices,
    clean_tags,
    clean_visibility,
    require_create_in,
    require_edit,
)
from knowledge.statements.models import Statement

TEXT_FIELDS = ("title", "context", "approach", "market_dialogue", "challenges", "next_action")


def _visible_ids(model: Any, person: Any, ids: Sequence[Any], field: str) -> list[int]:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give ids.")}) from None
    found = set(model.objects.visible_to(person).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ValidationError({field: _("Some of the linked items do not exist or are not visible to you.")})
    return sorted(found)


def _clean(person: Any, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in data:
            fields[name] = (data[name] or "").strip()
    if "title" in fields and not fields["title"]:
        raise ValidationError({"title": _("A lesson needs a title.")})
    if "stages" in data:
        fields["stages"] = clean_choices(data["stages"], LessonStage, "stages")
    if "recommendations" in data:
        recs = data["recommendations"]
        if isinstance(recs, str):
            recs = recs.splitlines()
        fields["recommendations"] = [str(r).strip() for r in recs if str(r).strip()]
    if "language" in data:
        if data["language"] not in dict(LANGUAGES):
            raise ValidationError({"language": _("Choose a language.")})
        fields["language"] = data["language"]
    if "tags" in data:
        fields["tags"] = clean_tags(data["tags"])
    if "visibility" in data:
        fields["visibility"] = clean_visibility(data["visibility"])
    links: dict[str, list[int]] = {}
    if "related_templates" in data:
        links["related_templates"] = _visible_ids(
            TenderTemplate, person, data["related_templates"], "related_templates"
        )
    if "related_tenders" in data:
        links["related_tenders"] = _visible_ids(
            PlannedTender, person, data["related_tenders"], "related_tenders"
        )
    if "related_statements" in data:
        links["related_statements"] = _visible_ids(
            Statement, person, data["related_statements"] or [], "related_statements"
        )
    return fields, links


def lesson_create(*, person: Any, organisation: Any, data: dict[str, Any]) -> Lesson:
    require_create_in(person, organisation)
    fields, links = _clean(person, {"title": "", **data})
    with transaction.atomic():
        lesson = Lesson.objects.create(organisation=organisation, created_by=person, **fields)
        for name, ids in links.items():
            getattr(lesson, name).set(ids)
        notify_lesson_shared(lesson, actor=person)
    return lesson


def lesson_update(*, person: Any, lesson: Lesson, data: dict[str, Any]) -> Lesson:
    require_edit(person, lesson)
    fields, links = _clean(person, data)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(lesson, name, value)
        lesson.save()
        for name, ids in links.items():
            getattr(lesson, name).set(ids)
    return lesson


def lesson_delete(*, person: Any, lesson: Lesson) -> None:
    """Editors of the owning organisation delete it (the API's DELETE; nothing else deletes rows)."""
    require_edit(person, lesson)
    lesson.delete()

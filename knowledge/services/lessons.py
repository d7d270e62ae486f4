"""Lesson writes. Related templates, tenders and statements must be visible to the author (no
linking to what one cannot read)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction

from knowledge.content import notify_lesson_shared
from knowledge.models import Lesson, PlannedTender, TenderTemplate
from knowledge.services.common import normalise_tags, require_create_in, require_edit
from knowledge.statements.models import Statement
from network import sharing, validation
from network.visibility import Visibility

TEXT_FIELDS = ("title", "context", "approach", "market_dialogue", "challenges", "next_action")
LINKS = {
    "related_templates": TenderTemplate,
    "related_tenders": PlannedTender,
    "related_statements": Statement,
}


@dataclass
class LessonData:
    """A lesson as a write gives it (the page's form, the API, the demo loader). The model's fields
    hold the rules (:class:`~knowledge.models.Lesson`); links as ``None`` are left as they are."""

    title: str = ""
    context: str = ""
    approach: str = ""
    market_dialogue: str = ""
    challenges: str = ""
    next_action: str = ""
    stages: list[str] = field(default_factory=list)
    recommendations: list[str] | str = field(default_factory=list)
    language: str = "en"
    tags: list[str] | str = field(default_factory=list)
    visibility: str = Visibility.PRIVATE
    related_templates: list[Any] | None = None
    related_tenders: list[Any] | None = None
    related_statements: list[Any] | None = None
    #: With visibility ``group``: the working groups (slugs or objects) it is shared with
    #: (:func:`network.sharing.resolve`); ``None`` leaves them as they are.
    shared_groups: list[Any] | None = None

    @classmethod
    def of(cls, lesson: Lesson) -> LessonData:
        """What ``lesson`` holds now: a partial edit (the API's PATCH) replaces some of it."""
        names = (*TEXT_FIELDS, "stages", "recommendations", "language", "tags", "visibility")
        return cls(**{name: getattr(lesson, name) for name in names})

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> LessonData:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def with_changes(self, changes: dict[str, Any]) -> LessonData:
        return replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})


def _values(data: LessonData) -> dict[str, Any]:
    values: dict[str, Any] = {name: (getattr(data, name) or "").strip() for name in TEXT_FIELDS}
    recs = (
        data.recommendations.splitlines() if isinstance(data.recommendations, str) else data.recommendations
    )
    values["recommendations"] = [str(r).strip() for r in recs or [] if str(r).strip()]
    values["stages"] = list(dict.fromkeys(data.stages or []))
    values["tags"] = normalise_tags(data.tags)
    values["language"] = data.language
    values["visibility"] = data.visibility or Visibility.PRIVATE
    return values


def _visible_ids(person: Any, data: LessonData, errors: dict[str, list[str]]) -> dict[str, list[int]]:
    """The linked templates, tenders and statements: each must be readable by the author."""
    links: dict[str, list[int]] = {}
    for name, model in LINKS.items():
        ids = getattr(data, name)
        if ids is not None:
            links[name] = validation.referenced_ids(model.objects.visible_to(person), ids, errors, name)
    return links


def _save(person: Any, lesson: Lesson, data: LessonData, *, created: bool) -> Lesson:
    """Validate once (the model's rules and the links, every error together), then store."""
    candidate = validation.candidate(lesson, _values(data))
    errors: dict[str, list[str]] = {}
    links = _visible_ids(person, data, errors)
    groups = sharing.resolve(candidate, data.shared_groups, errors)
    validation.full_clean(candidate, errors=errors)
    with transaction.atomic():
        candidate.save()
        for name, ids in links.items():
            getattr(candidate, name).set(ids)
        if groups is not None:
            candidate.shared_groups.set(groups)
        if created:
            notify_lesson_shared(candidate, actor=person)
    return candidate


def lesson_create(*, person: Any, organisation: Any, data: LessonData) -> Lesson:
    require_create_in(person, organisation)
    return _save(person, Lesson(organisation=organisation, created_by=person), data, created=True)


def lesson_update(*, person: Any, lesson: Lesson, data: LessonData) -> Lesson:
    """Replace the lesson's fields with ``data`` (``LessonData.of(lesson)`` keeps the rest);
    invalid input leaves both the row and ``lesson`` as they were."""
    require_edit(person, lesson)
    return _save(person, lesson, data, created=False)


def lesson_delete(*, person: Any, lesson: Lesson) -> None:
    """Editors of the owning organisation delete it (the API's DELETE; nothing else deletes rows)."""
    require_edit(person, lesson)
    lesson.delete()

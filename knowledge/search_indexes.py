"""What the search finds of tender templates, lessons and planned tenders (declared with the types).

Registered through :mod:`network.content` by :func:`knowledge.content.register_types`; the search
package reads these declarations and names no model of this app.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from knowledge.models.choices import LessonStage, Procedure, Stage, StrategicGoal
from network.search.indexes import choice_label, cpv_divisions, cpv_text
from network.search.spec import SearchIndex
from network.visibility import Visibility

# --- tender templates ---------------------------------------------------------------------------


def _template_criteria_text(template: Any) -> list[str]:
    from network.markdown import plain_text

    parts: list[str] = []
    for c in template.criteria.all():
        text = html.unescape(plain_text(c.text)) if c.text else ""
        parts += [c.title, text, c.verification_text, " ".join(lb.name for lb in c.labels.all())]
    return parts + cpv_text(template.cpv_codes.all())


def _template_labels(template: Any) -> list[tuple[str, str]]:
    return [(lb.slug, lb.name) for c in template.criteria.all() for lb in c.labels.all()]


def _template_stages(template: Any) -> list[tuple[str, str]]:
    return [(c.stage, choice_label(Stage, c.stage)) for c in template.criteria.all()]


TEMPLATE_INDEX = SearchIndex(
    model="knowledge.TenderTemplate",
    type="template",
    type_label=_("Tender template"),
    title="title",
    fields=[("summary", "B"), ("tags", "B"), (_template_criteria_text, "C")],
    language="language",
    date="updated_at",
    facets={
        "cpv": lambda t: cpv_divisions(t.cpv_codes.all()),
        "label": _template_labels,
        "stage": _template_stages,
    },
    prefetch_related=["cpv_codes", "criteria__labels"],
    # a criterion's text and a version's changes are part of the template's document
    related={
        "knowledge.Criterion": "template_id",
        "knowledge.TemplateVersion": "template_id",
    },
)


# --- lessons --------------------------------------------------------------------------------------


def _lesson_stages(lesson: Any) -> list[tuple[str, str]]:
    return [(s, choice_label(LessonStage, s)) for s in lesson.stages or []]


def _readable_wherever(template: Any, lesson: Any) -> bool:
    """Whether everyone who may read ``lesson`` may read ``template`` too.

    A lesson's document is built once for all its readers, so what it borrows from a related row
    (the CPV divisions of the templates it cites) may come only from rows all those readers see:
    otherwise ``cpv=48`` finds, and counts, a lesson because of a template that is private (#20
    item 6). Public templates always qualify; the lesson's own organisation's templates qualify for
    a private lesson (its readers are that organisation) and, when both are network-wide, for a
    network lesson. Anything narrower is left out rather than guessed.
    """
    if template.visibility == Visibility.PUBLIC:
        return True
    if template.organisation_id != lesson.organisation_id:
        return False
    return lesson.visibility == Visibility.PRIVATE or (
        lesson.visibility == template.visibility == Visibility.NETWORK
    )


def _lesson_cpv(lesson: Any) -> list[tuple[str, str]]:
    return [
        d
        for t in lesson.related_templates.all()
        if _readable_wherever(t, lesson)
        for d in cpv_divisions(t.cpv_codes.all())
    ]


LESSON_INDEX = SearchIndex(
    model="knowledge.Lesson",
    type="lesson",
    type_label=_("Lesson learned"),
    title="title",
    fields=[
        ("context", "B"),
        ("tags", "B"),
        ("approach", "C"),
        ("market_dialogue", "C"),
        ("challenges", "C"),
        ("recommendations", "C"),
        ("next_action", "C"),
    ],
    language="language",
    date="updated_at",
    facets={"stage": _lesson_stages, "cpv": _lesson_cpv},
    prefetch_related=["related_templates__cpv_codes"],
    # a template that becomes private takes its CPV divisions out of the lessons citing it
    derived={"knowledge.TenderTemplate": "related_templates"},
)


# --- planned tenders ------------------------------------------------------------------------------


def _tender_date(tender: Any) -> date:
    return date(tender.planned_year, 3 * (tender.planned_quarter - 1) + 1, 1)


def _tender_text(tender: Any) -> list[str]:
    goals = [choice_label(StrategicGoal, g) for g in tender.strategic_goals or []]
    return [
        *goals,
        choice_label(Procedure, tender.procedure),
        tender.planned_publication,
        *cpv_text(tender.cpv_codes.all()),
    ]


TENDER_INDEX = SearchIndex(
    model="knowledge.PlannedTender",
    type="tender",
    type_label=_("Planned tender"),
    title="title",
    fields=[("description", "B"), (_tender_text, "C")],
    language=None,
    date=_tender_date,
    facets={
        "cpv": lambda t: cpv_divisions(t.cpv_codes.all()),
        "stage": lambda t: [("planning", "")],
    },
    prefetch_related=["cpv_codes"],
)

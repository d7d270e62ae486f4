"""What is searchable: one declaration per type (fields and weights, language, facets, url, date).

Declarations live here rather than on the models so each app's files stay its own; ``manage.py
check`` fails on one whose model does not exist (``content.E002`` and the registry). Visibility
is not declared: :mod:`network.search.spec` reads it from the model's ``TenantOwned`` fields,
``visibility_parent`` and ``visibility_public_when``.

``RELATED`` says which other models' changes alter an indexed object's document (a criterion's
text is part of its template), as ``model label → (indexed model label, path to it)``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.search.spec import SearchIndex, resolve

#: Names of the CPV divisions ICT buyers meet (the full vocabulary lives in knowledge.CpvCode).
CPV_DIVISIONS = {
    "30": _("Office and computing machinery"),
    "31": _("Electrical machinery and apparatus"),
    "32": _("Radio, television and telecommunication equipment"),
    "48": _("Software packages and information systems"),
    "50": _("Repair and maintenance services"),
    "51": _("Installation services"),
    "72": _("IT services"),
    "79": _("Business services"),
    "90": _("Waste and environmental services"),
}


#: Stages some types stand for as a whole (not a Stage or LessonStage choice).
EXTRA_STAGES = {
    "planning": _("Needs assessment and planning"),
    "market_engagement": _("Market dialogue"),
}


def plain(accessor: str) -> Callable[[Any], str]:
    """A Markdown field as plain text: what is indexed and shown in snippets is what a reader sees,
    never ``**Markdown**`` source."""

    def text(obj: Any) -> str:
        from network.markdown import plain_text

        return html.unescape(plain_text(resolve(obj, accessor) or ""))

    text.__name__ = f"plain_{accessor}"
    return text


def cpv_division_label(division: str) -> str:
    name = CPV_DIVISIONS.get(division)
    return f"{division} \N{EN DASH} {name}" if name else f"CPV {division}"


def _cpv_divisions(codes: Iterable[Any]) -> list[tuple[str, str]]:
    return [(c.code[:2], cpv_division_label(c.code[:2])) for c in codes]


def _choice(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# --- tender templates ---------------------------------------------------------------------------


def _template_criteria_text(template: Any) -> list[str]:
    from network.markdown import plain_text

    parts: list[str] = []
    for c in template.criteria.all():
        text = html.unescape(plain_text(c.text)) if c.text else ""
        parts += [c.title, text, c.verification_text, " ".join(lb.name for lb in c.labels.all())]
    return parts + _cpv_text(template.cpv_codes.all())


def _cpv_text(codes: Iterable[Any]) -> list[str]:
    """CPV codes with their descriptions, so a code typed into the search box finds the document."""
    return [f"{c.code} {c.label_en}" for c in codes]


def _template_labels(template: Any) -> list[tuple[str, str]]:
    return [(lb.slug, lb.name) for c in template.criteria.all() for lb in c.labels.all()]


def _template_stages(template: Any) -> list[tuple[str, str]]:
    from knowledge.models.choices import Stage

    return [(c.stage, _choice(Stage, c.stage)) for c in template.criteria.all()]


# --- lessons --------------------------------------------------------------------------------------


def _lesson_stages(lesson: Any) -> list[tuple[str, str]]:
    from knowledge.models.choices import LessonStage

    return [(s, _choice(LessonStage, s)) for s in lesson.stages or []]


def _readable_wherever(template: Any, lesson: Any) -> bool:
    """Whether everyone who may read ``lesson`` may read ``template`` too.

    A lesson's document is built once for all its readers, so what it borrows from a related row
    (the CPV divisions of the templates it cites) may come only from rows all those readers see:
    otherwise ``cpv=48`` finds, and counts, a lesson because of a template that is private (#20
    item 6). Public templates always qualify; the lesson's own organisation's templates qualify for
    a private lesson (its readers are that organisation) and, when both are network-wide, for a
    network lesson. Anything narrower is left out rather than guessed.
    """
    from network.visibility import Visibility

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
        for d in _cpv_divisions(t.cpv_codes.all())
    ]


# --- planned tenders ------------------------------------------------------------------------------


def _tender_date(tender: Any) -> date:
    return date(tender.planned_year, 3 * (tender.planned_quarter - 1) + 1, 1)


def _tender_text(tender: Any) -> list[str]:
    from knowledge.models.choices import Procedure, StrategicGoal

    goals = [_choice(StrategicGoal, g) for g in tender.strategic_goals or []]
    return [
        *goals,
        _choice(Procedure, tender.procedure),
        tender.planned_publication,
        *_cpv_text(tender.cpv_codes.all()),
    ]


# --- events ---------------------------------------------------------------------------------------


def _event_groups(event: Any) -> list[tuple[str, str]]:
    group = event.working_group
    return [(group.slug, group.name)] if group is not None else []


# --- statements -----------------------------------------------------------------------------------


def _statement_demands(statement: Any) -> list[str]:
    return [f"{d.text} {d.cpv_code.split('-')[0]}".strip() for d in statement.demands.all()]


def _statement_cpv(statement: Any) -> list[tuple[str, str]]:
    codes = {d.cpv_code[:2] for d in statement.demands.all() if d.cpv_code[:2].isdigit()}
    return [(c, cpv_division_label(c)) for c in codes]


def _working_group(obj: Any) -> list[tuple[str, str]]:
    group = getattr(obj, "working_group", None)
    return [(group.slug, group.name)] if group is not None else []


# --- forums ---------------------------------------------------------------------------------------


def _forum_group(forum: Any) -> list[tuple[str, str]]:
    return _working_group(forum)


INDEXES: list[SearchIndex] = [
    SearchIndex(
        model="knowledge.TenderTemplate",
        type="template",
        type_label=_("Tender template"),
        title="title",
        fields=[("summary", "B"), ("tags", "B"), (_template_criteria_text, "C")],
        language="language",
        date="updated_at",
        facets={
            "cpv": lambda t: _cpv_divisions(t.cpv_codes.all()),
            "label": _template_labels,
            "stage": _template_stages,
        },
        prefetch_related=["cpv_codes", "criteria__labels"],
    ),
    SearchIndex(
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
    ),
    SearchIndex(
        model="knowledge.PlannedTender",
        type="tender",
        type_label=_("Planned tender"),
        title="title",
        fields=[("description", "B"), (_tender_text, "C")],
        language=None,
        date=_tender_date,
        facets={
            "cpv": lambda t: _cpv_divisions(t.cpv_codes.all()),
            "stage": lambda t: [("planning", "")],
        },
        prefetch_related=["cpv_codes"],
    ),
    SearchIndex(
        model="statements.Statement",
        type="statement",
        type_label=_("Joint statement"),
        title="title",
        fields=[("summary", "B"), (plain("body"), "C"), (_statement_demands, "C")],
        language=None,
        date="updated_at",
        facets={"cpv": _statement_cpv, "working_group": _working_group},
        select_related=["working_group"],
        prefetch_related=["demands"],
    ),
    SearchIndex(
        model="forums.Thread",
        type="thread",
        type_label=_("Discussion"),
        title="title",
        fields=[("forum.name", "C")],
        language=None,
        date="last_activity_at",
        collapse=lambda t: f"thread:{t.pk}",
        facets={"working_group": lambda t: _forum_group(t.forum)},
        select_related=["forum__working_group"],
    ),
    SearchIndex(
        model="forums.Post",
        type="post",
        type_label=_("Post"),
        title="thread.title",
        fields=[(plain("body"), "C")],
        language=None,
        date="created_at",
        credit="author_organisation",
        collapse=lambda p: f"thread:{p.thread_id}",
        facets={"working_group": lambda p: _forum_group(p.thread.forum)},
        select_related=["thread__forum__working_group", "author_organisation"],
        # Removed and moderator-hidden posts keep their place in a thread, but not in search.
        include=Q(removed_at__isnull=True, hidden_by_moderator=False),
    ),
    SearchIndex(
        model="events.Event",
        type="event",
        type_label=_("Event"),
        title="title",
        fields=[(plain("description"), "B"), ("place", "C")],
        language=None,
        date="starts_at",
        facets={
            "working_group": _event_groups,
            "stage": lambda e: [("market_engagement", "")],
        },
        select_related=["working_group"],
    ),
    SearchIndex(
        model="members.Organisation",
        type="organisation",
        type_label=_("Organisation"),
        title="name",
        fields=[("description", "B"), ("get_kind_display", "C"), ("website", "C")],
        language=None,
        date="created_at",
        facets={
            "cpv": lambda o: [(str(c)[:2], cpv_division_label(str(c)[:2])) for c in o.cpv_interests or []]
        },
        public=True,
    ),
]

#: model label → [(indexed model label, lookup from the indexed model to the changed one)]: indexed
#: documents that borrow facets from another model's rows and must be rebuilt when one changes (a
#: template that becomes private takes its CPV divisions out of the lessons citing it).
DERIVED: dict[str, list[tuple[str, str]]] = {
    "knowledge.TenderTemplate": [("knowledge.Lesson", "related_templates")],
}

#: model label → (indexed model label, attribute path from the changed object to the indexed one).
RELATED: dict[str, tuple[str, str]] = {
    "knowledge.Criterion": ("knowledge.TenderTemplate", "template_id"),
    "knowledge.TemplateVersion": ("knowledge.TenderTemplate", "template_id"),
    "statements.Demand": ("statements.Statement", "statement_id"),
}

"""The knowledge library's content types, declared once (see :mod:`network.content`).

Registered from :meth:`knowledge.apps.KnowledgeConfig.ready`. Lessons get their dashboard section
(:func:`new_lessons`) and their notification (:func:`notify_lesson_shared`) here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.search_indexes import LESSON_INDEX, TEMPLATE_INDEX, TENDER_INDEX
from network import visibility
from network.content import ContentType, LibrarySection, register
from network.dashboard import selectors as dashboard
from network.notification_kinds import register_kind
from network.notifications import notify

LESSON_SHARED = "lesson.cites_template"


def _templates(person: Any, params: dict[str, Any]) -> Any:
    from knowledge import selectors

    return selectors.filter_common(
        selectors.templates_visible(person), params, kind="template", person=person
    )


def _lessons(person: Any, params: dict[str, Any]) -> Any:
    from knowledge import selectors

    return selectors.filter_common(selectors.lessons_visible(person), params, kind="lesson", person=person)


def _tenders(person: Any, params: dict[str, Any]) -> Any:
    from knowledge import selectors

    return selectors.filter_common(selectors.tenders_visible(person), params, kind="tender", person=person)


def _joint_quantities(rows: Any) -> dict[str, Any]:
    from knowledge import selectors

    categories, quarters = selectors.joint_quantities(rows)
    return {"joint_categories": categories, "joint_quarters": quarters}


def _new_lessons(s: dashboard.Scope) -> dashboard.Section | None:
    from knowledge import selectors

    return selectors.new_lessons_section(s)


def notify_lesson_shared(lesson: Any, *, actor: Any) -> None:
    """Tell the editors of other organisations whose templates a new lesson cites — if they may read it."""
    from members.models import Person

    owners = {t.organisation_id for t in lesson.related_templates.all()} - {lesson.organisation_id}
    if not owners:
        return
    editors = Person.objects.filter(
        is_active=True,
        memberships__organisation_id__in=owners,
        memberships__role__in=visibility.EDITOR_ROLES,
    ).distinct()
    readers = [p for p in editors if visibility.can_read(p, lesson)]
    notify(
        readers,
        kind=LESSON_SHARED,
        title=_("A lesson learned cites your template: “%(title)s”") % {"title": lesson.title},
        body=(lesson.context or "")[:500],
        url=lesson.get_absolute_url(),
        actor=actor,
    )


def register_types() -> None:
    from knowledge import resources

    resources.register_types()
    register_kind(LESSON_SHARED, category="other")
    register(
        ContentType(
            kind="template",
            model="knowledge.TenderTemplate",
            label=gettext_lazy("Tender templates"),
            search_type="template",
            search_index=TEMPLATE_INDEX,
            dashboard=(dashboard.template_versions, dashboard.template_forks),
            dashboard_order=30,
            library=LibrarySection(_templates, "knowledge/library/template.html", order=10),
        ),
        ContentType(
            kind="lesson",
            model="knowledge.Lesson",
            label=gettext_lazy("Lessons learned"),
            search_type="lesson",
            search_index=LESSON_INDEX,
            dashboard=(_new_lessons,),
            dashboard_order=40,
            outcome_lookups=("pk",),
            library=LibrarySection(_lessons, "knowledge/library/lesson.html", order=20),
            notification_kinds=(LESSON_SHARED,),
        ),
        ContentType(
            kind="tender",
            model="knowledge.PlannedTender",
            label=gettext_lazy("Planned tenders"),
            search_type="tender",
            search_index=TENDER_INDEX,
            dashboard=(dashboard.joint_tenders,),
            dashboard_order=60,
            library=LibrarySection(
                _tenders, "knowledge/library/tender.html", order=30, context=_joint_quantities
            ),
            notification_kinds=("tender_interest",),
        ),
    )

"""Searchable content built through the real models (other apps' factories are not ours to edit)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.text import slugify

from knowledge.models import CpvCode, Criterion, Label, Lesson, PlannedTender, TenderTemplate
from members.models import Organisation, WorkingGroup

_seq = itertools.count(1)


def cpv(code: str = "30213100") -> CpvCode:
    obj = CpvCode.objects.filter(code=code).first()
    return obj or CpvCode.objects.create(code=code, label_en=f"CPV {code}")


def label(name: str = "TCO Certified") -> Label:
    return Label.objects.get_or_create(
        slug=slugify(name), defaults={"name": name, "issuer": "Issuer", "kind": Label.Kind.CERTIFICATION}
    )[0]


def template(
    organisation: Organisation,
    title: str,
    *,
    summary: str = "",
    language: str = "en",
    visibility: str = "private",
    groups: Sequence[WorkingGroup] = (),
    cpv_codes: Sequence[str] = (),
    criteria: Sequence[tuple[str, str, str]] = (),
    labels: Sequence[str] = (),
) -> TenderTemplate:
    """A template; ``criteria`` are ``(stage, title, text)``; ``labels`` go on the first criterion."""
    obj = TenderTemplate.objects.create(
        organisation=organisation,
        title=title,
        slug=slugify(title)[:80] or f"t-{next(_seq)}",
        summary=summary,
        language=language,
        visibility=visibility,
    )
    if groups:
        obj.shared_groups.set(groups)
    if cpv_codes:
        obj.cpv_codes.set([cpv(c) for c in cpv_codes])
    for position, (stage, ctitle, text) in enumerate(criteria):
        crit = Criterion.objects.create(template=obj, position=position, stage=stage, title=ctitle, text=text)
        if position == 0 and labels:
            crit.labels.set([label(n) for n in labels])
    return obj


def lesson(
    organisation: Organisation,
    title: str,
    *,
    language: str = "en",
    visibility: str = "private",
    context: str = "",
    challenges: str = "",
    stages: Sequence[str] = (),
) -> Lesson:
    return Lesson.objects.create(
        organisation=organisation,
        title=title,
        language=language,
        visibility=visibility,
        context=context,
        challenges=challenges,
        stages=list(stages),
    )


def tender(
    organisation: Organisation,
    title: str,
    *,
    visibility: str = "network",
    year: int = 2027,
    description: str = "",
) -> PlannedTender:
    return PlannedTender.objects.create(
        organisation=organisation,
        title=title,
        visibility=visibility,
        planned_year=year,
        planned_quarter=2,
        description=description,
    )


def statement(
    organisation: Organisation,
    title: str,
    *,
    status: str = "draft",
    body: str = "",
    demands: Sequence[tuple[str, str]] = (),
):
    """A statement; ``demands`` are ``(text, cpv_code)``."""
    from knowledge.statements.models import Demand, Statement

    obj = Statement.objects.create(
        organisation=organisation,
        title=title,
        slug=slugify(title)[:70] + f"-{next(_seq)}",
        body=body,
        status=status,
        visibility="private",
    )
    for position, (text, code) in enumerate(demands, start=1):
        Demand.objects.create(statement=obj, position=position, text=text, cpv_code=code)
    return obj


def forum_post(
    organisation: Organisation, body: str, *, title: str = "A thread", visibility: str = "network"
):
    """A forum of ``organisation`` with one thread and one post; returns the post."""
    from forums.models import Forum, Post, Thread

    n = next(_seq)
    forum = Forum.objects.create(
        organisation=organisation, name=f"Forum {n}", slug=f"forum-{n}", visibility=visibility
    )
    thread = Thread.objects.create(forum=forum, title=title)
    return Post.objects.create(thread=thread, seq=1, body=body, body_html=body)

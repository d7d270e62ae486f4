"""Statements built through the real services, with readable defaults."""

from __future__ import annotations

import itertools
from typing import Any

from knowledge.statements import services
from knowledge.statements.models import Statement
from members.models import Organisation, Role
from tests import factories

_seq = itertools.count(1)

DEMANDS = [
    {
        "text": "Harmonised criteria over the whole life cycle.",
        "category": "phones",
        "cpv_code": "32250000-0",
    },
    {"text": "Collect every phone at end of life.", "category": "phones"},
]


def ensure_cpv() -> None:
    """The shipped CPV rows come from a data migration; ``transaction=True`` tests flush them."""
    from knowledge.models import CpvCode

    CpvCode.objects.get_or_create(code="32250000", defaults={"label_en": "Mobile telephones"})
    CpvCode.objects.get_or_create(code="30213100", defaults={"label_en": "Portable computers"})


def draft(
    lead: Organisation | None = None,
    *,
    editor: Any = None,
    issuers: tuple[Organisation, ...] = (),
    title: str | None = None,
    **fields: Any,
) -> Statement:
    ensure_cpv()
    lead = lead or factories.organisation()
    editor = editor or factories.member(lead, Role.EDITOR)
    for org in issuers:  # the editor edits for every co-issuer, so naming them is allowed
        from members.models import Membership

        Membership.objects.get_or_create(person=editor, organisation=org, defaults={"role": Role.EDITOR})
    from network.visibility import forget

    forget(editor)
    if "visibility_level" in fields:
        fields["visibility"] = fields.pop("visibility_level")
    return services.statement_create(
        person=editor,
        organisation=lead,
        data=services.StatementData(
            issuers=issuers,
            title=title or f"Joint statement {next(_seq)}",
            summary="A market signal.",
            body="We **ask** the market for fair phones.",
            demands=fields.pop("demands", DEMANDS),
            **fields,
        ),
    )


def open_statement(lead: Organisation | None = None, **kwargs: Any) -> Statement:
    statement = draft(lead, **kwargs)
    return services.statement_open(person=statement.created_by, statement=statement)


def signatory(org: Organisation | None = None, **extra: Any):
    org = org or factories.organisation()
    return factories.member(org, Role.SIGNATORY, **extra), org


def sign(
    statement: Statement,
    org: Organisation | None = None,
    *,
    volumes=None,
    public: bool = True,
    comment: str = "",
):
    person, org = signatory(org)
    return services.statement_sign(
        person=person,
        statement=statement,
        organisation=org,
        volumes=volumes if volumes is not None else {"phones": 1000},
        volumes_public=public,
        comment=comment,
    )

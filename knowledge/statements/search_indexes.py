"""What the search finds of joint statements (declared with the type, see :mod:`network.content`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from network.search.indexes import cpv_division_label, plain, working_group
from network.search.spec import SearchIndex


def _statement_demands(statement: Any) -> list[str]:
    return [f"{d.text} {d.cpv_code.split('-')[0]}".strip() for d in statement.demands.all()]


def _statement_cpv(statement: Any) -> list[tuple[str, str]]:
    codes = {d.cpv_code[:2] for d in statement.demands.all() if d.cpv_code[:2].isdigit()}
    return [(c, cpv_division_label(c)) for c in codes]


STATEMENT_INDEX = SearchIndex(
    model="statements.Statement",
    type="statement",
    type_label=_("Joint statement"),
    title="title",
    fields=[("summary", "B"), (plain("body"), "C"), (_statement_demands, "C")],
    language=None,
    date="updated_at",
    facets={"cpv": _statement_cpv, "working_group": working_group},
    select_related=["working_group"],
    prefetch_related=["demands"],
    # a statement's demands are part of its document
    related={"statements.Demand": "statement_id"},
)

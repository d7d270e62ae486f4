"""Helpers the search index declarations share (CPV divisions, choice labels, plain Markdown text).

The declarations themselves live beside their types (each app's ``content.py`` registers a
:class:`network.search.spec.SearchIndex` through :mod:`network.content`), so the search package
names no app's model. Visibility is not declared: :mod:`network.search.spec` reads it from the
model's ``TenantOwned`` fields, ``visibility_parent`` and ``visibility_public_when``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from network.search.spec import resolve

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


def cpv_divisions(codes: Iterable[Any]) -> list[tuple[str, str]]:
    return [(c.code[:2], cpv_division_label(c.code[:2])) for c in codes]


def choice_label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def cpv_text(codes: Iterable[Any]) -> list[str]:
    """CPV codes with their descriptions, so a code typed into the search box finds the document."""
    return [f"{c.code} {c.label_en}" for c in codes]


def working_group(obj: Any) -> list[tuple[str, str]]:
    """The ``working_group`` facet of an object that may belong to one."""
    group = getattr(obj, "working_group", None)
    return [(group.slug, group.name)] if group is not None else []

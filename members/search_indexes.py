"""What the search finds of organisations: the public directory (see :mod:`network.content`).

Organisations are not a content type (no library section, no owner), so the index is registered
alone with :func:`network.content.register_search` from :meth:`members.apps.MembersConfig.ready`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from network.search.indexes import cpv_division_label
from network.search.spec import SearchIndex

ORGANISATION_INDEX = SearchIndex(
    model="members.Organisation",
    type="organisation",
    type_label=_("Organisation"),
    title="name",
    fields=[("description", "B"), ("get_kind_display", "C"), ("website", "C")],
    language=None,
    date="created_at",
    facets={"cpv": lambda o: [(str(c)[:2], cpv_division_label(str(c)[:2])) for c in o.cpv_interests or []]},
    public=True,
)


def register_indexes() -> None:
    from network.content import register_search

    register_search(ORGANISATION_INDEX)

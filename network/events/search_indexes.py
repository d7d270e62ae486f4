"""What the search finds of events (declared with the type, see :mod:`network.content`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from network.search.indexes import plain, working_group
from network.search.spec import SearchIndex

EVENT_INDEX = SearchIndex(
    model="events.Event",
    type="event",
    type_label=_("Event"),
    title="title",
    fields=[(plain("description"), "B"), ("place", "C")],
    language=None,
    date="starts_at",
    facets={
        "working_group": working_group,
        "stage": lambda e: [("market_engagement", "")],
    },
    select_related=["working_group"],
)

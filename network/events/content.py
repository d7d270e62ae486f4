"""Events, declared once (see :mod:`network.content`); registered from the app's ``ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from network.content import ContentType, register
from network.dashboard import selectors as dashboard
from network.events.search_indexes import EVENT_INDEX


def register_types() -> None:
    register(
        ContentType(
            kind="event",
            model="events.Event",
            label=_("Events"),
            search_type="event",
            search_index=EVENT_INDEX,
            dashboard=((5, dashboard.cohost_invitations), dashboard.upcoming_events),
            dashboard_order=70,
            notification_kinds=("event.cancelled", "event.changed", "event.registration", "event.promoted"),
            guarded_fields=("online_url",),
        )
    )

"""Atom feed of public events (market dialogues, webinars...) that suppliers follow.

Public events only, read as an anonymous visitor (see :mod:`network.feeds`); hosts are the
accepted ones (``Event.hosts``), never an organisation that has not accepted its invitation; the
online link is never in a feed (it is for registered participants). Filters: ``country`` of a host,
``cpv`` and ``category`` against the event's CPV codes.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.events.selectors import public_events
from network.feeds import FEED_LIMIT, Entry, FeedFilters, PublicAtomFeed


class EventsFeed(PublicAtomFeed):
    title = gettext_lazy("Buyers Network: public events")
    subtitle = gettext_lazy("Market dialogues and other public events of European public buyers.")
    author_name = "Buyers Network"

    def link(self) -> str:
        return reverse("events:list")

    def get_object(self, request: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def entries(self, filters: FeedFilters) -> list[Entry]:
        rows = public_events(filters).order_by("-updated_at")[:FEED_LIMIT]
        entries = []
        for event in rows:
            hosts = ", ".join(h.name for h in sorted(event.hosts.all(), key=lambda h: h.name))
            when = timezone.localtime(event.starts_at, event.zone).strftime("%Y-%m-%d %H:%M")
            title = _("%(when)s: %(title)s") % {"when": when[:10], "title": event.title}
            if event.is_cancelled:
                title = _("Cancelled: %(title)s") % {"title": title}
            summary = _("%(when)s (%(tz)s), %(place)s. Hosts: %(hosts)s.") % {
                "when": when,
                "tz": event.time_zone,
                "place": event.place or _("Online"),
                "hosts": hosts,
            }
            entries.append(
                Entry(
                    key=f"event/{event.pk}",
                    title=title,
                    link=event.get_absolute_url(),
                    summary=summary,
                    updated=event.updated_at,
                    categories=tuple(c.code for c in event.cpv_codes.all()),
                    author=hosts,
                )
            )
        return entries

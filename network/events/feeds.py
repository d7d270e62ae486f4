"""Atom feed of public events (market dialogues, webinars...) that suppliers follow.

Public events only, read as an anonymous visitor (see :mod:`network.feeds`); hosts are the
accepted ones (``Event.hosts``), never an organisation that has not accepted its invitation; the
online link is never in a feed (it is for registered participants). Filters: ``country`` of a host,
``cpv`` and ``category`` against the event's CPV codes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.categories import CATEGORY_CPV, categories_for_cpv
from network.events.models import Event
from network.feeds import FEED_LIMIT, Entry, FeedFilters, PublicAtomFeed


def public_events(filters: FeedFilters):
    qs = Event.objects.visible_to(None).filter(visibility="public")
    if filters.category:
        qs = qs.filter(cpv_codes__code__startswith=CATEGORY_CPV[filters.category].rstrip("0"))
    if filters.cpv:
        match = Q(cpv_codes__code__startswith=filters.cpv)
        for category in categories_for_cpv(filters.cpv):
            match |= Q(cpv_codes__code__startswith=CATEGORY_CPV[category].rstrip("0"))
        qs = qs.filter(match)
    if filters.country:
        qs = qs.filter(hosts__country=filters.country)
    return qs.distinct().select_related("organisation").prefetch_related("hosts", "cpv_codes")


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

"""Feeds of the planned-tender calendar: Atom (tenders open to joint procurement) and iCalendar.

Public content only (read as an anonymous visitor, see :mod:`network.feeds`). A planned tender is
dated by quarter, so in iCalendar it is an all-day event spanning its planned publication quarter.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.models import PlannedTender
from knowledge.selectors import public_joint_tenders
from network.events.ical import PRODID, escape_text, fold, utc
from network.feeds import FEED_LIMIT, Entry, FeedFilters, PublicAtomFeed, clean_feed_filters, tag_uri


def _summary(tender: PlannedTender) -> str:
    parts = [
        _("Planned publication %(q)s by %(org)s.")
        % {"q": tender.planned_publication, "org": tender.organisation.name}
    ]
    if tender.estimated_quantity:
        parts.append(_("Estimated quantity: %(n)s.") % {"n": f"{tender.estimated_quantity:,}"})
    codes = ", ".join(c.full_code for c in tender.cpv_codes.all())
    if codes:
        parts.append(f"CPV {codes}.")
    if tender.description:
        parts.append(tender.description)
    return " ".join(parts)


class TendersFeed(PublicAtomFeed):
    title = gettext_lazy("Buyers Network: planned tenders open to joint procurement")
    subtitle = gettext_lazy("Public buyers' planned tenders that peers can still join.")
    author_name = "Buyers Network"

    def link(self) -> str:
        return reverse("knowledge:library") + "?kind=tender"

    def get_object(self, request: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def entries(self, filters: FeedFilters) -> list[Entry]:
        rows = public_joint_tenders(filters).order_by("-updated_at")[:FEED_LIMIT]
        return [
            Entry(
                key=f"tender/{t.pk}",
                title=_("%(q)s: %(t)s") % {"q": t.planned_publication, "t": t.title},
                link=t.get_absolute_url(),
                summary=_summary(t),
                updated=t.updated_at,
                categories=tuple(c.code for c in t.cpv_codes.all()),
                author=t.organisation.name,
            )
            for t in rows
        ]


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First day of the quarter and first day of the next (iCalendar's exclusive DTEND)."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return start, end


def tenders_calendar(tenders: list[PlannedTender], *, name: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for t in tenders:
        start, end = quarter_bounds(t.planned_year, t.planned_quarter)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{tag_uri(f'tender/{t.pk}')}",
            f"DTSTAMP:{utc(t.updated_at)}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"SUMMARY:{escape_text(_('Planned tender: %(t)s') % {'t': t.title})}",
            f"DESCRIPTION:{escape_text(_summary(t))}",
            f"URL:{settings.SITE_URL}{t.get_absolute_url()}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def tenders_ics(request: HttpRequest) -> HttpResponse:
    """The planned-tender calendar (public tenders open to joint procurement) as iCalendar."""
    try:
        filters = clean_feed_filters(request.GET)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages) + "\n", content_type="text/plain; charset=utf-8")
    tenders = list(public_joint_tenders(filters).order_by("planned_year", "planned_quarter", "pk")[:500])
    body = tenders_calendar(tenders, name=_("Planned tenders open to joint procurement"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="planned-tenders.ics"'
    return response

"""Atom feed of public joint statements: opened, closing soon, closed and new signatories.

Read as an anonymous visitor (see :mod:`network.feeds`): drafts never appear, and signatures carry
the organisation's name only (never volumes, disclosed or not).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.statements import selectors
from knowledge.statements.models import StatementStatus
from network.feeds import FEED_LIMIT, Entry, FeedFilters, PublicAtomFeed

#: "Closing soon" is announced this long before the closing date.
CLOSING_SOON = datetime.timedelta(days=14)


def _at_start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def statement_entries(filters: FeedFilters) -> list[Entry]:
    statements = list(
        selectors.public_statements(filters)
        .select_related("organisation")
        .prefetch_related("issuers")
        .order_by("-opened_at")[: FEED_LIMIT * 2]
    )
    today = timezone.localdate()
    entries: list[Entry] = []
    for st in statements:
        link = st.get_absolute_url()
        issuers = ", ".join(sorted(o.name for o in st.issuers.all()))
        summary = st.summary or ""
        if st.opened_at:
            entries.append(
                Entry(
                    key=f"statement/{st.pk}/opened",
                    title=_("Open for signature: %(t)s") % {"t": st.title},
                    link=link,
                    summary=_("Issued by %(issuers)s. %(summary)s")
                    % {"issuers": issuers, "summary": summary},
                    updated=st.opened_at,
                    categories=("opened",),
                    author=issuers,
                )
            )
        if st.is_open and st.closes_on and st.closes_on - CLOSING_SOON <= today:
            entries.append(
                Entry(
                    key=f"statement/{st.pk}/closing-soon",
                    title=_("Closing on %(d)s: %(t)s") % {"d": st.closes_on.isoformat(), "t": st.title},
                    link=link,
                    summary=_("Signing closes on %(d)s.") % {"d": st.closes_on.isoformat()},
                    updated=max(_at_start_of(st.closes_on - CLOSING_SOON), st.opened_at or timezone.now()),
                    categories=("closing-soon",),
                    author=issuers,
                )
            )
        if st.status == StatementStatus.CLOSED and st.closed_on:
            entries.append(
                Entry(
                    key=f"statement/{st.pk}/closed",
                    title=_("Closed: %(t)s") % {"t": st.title},
                    link=link,
                    summary=_("Signing closed on %(d)s.") % {"d": st.closed_on.isoformat()},
                    updated=st.closed_at or _at_start_of(st.closed_on + datetime.timedelta(days=1)),
                    categories=("closed",),
                    author=issuers,
                )
            )
    by_pk = {st.pk: st for st in statements}
    signatures = (
        selectors.active_signatures_on(list(by_pk))
        .select_related("organisation")
        .order_by("-signed_at")[:FEED_LIMIT]
    )
    for sig in signatures:
        st = by_pk[sig.statement_id]
        entries.append(
            Entry(
                # An amendment does not make a new signatory: the key and date are the first signing's.
                key=f"statement/{st.pk}/signatory/{sig.organisation_id}/{sig.originally_signed_at:%Y%m%d%H%M%S}",
                title=_("%(org)s signed “%(t)s”") % {"org": sig.organisation.name, "t": st.title},
                link=st.get_absolute_url(),
                summary=_("%(org)s (%(country)s) signed on behalf of the organisation.")
                % {"org": sig.organisation.name, "country": sig.organisation.country.code},
                updated=sig.originally_signed_at,
                categories=("new-signatory",),
                author=sig.organisation.name,
            )
        )
    return entries


class StatementsFeed(PublicAtomFeed):
    title = gettext_lazy("Buyers Network: joint statements of demand")
    subtitle = gettext_lazy("Statements opened for signature, closing soon, closed, and new signatories.")
    author_name = "Buyers Network"

    def link(self) -> str:
        return reverse("statements:index")

    def entries(self, filters: FeedFilters) -> list[Entry]:
        return statement_entries(filters)

    def get_object(self, request: Any, *args: Any, **kwargs: Any) -> None:
        return None

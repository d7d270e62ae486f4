"""Atom feeds suppliers follow: the shared base (filters, entries, 400 on bad input).

Each app declares its own feed next to its pages (statements, planned tenders, events); this module
gives them one shape:

* **Public content only, ever.** A feed reads as an anonymous visitor (``visible_to(None)``) even
  when the request carries a session: feed readers are shared, cached and forwarded, so a signed-in
  member's private items must never enter one.
* **Filters** ``category`` (device category), ``country`` (ISO 3166 alpha-2) and ``cpv`` (a CPV
  division or longer prefix, digits only). Unknown parameters or values answer 400 with a sentence
  saying what is wrong, never an empty feed that looks like "nothing new".
* Entries are :class:`Entry` values, so one feed can mix kinds ("opened", "new signatory"...), each
  with a stable tag URI (RFC 4151) as its Atom ``id``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django_countries import countries

from network.categories import CATEGORY_CPV, DeviceCategory, categories_for_cpv

FEED_FILTERS = ("category", "country", "cpv")
FEED_LIMIT = 50
_CPV = re.compile(r"^\d{2,8}$")


@dataclass(frozen=True)
class FeedFilters:
    category: str = ""
    country: str = ""
    cpv: str = ""

    def as_query(self) -> str:
        return "&".join(f"{k}={getattr(self, k)}" for k in FEED_FILTERS if getattr(self, k))


def filter_by_cpv_and_country(qs: QuerySet, filters: FeedFilters, *, country: str) -> QuerySet:
    """The feeds' category, CPV and country filters on a type with ``cpv_codes`` (events, planned
    tenders); ``country`` names the lookup of the organisation whose country counts."""
    if filters.category:
        qs = qs.filter(cpv_codes__code__startswith=CATEGORY_CPV[filters.category].rstrip("0"))
    if filters.cpv:
        match = Q(cpv_codes__code__startswith=filters.cpv)
        for category in categories_for_cpv(filters.cpv):
            match |= Q(cpv_codes__code__startswith=CATEGORY_CPV[category].rstrip("0"))
        qs = qs.filter(match)
    if filters.country:
        qs = qs.filter(**{country: filters.country})
    return qs.distinct()


def clean_feed_filters(params: Any) -> FeedFilters:
    """Validate feed query parameters; raise ``ValidationError`` naming what is wrong."""
    errors: list[str] = []
    unknown = sorted(set(params.keys()) - set(FEED_FILTERS))
    if unknown:
        errors.append(
            _("Unknown filter: %(names)s. Use %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(FEED_FILTERS)}
        )
    category = str(params.get("category") or "").strip()
    if category and category not in DeviceCategory.values:
        errors.append(
            _("Unknown category “%(c)s”; use one of %(all)s.")
            % {"c": category, "all": ", ".join(DeviceCategory.values)}
        )
    country = str(params.get("country") or "").strip().upper()
    if country and country not in dict(countries):
        errors.append(_("“%(c)s” is not an ISO 3166 country code.") % {"c": country})
    cpv = str(params.get("cpv") or "").strip().split("-")[0]
    if cpv and not _CPV.match(cpv):
        errors.append(_("Give CPV digits: a division such as 30 or a code such as 30213100-6."))
    if errors:
        raise ValidationError(errors)
    return FeedFilters(category=category, country=country, cpv=cpv)


@dataclass(frozen=True)
class Entry:
    """One Atom entry: ``key`` makes its id unique and stable (``statement/12/opened``)."""

    key: str
    title: str
    link: str
    summary: str
    updated: datetime.datetime
    categories: tuple[str, ...] = field(default_factory=tuple)
    author: str = ""


def tag_uri(key: str) -> str:
    """``tag:buyers.network,2026:statement/12/opened`` (RFC 4151): stable across renames."""
    host = urlsplit(settings.SITE_URL).hostname or "buyers.network"
    return f"tag:{host},2026:{key}"


class PublicAtomFeed(Feed):
    """An Atom 1.0 feed of :class:`Entry` values built from public content and validated filters."""

    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.filters = clean_feed_filters(request.GET)
        except ValidationError as exc:
            return HttpResponseBadRequest(
                " ".join(exc.messages) + "\n", content_type="text/plain; charset=utf-8"
            )
        response = super().__call__(request, *args, **kwargs)
        response["Content-Type"] = "application/atom+xml; charset=utf-8"
        return response

    def entries(self, filters: FeedFilters) -> list[Entry]:  # pragma: no cover - abstract
        raise NotImplementedError

    def items(self) -> list[Entry]:
        entries = sorted(self.entries(self.filters), key=lambda e: (e.updated, e.key), reverse=True)
        return entries[:FEED_LIMIT]

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_description(self, item: Entry) -> str:
        return item.summary

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return tag_uri(item.key)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Entry) -> datetime.datetime:
        return item.updated

    def item_updateddate(self, item: Entry) -> datetime.datetime:
        return item.updated

    def item_categories(self, item: Entry) -> tuple[str, ...]:
        return item.categories

    def item_author_name(self, item: Entry) -> str | None:
        return item.author or None

    def feed_guid(self) -> str:
        return tag_uri(f"feed/{type(self).__name__}/{self.filters.as_query()}")

"""The corpus as Wagtail's ``modelsearch`` would index it: one model, the same text and the same
visibility fields as :class:`network.search.models.SearchDocument`, the same field boosts as our
bm25 weights (title 10, summary 4, body 1), filters on type, language, owner and visibility.

Only installed by ``bench.settings_peers`` (the ``bench`` extra), never by the project.
"""

from __future__ import annotations

from django.db import models
from modelsearch import index
from modelsearch.queryset import SearchableQuerySetMixin


class PeerQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class PeerDocument(index.Indexed, models.Model):
    type = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    organisation_id = models.BigIntegerField(null=True)
    visibility = models.CharField(max_length=10)
    is_public = models.BooleanField(default=False)
    country = models.CharField(max_length=2, blank=True)

    objects = PeerQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=10),
        index.SearchField("summary", boost=4),
        index.SearchField("body"),
        index.FilterField("type"),
        index.FilterField("language"),
        index.FilterField("country"),
        index.FilterField("organisation_id"),
        index.FilterField("visibility"),
        index.FilterField("is_public"),
    ]

    def __str__(self) -> str:
        return self.title

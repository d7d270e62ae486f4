"""Response shapes of ``GET /api/v1/search/`` (documented in the OpenAPI schema)."""

from __future__ import annotations

from rest_framework import serializers


class HitSerializer(serializers.Serializer):
    type = serializers.CharField(
        help_text="template, lesson, tender, statement, thread, post, event, organisation"
    )
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(
        source="snippet_html", help_text="HTML: the text is escaped; matches are wrapped in <mark>."
    )
    score = serializers.FloatField()
    language = serializers.CharField()
    date = serializers.DateTimeField(allow_null=True)
    organisation = serializers.CharField(
        help_text="The organisation the document is credited to (a post: its author's organisation)."
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Query words this hit lacks (partial matches follow the hits holding every word).",
    )
    matches = serializers.IntegerField(
        help_text="For a thread: how many of its posts match (a thread appears once, with its best post)."
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="Readable matches with this value: exact, or an estimate when `approximate` is true."
    )
    approximate = serializers.BooleanField(
        help_text=(
            "The search matched more documents than the exact-count limit (1,000 by default), so the "
            "count is estimated from a fixed sample of the matches and rounded to two significant figures."
        )
    )


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Matches the caller may read (all pages).")
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    suggestion = serializers.CharField(
        allow_null=True, help_text='"Did you mean": the query with misspelt words corrected, or null.'
    )
    corrected_from = serializers.CharField(
        allow_null=True,
        help_text="When the query found nothing and these are the suggestion's results: what was typed.",
    )
    partial = serializers.BooleanField(help_text="Some hits lack some of the query's words.")
    results = HitSerializer(many=True)
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text=(
            "Facet name → values with counts of readable matches (exact up to the exact-count limit, "
            "estimated above it: see `approximate`)."
        ),
    )

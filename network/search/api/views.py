"""``GET /api/v1/search/``: full-text search with facets, limited to what the caller may read."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from network.search import InvalidSearch, search
from network.search.api.serializers import SearchResponseSerializer
from network.search.params import query_from_params, query_string
from network.search.query import FACETS, MAX_PAGE, MAX_PAGE_SIZE

_FACET_HELP = {
    "type": "template, lesson, tender, statement, thread, post, event, organisation",
    "country": "ISO 3166 code of the owner organisation, e.g. FI",
    "cpv": "CPV division (first two digits), e.g. 30",
    "label": "label slug, e.g. tco-certified",
    "stage": "procurement stage, e.g. award",
    "language": "ISO 639-1 language of the document, e.g. fi",
    "organisation": "owner organisation slug",
    "working_group": "working group slug",
    "year": "year of the document's date, e.g. 2026",
}


class SearchView(APIView):
    """Search templates, lessons, statements, tenders, threads, posts, events and organisations.

    ``q`` takes web-search syntax: words, ``"phrases"``, ``+required``, ``-exclusions`` and
    ``OR``. Documents holding every word come first; when they are few, documents holding most of
    the words follow, each naming the words it lacks (``missing``). A misspelt word gets a
    ``suggestion`` drawn from what the caller may read. Filters repeat to OR within a facet (``?type=template&type=lesson``) and AND across
    facets. Results and facet counts only ever include what the caller may read.
    """

    pagination_class = None

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Search text (web-search syntax)."),
            *[
                OpenApiParameter(name, OpenApiTypes.STR, many=True, description=help_text)
                for name, help_text in _FACET_HELP.items()
            ],
            OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "date"]),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                description="1-1000, default 1.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description="1-100, default 20.",
            ),
        ],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            query = query_from_params(request.query_params)
        except InvalidSearch as exc:
            raise exceptions.ValidationError(exc.errors) from exc
        results = search(request.user, query)

        def page_link(number: int) -> str:
            return request.build_absolute_uri(f"{request.path}?{query_string(query, page=number)}")

        data = {
            "count": results.total,
            "page": results.page,
            "num_pages": results.num_pages,
            "next": page_link(results.page + 1) if results.has_next else None,
            "previous": page_link(results.page - 1) if results.has_previous else None,
            "suggestion": results.suggestion or None,
            "corrected_from": results.corrected_from or None,
            "partial": results.partial,
            "results": results.hits,
            "facets": {
                name: [v._asdict() for v in results.facets.get(name, [])]
                for name in FACETS
                if results.facets.get(name)
            },
        }
        return Response(SearchResponseSerializer(data).data)

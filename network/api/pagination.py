"""Page-number pagination for every list endpoint."""

from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int | None:
        """DRF silently ignores a malformed ``page_size``; say what is wrong instead (400)."""
        raw = request.query_params.getlist(self.page_size_query_param)
        if raw and (len(raw) > 1 or not raw[0].isdigit() or int(raw[0]) < 1):
            raise ValidationError({self.page_size_query_param: ["Give one whole number from 1 to 100."]})
        return super().get_page_size(request)

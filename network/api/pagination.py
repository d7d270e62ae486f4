"""Page-number pagination for every list endpoint."""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int | None:
        """DRF silently ignores a malformed ``page_size`` and caps a large one; say what is wrong
        instead (400), so the documented bounds are the real ones."""
        raw = request.query_params.getlist(self.page_size_query_param)
        digits = raw[0].lstrip("0") if len(raw) == 1 else ""
        if raw and not (digits.isdigit() and len(digits) <= 3 and 1 <= int(digits) <= self.max_page_size):
            raise ValidationError(
                {self.page_size_query_param: [f"Give one whole number from 1 to {self.max_page_size}."]}
            )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """DRF's parameters with their bounds: pages from 1, page sizes from 1 to 100."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters

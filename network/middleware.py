"""Middleware of the network fabric."""

from __future__ import annotations

import logging

from django.http import JsonResponse

logger = logging.getLogger(__name__)


class ApiErrorMiddleware:
    """Under ``/api/`` every error is JSON, including Django's own 404 and unhandled 500s."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in (404, 405, 500)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            messages = {404: "Not found.", 405: "Method not allowed.", 500: "Server error."}
            return JsonResponse(
                {"detail": messages[response.status_code], "code": "error"}, status=response.status_code
            )
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            logger.exception("unhandled error on %s", request.path)
            return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
        return None

"""Middleware of the network fabric."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost, ObjectDoesNotExist, RequestDataTooBig
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError

from network.client_ip import client_address
from network.ids import out_of_range

logger = logging.getLogger(__name__)

NUL_MESSAGE = "Input must not contain NUL (0x00) characters."


class ClientAddressMiddleware:
    """``REMOTE_ADDR`` becomes the client's address as trusted proxies report it
    (:mod:`network.client_ip`); the socket's peer stays in ``BN_PEER_ADDR``. First in the stack, so
    every rate limit, throttle and log line sees the same client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["BN_PEER_ADDR"] = peer
        request.META["REMOTE_ADDR"] = client_address(peer, request.META.get("HTTP_X_FORWARDED_FOR"))
        return self.get_response(request)


class RejectNulCharactersMiddleware:
    """Refuse input carrying NUL characters with a clear 400, for every view at once.

    PostgreSQL text cannot hold NUL, so such a value would otherwise surface as a 500 from whichever
    query first touched it (a slug lookup, a filter, an insert). Checked: the query string and, for
    urlencoded and JSON bodies, the raw body (``%00`` and ``\\u0000``); for multipart, the form
    fields (files may legitimately contain NUL bytes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE, "code": "invalid"}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type.startswith("multipart/"):
            try:
                fields = request.POST
            except MultiPartParserError:
                return False  # a broken envelope is the parser's 400 (JSON under /api/), not ours
            return any("\x00" in value for values in fields.lists() for value in values[1])
        try:
            body = request.body
        except RequestDataTooBig:
            return False  # Django answers 400 itself when the view reads it
        if content_type == "application/x-www-form-urlencoded":
            return b"\x00" in unquote_to_bytes(body)
        return b"\x00" in body or b"\\u0000" in body


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
            replacement = JsonResponse(
                {"detail": messages[response.status_code], "code": "error"}, status=response.status_code
            )
            if response.has_header("Allow"):  # a 405 says what is allowed (an .ics feed's TRACE did not)
                replacement["Allow"] = response["Allow"]
            return replacement
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") and isinstance(exception, MultiPartParserError):
            return JsonResponse(
                {"detail": f"Malformed multipart body: {exception}", "code": "parse_error"},
                status=400,
            )
        if request.path.startswith("/api/"):
            logger.exception("unhandled error on %s", request.path)
            return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
        return None


def _numeric_kwarg(key: str, route: str) -> bool:
    """Whether the URL kwarg ``key`` is an id: named like one, or matched by a digits-only group
    (``(?P<attachment>\\d+)``). A slug that happens to be digits is left alone."""
    if key in ("pk", "id") or key.endswith(("_pk", "_id")):
        return True
    return re.search(r"\(\?P<" + re.escape(key) + r">(\\d|\[0-9\])\+\)", route) is not None


class IdRangeMiddleware:
    """Missing is 404, however it is found missing.

    A URL id no 64-bit column can hold (``/api/v1/templates/<24 digits>/…``) names nothing: answer
    404 like any missing object, for every route at once, before a view passes it to the database
    (where SQLite raises ``OverflowError`` on a foreign-key lookup)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A row deleted while the request worked on it (an edit racing a delete, see
        ``TenantOwned.save``) is missing, not a server error: 404 on pages too."""
        if isinstance(exception, ObjectDoesNotExist):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
            from django.urls import get_resolver

            handler = get_resolver().resolve_error_handler(404)
            return handler(request, Http404())
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        route = getattr(request.resolver_match, "route", "") or ""
        if any(
            out_of_range(value)
            for key, value in view_kwargs.items()
            if isinstance(value, int) or _numeric_kwarg(key, route)
        ) or any(isinstance(value, int) and out_of_range(value) for value in view_args):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
            raise Http404
        return None


def allowed_methods(view_func: Any) -> list[str] | None:
    """The methods a DRF view (or viewset route) answers, as its ``Allow`` header lists them; ``None``
    for a plain Django view."""
    cls = getattr(view_func, "cls", None)
    if cls is None:
        return None
    initkwargs = getattr(view_func, "initkwargs", None) or {}
    names = [m.lower() for m in initkwargs.get("http_method_names") or cls.http_method_names]
    actions = getattr(view_func, "actions", None)
    if actions:  # a router's route: the methods mapped to actions
        methods = {m for m in actions if m in names}
    else:
        methods = {m for m in names if m not in ("head", "options", "trace") and hasattr(cls, m)}
    if "get" in methods and "head" in names:
        methods.add("head")
    if "options" in names:
        methods.add("options")
    return sorted(m.upper() for m in methods)


class ApiMethodMiddleware:
    """Under ``/api/``, a method the view does not answer is 405 with ``Allow``, before anything else.

    DRF authenticates, checks permissions and throttles before it looks for the method's handler,
    so ``TRACE`` or ``DELETE`` on a read-only endpoint answered 401 or 403 to strangers: an
    undocumented status that said nothing about the method (#20 item 14)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith("/api/"):
            return None
        allowed = allowed_methods(view_func)
        if allowed is None or request.method in allowed:
            return None
        response = JsonResponse(
            {"detail": f'Method "{request.method}" not allowed.', "code": "method_not_allowed"}, status=405
        )
        response["Allow"] = ", ".join(allowed)
        return response


class SiteHeadersMiddleware(CSPMiddleware):
    """django-csp, with the two headers a view must not weaken:

    - ``connect-src`` names this site's own WebSocket origin (``wss://host`` / ``ws://host`` for the
      request's validated host), not every host (``ws: wss:``);
    - ``Cross-Origin-Opener-Policy`` is the setting's value on every page: drf-spectacular's Swagger
      view sends ``unsafe-none`` (for an OAuth2 pop-up this API does not use).
    """

    def process_response(self, request, response):
        response["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or "same-origin"
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        own = ("wss" if request.is_secure() else "ws") + "://" + host
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), own]
        parts.update = update
        return parts

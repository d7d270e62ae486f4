"""JSON errors for everything under ``/api/``: a clear ``detail`` plus field messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from network.ratelimit import RateLimited
from network.validation import is_conflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."
    default_code = "conflict"


class StateConflict(exceptions.ValidationError):
    """Field messages of a state rule (:data:`network.validation.CONFLICT`): well-formed input the
    current state refuses (a name taken), so 409 with the ``{"detail", "errors"}`` body of a 400."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ``ValidationError`` from services as a 400 with field errors
    (a 409 when every message is a state rule, :func:`network.validation.conflict`).

    Every error body has ``detail`` (one readable sentence) and, for validation errors, ``errors``
    (field → messages), so clients can show the message without parsing the shape.
    """
    if isinstance(exc, DjangoValidationError):
        kind = StateConflict if is_conflict(exc) else exceptions.ValidationError
        if hasattr(exc, "error_dict"):
            # A model's own ``clean()`` speaks for no field (``__all__``): the API's name for that.
            errors = {
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
                for name, messages in exc.message_dict.items()
            }
            exc = kind(errors)
        else:
            exc = kind({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        # ObjectDoesNotExist: the row went away while the request worked on it (deleted meanwhile).
        exc = exceptions.NotFound()
    elif isinstance(exc, RateLimited):
        exc = exceptions.Throttled(detail=str(exc))
    elif isinstance(exc, MultiPartParserError):
        # Raised by Django's parser when the CSRF check of a session reads a broken multipart body.
        exc = exceptions.ParseError(f"Malformed multipart body: {exc}")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.ValidationError) and _names_missing_rows(exc):
        exc = StateConflict(exc.detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": _first_message(errors), "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {
            "detail": str(response.data["detail"]),
            "code": getattr(exc, "default_code", "error"),
        }
    return response


#: DRF's codes for a related row named by id or slug that does not exist in the field's queryset
#: (:class:`network.api.fields.ScopedSlugRelatedField`: or that the caller may not see).
_MISSING_ROW_CODES = {"does_not_exist"}


def _names_missing_rows(exc: exceptions.ValidationError) -> bool:
    """Whether every problem of a serializer's error is a reference to a row the caller cannot
    find (or a state rule): well-formed input the current state refuses, like
    :func:`network.validation.referenced_ids` in services, so 409 rather than 400."""

    def codes(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [c for v in value.values() for c in codes(v)]
        if isinstance(value, list):
            return [c for v in value for c in codes(v)]
        return [str(value)]

    found = codes(exc.get_codes())
    return bool(found) and all(code in _MISSING_ROW_CODES or code == "conflict" for code in found)


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            msg = _first_message(value)
            if msg:
                return msg if key in ("non_field_errors", "detail") else f"{key}: {msg}"
    elif isinstance(errors, list):
        for item in errors:
            msg = _first_message(item)
            if msg:
                return msg
    elif errors:
        return str(errors)
    return "Invalid input."

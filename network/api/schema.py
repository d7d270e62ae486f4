"""The API's error responses in the OpenAPI schema, from one place (#20 item 14).

Every error under ``/api/`` has the same JSON shape (:mod:`network.api.errors`): ``detail`` (one
readable sentence) plus ``code`` (a machine name) or, for invalid input, ``errors`` (field →
messages). drf-spectacular documents success responses only, so clients and schemathesis saw 400,
403, 404, 409 and 429 as undocumented. :func:`document_errors` adds them to every operation where
they really occur, pointing at one ``Error`` component, without overriding a view's own, more
specific description of a status.
"""

from __future__ import annotations

import re
from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The JSON error contract of every API response with a 4xx status.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in one readable sentence."},
        "code": {"type": "string", "description": "Machine-readable reason, e.g. `not_found`, `throttled`."},
        "errors": {
            "type": "object",
            "description": "Invalid input only: each field (or `non_field_errors`) with its messages.",
            "additionalProperties": {},
        },
    },
    "required": ["detail"],
}

WRITES = frozenset({"post", "put", "patch", "delete"})

#: status → (description, which operations it applies to).
STATUSES: dict[str, tuple[str, str]] = {
    "400": ("Invalid input: a field, filter, page size or malformed body (messages in `errors`).", "input"),
    "401": ("Not signed in, or the `X-Session-Token` sent is not valid (any more).", "all"),
    "403": ("Visible to you, but you may not do this (role, verification, MFA or CSRF).", "all"),
    "404": ("No such object, or not visible to you: the two look the same.", "all"),
    "409": (
        "The object's state does not allow this (closed, archived, locked, changed meanwhile).",
        "writes",
    ),
    "413": ("The request body is larger than the server accepts (`MAX_REQUEST_BODY`).", "body"),
    "415": ("The body's media type is not one the operation reads, or the body is malformed.", "body"),
    "429": ("Too many requests of this kind; try again later (`Retry-After` says when).", "writes"),
}


def _applies(scope: str, method: str, operation: dict[str, Any]) -> bool:
    if scope == "all":
        return True
    if scope == "writes":
        return method in WRITES
    if scope == "body":
        return method in WRITES
    # "input": anything the client chooses (parameters or a body) can be invalid.
    return bool(operation.get("parameters")) or "requestBody" in operation or method in WRITES


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, (description, scope) in STATUSES.items():
                if status in responses or not _applies(scope, method, operation):
                    continue
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": reference}},
                }
    return result


# --- links: what a client does next with an object it created --------------------------------

_ITEM_METHODS = ("get", "put", "patch", "delete", "post")
_PARAMETER = re.compile(r"{(\w+)}")


def _component(result: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return result.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return schema


def link_created_objects(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: OpenAPI ``links`` from each create to its object.

    ``POST /api/v1/statements/`` answers 201 with the statement, whose ``slug`` names it in
    ``/api/v1/statements/{slug}/`` and that path's actions (``…/{slug}/open/``). Declaring that
    (``$response.body#/slug``) tells clients, and schemathesis' stateful phase, how a created
    object is read, changed and deleted: a workflow follows the links instead of guessing ids.
    Derived from the paths, so a new collection is linked the moment it has a create and an item.
    """
    paths = result.get("paths", {})
    for collection, operations in paths.items():
        create = operations.get("post")
        if not collection.startswith("/api/") or not create:
            continue
        created = create.get("responses", {}).get("201")
        body = (created or {}).get("content", {}).get("application/json", {}).get("schema")
        if not body:
            continue
        properties = _component(result, body).get("properties", {})
        links: dict[str, Any] = {}
        for path, item_operations in paths.items():
            rest = path[len(collection) :] if path.startswith(collection) else ""
            if not rest.startswith("{") or "}" not in rest:
                continue
            name, tail = rest[1:].split("}", 1)
            if name not in properties or "{" in tail:
                continue
            for method in _ITEM_METHODS:
                operation = item_operations.get(method)
                if not operation or "operationId" not in operation:
                    continue
                parameters = {outer: f"$request.path.{outer}" for outer in _PARAMETER.findall(collection)}
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {**parameters, name: f"$response.body#/{name}"},
                }
        if links:
            created["links"] = links
    return result


def bound_numeric_parameters(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: a numeric query parameter states the 64-bit range that
    :class:`network.api.filters.FilterBackend` enforces (``?forum=-1.9e193`` is a 400), so a client
    (and schemathesis' valid data) knows the bounds before it is refused."""
    from network.ids import INT64_MAX, INT64_MIN

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") in ("number", "integer"):
                    schema.setdefault("minimum", INT64_MIN)
                    schema.setdefault("maximum", INT64_MAX)
    return result

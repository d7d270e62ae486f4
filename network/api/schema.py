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

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

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
        "The current state refuses well-formed input: the object is closed, archived, locked or "
        "changed meanwhile, a name is taken, or the input names a row you cannot find (an id or slug "
        "that does not exist or is not visible to you, a label the network does not hold).",
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


# --- request schemas that state the rules the server applies -------------------------------------


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's inspector, plus the rules the server really applies to request fields.

    * fields that publish their model's rules (:class:`network.api.fields.PublishedModelRules`:
      needed, not blank, lengths, not null) get them, although the model checks them (and a field
      that lets "" through for the model's message is not documented as taking "");
    * a non-blank text field says "some non-space character" (``pattern``): DRF trims input, so
      ``" "`` is as blank as ``""``;
    * a URL field states the URLs ``URLValidator`` accepts instead of any RFC 3986 URI;
    * a list that may not be empty says ``minItems: 1``.

    Responses are left as drf-spectacular describes them (a stored URL need not match the pattern).
    """

    _direction = "response"

    def _get_request_body(self, direction: str = "request") -> Any:
        """A body is documented as JSON, the API's format: form encodings cannot carry a null, a
        nested object or an empty list, so promising them promised what the server cannot read
        (they stay accepted, as the browsable API posts them). A body with a file keeps multipart,
        which carries the file."""
        body = super()._get_request_body(direction)
        content = (body or {}).get("content", {})
        if "application/json" in content and not isinstance(self.get_request_serializer(), dict):
            kept = ("application/json", "multipart/form-data")
            kept = kept if _has_file(self.get_request_serializer()) else kept[:1]
            body["content"] = {media: schema for media, schema in content.items() if media in kept}
        return body

    def _map_basic_serializer(self, serializer: Any, direction: str) -> Any:
        outer, self._direction = self._direction, direction
        try:
            schema = super()._map_basic_serializer(serializer, direction)
        finally:
            self._direction = outer
        if direction == "request":
            _state_field_rules(serializer, schema)
        return schema

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(schema, dict):
            _not_blank(field, schema)  # also list items, which the next hook does not see
            if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
                schema.setdefault("minItems", 1)  # DRF refuses [] ("This list may not be empty")
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        if self._direction == "request":
            _state_request_rules(field, schema)


def _state_field_rules(serializer: Any, schema: dict[str, Any]) -> None:
    """The model's rules across fields (``FIELD_RULES``, :mod:`network.validation`) that the
    serializer names in ``field_rules``: at least one of some fields is an ``anyOf`` of requireds
    (on create; a PATCH is partial), an order of two fields is ``x-after``/``x-not-before`` on the
    later one (OpenAPI cannot compare fields) and said in its description."""
    from drf_spectacular.plumbing import is_patched_serializer

    from network.sharing import NEEDS_GROUPS
    from network.validation import AnyOf, NeededWhen, OnlyWhen, Ordered

    properties = schema.get("properties", {})
    for rule in [*getattr(serializer, "field_rules", ()), NEEDS_GROUPS]:
        if isinstance(rule, NeededWhen):
            if {rule.field, rule.other} <= set(properties) and not is_patched_serializer(
                serializer, "request"
            ):
                values = "|".join(re.escape(str(v)) for v in rule.values)
                schema.setdefault("allOf", []).append(
                    {
                        "anyOf": [
                            {"properties": {rule.other: {"not": {"pattern": f"^(?:{values})$"}}}},
                            {"required": [rule.field], "properties": {rule.field: {"minItems": 1}}},
                        ]
                    }
                )
            continue
        if isinstance(rule, AnyOf) and not is_patched_serializer(serializer, "request"):
            # of the fields this body can carry (a JSON body carries no file)
            present = [name for name in rule.fields if name in properties]
            if present:
                schema["anyOf"] = [
                    {"required": [name], "properties": {name: _given(properties[name])}} for name in present
                ]
        elif isinstance(rule, OnlyWhen) and {rule.field, rule.other} <= set(properties):
            # beside any anyOf of another rule: each rule is one member of an allOf. Patterns and
            # "not", not enums: spectacular would turn an enum into a component of its own
            values = "|".join(re.escape(str(v)) for v in rule.values)
            schema.setdefault("allOf", []).append(
                {
                    "anyOf": [
                        {
                            "required": [rule.other],
                            "properties": {rule.other: {"pattern": f"^(?:{values})$"}},
                        },
                        {
                            "properties": {
                                rule.field: {"not": {"type": properties[rule.field].get("type", "integer")}}
                            }
                        },
                    ]
                }
            )
            only = ", ".join(f"`{v}`" for v in rule.values)
            note = f"Only when `{rule.other}` is {only}."
            field = properties[rule.field]
            field["description"] = f"{field['description']}\n\n{note}" if field.get("description") else note
        elif isinstance(rule, Ordered) and {rule.earlier, rule.later} <= set(properties):
            later = properties[rule.later]
            later["x-after" if rule.strict else "x-not-before"] = rule.earlier
            words = "after" if rule.strict else "on or after"
            note = f"When `{rule.earlier}` is given too: {words} it."
            later["description"] = f"{later['description']}\n\n{note}" if later.get("description") else note


def _given(schema: dict[str, Any]) -> dict[str, Any]:
    """What "given" means for one field in an ``anyOf`` branch: text that is not blank, a file that
    is sent (not null)."""
    from network.api.fields import NOT_BLANK

    options = [o for o in schema.get("oneOf", []) if o.get("maxLength") != 0]
    if len(options) == 1:  # a value or blank (a URL that may be ""): given means the value
        return _given(options[0])
    if schema.get("format") == "binary":
        return {"type": "string", "format": "binary"}  # a file: sent, not null
    text = schema.get("type") == "string"
    return {"minLength": 1, "pattern": schema.get("pattern", NOT_BLANK)} if text else {}


def _has_file(serializer: Any) -> bool:
    from rest_framework import serializers

    if isinstance(serializer, type) and issubclass(serializer, serializers.Serializer):
        serializer = serializer()
    fields = serializer.fields if isinstance(serializer, serializers.Serializer) else {}
    return any(isinstance(f, serializers.FileField) for f in fields.values())


def _not_blank(field: Any, schema: dict[str, Any]) -> None:
    from django.core.validators import RegexValidator
    from rest_framework import serializers

    from network.api.fields import NOT_BLANK

    if (
        isinstance(field, serializers.CharField)
        and field.trim_whitespace
        and not any(isinstance(v, RegexValidator) for v in field.validators)  # its own pattern says more
        and schema.get("type") == "string"
        and schema.get("minLength", 0) >= 1
        and not {"pattern", "format", "enum"} & set(schema)
    ):
        schema["pattern"] = NOT_BLANK


def _state_request_rules(field: Any, schema: dict[str, Any]) -> None:
    from django.core.validators import URLValidator

    from network.api.fields import URL_PATTERN

    published = getattr(field, "published", None)
    if published is not None:
        options = schema.get("oneOf", [])
        if (
            published.get("minLength")
            and len(options) == 2
            and options[1] == {"type": "string", "maxLength": 0}
        ):
            schema.update(schema.pop("oneOf")[0])  # the model refuses "": no blank alternative
        target = schema["oneOf"][0] if "oneOf" in schema else schema
        for key, value in published.items():
            if key == "nullable":
                schema.pop(key, None) if value is None else schema.update({key: value})
            elif value is not None:
                target[key] = value
    if any(isinstance(v, URLValidator) for v in getattr(field, "validators", [])):
        for option in [schema, *schema.get("oneOf", [])]:
            if option.get("format") == "uri":
                del option["format"]
                option.setdefault("pattern", URL_PATTERN)  # a field may publish a narrower one
    _not_blank(field, schema)

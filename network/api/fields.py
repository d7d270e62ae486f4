"""Serializer fields that resolve what a request names through the person's view of the network.

A slug in the input (``"organisation": "vantaa"``) must answer the same whether the row is missing
or merely invisible to the caller: otherwise the error (a 403 naming the organisation, a different
400) confirms what the directory hides (#20 item 6). :class:`ScopedSlugRelatedField` looks the slug
up in the queryset a selector returns for the request's person, so both cases get DRF's own
"does not exist" field error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, URLValidator
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty


class ScopedSlugRelatedField(serializers.SlugRelatedField):
    """A ``SlugRelatedField`` whose choices are ``scope(person)``: what this person may name.

    The serializer needs ``context={"request": request}``; without one the scope is the anonymous
    person's (the narrowest), never the whole table.
    """

    def __init__(self, *, model: type[Model], scope: Callable[[Any], QuerySet], **kwargs: Any) -> None:
        self.scope = scope
        # An empty queryset of the model: it types the field in the schema and can never leak.
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return self.scope(getattr(request, "user", None))


# --- numbers the database can hold --------------------------------------------------------------

#: The largest value of a PositiveIntegerField on every backend (PostgreSQL ``integer``).
INT32_MAX = 2**31 - 1


def IdField(**kwargs: Any) -> serializers.IntegerField:
    """An id in a request body: 1 to 2**63 - 1, so no id reaches the database driver out of range
    (SQLite raised ``OverflowError``, a 500; #20 items 10 and 14). Documented as such in the schema."""
    from network.ids import INT64_MAX

    return serializers.IntegerField(min_value=1, max_value=INT64_MAX, **kwargs)


def CountField(**kwargs: Any) -> serializers.IntegerField:
    """A count stored in a ``PositiveIntegerField``: 0 (or ``min_value``) to 2**31 - 1."""
    kwargs.setdefault("min_value", 0)
    return serializers.IntegerField(max_value=INT32_MAX, **kwargs)


# --- input the model validates (#18: one validation layer per write) ----------------------------


class ModelChoiceInput(serializers.ChoiceField):
    """A code from the model's choices: listed in the schema (an ``enum``), passed on as given.

    Whether the value is one of the choices is the model field's rule, checked by the service's
    ``full_clean``; so the API answers a wrong code with the same message as the page's form."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return data


#: Some character that is not white space: DRF trims input (``str.strip``), so "   " is blank to
#: the model. Written for both regex dialects: ECMAScript's ``\s`` (what JSON Schema means) lacks
#: the separators U+001C-U+001F and NEL (U+0085), which Python strips as white space.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"


#: URLs Django's ``URLValidator`` accepts, as a pattern a client (and schemathesis) can generate
#: from: ``format: uri`` also allows ``mailto:x`` or ``events:x``, which every URL field refuses.
#: A conservative subset (http/https, a dotted host name with a letter TLD, an optional port and
#: path): everything it matches is accepted.
URL_PATTERN = (
    r"^https?://[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)*"
    r"\.[a-z]{2,12}(?::[1-9][0-9]{0,3})?(?:/[-a-zA-Z0-9._~%/]*)?$"
)


def _needed(model_field: Any) -> bool:
    """Whether a create must give the field: the model refuses it blank and has no default."""
    return not model_field.blank and not model_field.has_default()


class PublishedModelRules:
    """Publishes a model field's own rules in the OpenAPI schema without checking them here.

    ``required`` (a create must send it: the model refuses it blank and has no default), not
    ``nullable`` and the field's bounds are what the schema says; the model's ``full_clean`` in the
    service is the one check, so a missing or null value passes through to it and gets the page
    form's message (#18). ``published`` holds the schema keywords :class:`network.api.schema.AutoSchema`
    adds to the field's request schema (``None`` removes one)."""

    published: dict[str, Any]

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is empty and self.required:  # type: ignore[attr-defined]
            raise serializers.SkipField()  # the model says it is needed, in its words
        if data is None:
            return True, self.null_as  # type: ignore[attr-defined]
        return super().validate_empty_values(data)  # type: ignore[misc]


class ModelTextInput(PublishedModelRules, serializers.CharField):
    """Text a model field holds. The schema says what the model's rules are: needed on create,
    not blank (``minLength`` and a non-space ``pattern``: input is trimmed, as the page's form does),
    at most ``max_length``; the service's ``full_clean`` checks them, with the model's messages."""

    def __init__(self, model: type[Model], name: str, **kwargs: Any) -> None:
        field = model._meta.get_field(name)
        kwargs.setdefault("required", _needed(field))
        kwargs.update(allow_blank=True, allow_null=True)  # the model judges blank and null
        super().__init__(**kwargs)
        self.null_as = None if field.null else ""  # the model's "blank" message for a null
        self.published: dict[str, Any] = {"nullable": True if field.null else None}
        if not field.blank:
            self.published.update(minLength=1, pattern=NOT_BLANK)
        limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
        if limits:
            self.published["maxLength"] = min(limits)
        if any(isinstance(v, URLValidator) for v in field.validators):
            self.published["pattern"] = URL_PATTERN if not field.blank else f"^(?:{URL_PATTERN[1:-1]})?$"


class ModelIntegerInput(PublishedModelRules, serializers.IntegerField):
    """An integer a model field bounds: the schema shows the model field's minimum and maximum
    (so clients know them, and nothing unbounded reaches the driver), whether a create needs it and
    whether it may be null, but the model's own validators check them in the service, so the API
    says what the page's form says (#18)."""

    def __init__(self, model: type[Model], name: str, **kwargs: Any) -> None:
        field = model._meta.get_field(name)
        validators = field.validators
        lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
        kwargs.setdefault("required", _needed(field))
        kwargs["allow_null"] = True  # the model judges null
        super().__init__(min_value=max(lows, default=None), max_value=min(highs, default=None), **kwargs)
        self.null_as = None
        self.published = {"nullable": True if field.null else None}
        # Documented, not enforced here: the model's validators are the one check.
        self.validators = [
            v for v in self.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]


def SharedGroupsInput(**kwargs: Any) -> serializers.ListField:
    """Slugs of the working groups to share with (visibility ``group``); whether the owner may
    share with them is :func:`network.sharing.resolve`'s rule, run by the service. Omitted: the
    groups stay as they are."""
    kwargs.setdefault("required", False)
    kwargs.setdefault(
        "help_text",
        "With visibility `group`: slugs of working groups the owner organisation belongs to or "
        "convenes. Omit to keep the groups as they are.",
    )
    return serializers.ListField(child=serializers.SlugField(), **kwargs)


#: The OpenAPI string format of a CPV code; API clients (and our fuzz test) may register it.
CPV_FORMAT = "cpv-code"
_CPV_SCHEMA = {
    "type": "string",
    "format": CPV_FORMAT,
    "pattern": r"^[0-9]{8}-[0-9]$",
    "description": (
        "A code of the Common Procurement Vocabulary (CPV 2008) the network holds, e.g. 30213100-6: "
        "eight digits, a hyphen and the check digit (weights 3, 7, 1 repeating, modulo 10). The network holds the "
        "ICT divisions 30, 32, 48, 50, 51 and 72 unless staff imported the full list; "
        "`GET /api/v1/cpv/` lists them."
    ),
}


@extend_schema_field(_CPV_SCHEMA)
class CpvCodeInput(serializers.CharField):
    """A CPV code as a person writes it. Format, check digit and whether the network holds the code
    are :func:`knowledge.cpv.validate_cpv_code`'s rules, run by the service (one set of messages);
    this field states them in the schema (pattern, the ``cpv-code`` format, the description)."""


@extend_schema_field(_CPV_SCHEMA)
class OptionalCpvCodeInput(serializers.CharField):
    """:class:`CpvCodeInput` where blank means "no code" (a statement's demand; the schema says
    so with spectacular's blank alternative)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$", "nullable": True}
)
class EurosInput(serializers.DecimalField):
    """An amount in euros as a decimal string (``"125000.50"``): what a ``DecimalField(max_digits=14,
    decimal_places=2)`` with a minimum of 0 holds, stated as a pattern (spectacular's own allows a
    sign and a bare "."); the model's validators are the check, with its messages."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(max_digits=None, decimal_places=None, **kwargs)


@extend_schema_field({"type": "string", "maxLength": 50})
class TagInput(serializers.CharField):
    """A tag: at most 50 characters (``knowledge.models.choices.validate_tags`` checks it after
    trimming and lower-casing, with its own message; the schema states the length)."""


def CpvCodesInput(**kwargs: Any) -> serializers.ListField:
    """A list of :class:`CpvCodeInput` (templates, tenders, events, resources)."""
    kwargs.setdefault("required", False)
    return serializers.ListField(child=CpvCodeInput(), **kwargs)


class Rfc3339DateTimeField(serializers.DateTimeField):
    """A moment as RFC 3339 (what ``format: date-time`` promises): in the site's time zone, except
    where that zone's offset has seconds (Helsinki's local mean time before 1921, +01:39:49), which
    RFC 3339 cannot write; then in UTC, the same instant."""

    def to_representation(self, value: Any) -> Any:
        import datetime

        local = self.enforce_timezone(value) if isinstance(value, datetime.datetime) else value
        offset = local.utcoffset() if isinstance(local, datetime.datetime) else None
        if offset is not None and offset.seconds % 60:
            value = local.astimezone(datetime.UTC)
            return value.isoformat().replace("+00:00", "Z")
        return super().to_representation(value)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SharedGroupsOutput(serializers.Field):
    """The groups an item is shared with, as far as the caller may know them
    (:func:`network.sharing.groups_shown`: all for its owners, else the caller's own groups)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "Slugs of the working groups it is shared with: all of them for the owner organisation's "
            "members, otherwise only your organisations' groups.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj: Any) -> list[str]:
        from network import sharing

        request = self.context.get("request")
        return sharing.groups_shown(getattr(request, "user", None), obj)

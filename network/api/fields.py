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

from django.db.models import Model, QuerySet
from rest_framework import serializers


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


class ModelIntegerInput(serializers.IntegerField):
    """An integer a model field bounds: the schema shows the model field's minimum and maximum
    (so clients know them, and nothing unbounded reaches the driver), but the bounds are checked by
    the model's own validators in the service, so the API says what the page's form says (#18)."""

    def __init__(self, model: type[Model], name: str, **kwargs: Any) -> None:
        from django.core.validators import MaxValueValidator, MinValueValidator

        validators = model._meta.get_field(name).validators
        lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
        super().__init__(min_value=max(lows, default=None), max_value=min(highs, default=None), **kwargs)
        # Documented, not enforced here: the model's validators are the one check.
        self.validators = [
            v for v in self.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]

"""One validation layer per write (#18): the model's own rules, run once by the service.

A service builds (or updates) the model instance from its typed input, then calls
:func:`full_clean` here: Django's ``Model.full_clean`` (field types, ``blank``/``null``, lengths,
choices, field validators with the messages the model declares) merged with what the service
checks beside the model (many-to-many links, CPV codes), and raised at once as one
``ValidationError`` keyed by field. Pages put those messages on their form with
:func:`add_to_form`; the API's exception handler turns the same error into ``{"detail", "errors"}``.
So a rule is declared once, on the model, and every surface reports the same words.

Two kinds of refusal share that one error. A rule of the input's shape (a blank title, a year out of
range) is what the model and the API schema state: the API answers 400. A rule of the current state
(a name another organisation already has, a template with no published version yet, a domain staff
have not verified) refuses well-formed input that would be accepted another time: the service marks
it :func:`conflict` (the error code :data:`CONFLICT`) and the API answers 409 with the same
``{"detail", "errors"}`` body, while pages show the same message next to the field.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)

#: Set by the service itself, never by input: not worth a query per write to re-check.
NOT_INPUT = ("organisation", "created_by")

#: The ``ValidationError`` code of a refusal by the current state, not by the input's shape (409).
CONFLICT = "conflict"


def conflicting(message: Any) -> ValidationError:
    """One message of a state rule (a name taken, a member asking to join again): see :data:`CONFLICT`."""
    return ValidationError(message, code=CONFLICT)


def conflict(errors: Mapping[str, Any]) -> ValidationError:
    """A ``ValidationError`` keyed by field whose every message is a state rule (the API's 409)."""
    return ValidationError(
        {
            name: [conflicting(m) for m in (messages if isinstance(messages, list | tuple) else [messages])]
            for name, messages in errors.items()
        }
    )


def referenced_ids(
    readable: models.QuerySet, ids: Iterable[Any], errors: dict[str, list[Any]], name: str
) -> list[int]:
    """The ids in ``ids`` (rows or primary keys) found in ``readable``: the rows the person may
    read (``Model.objects.visible_to(person)``). A missing row and one the person may not read get
    the same message, so the answer confirms nothing hidden; it is a state rule (409: the same
    request succeeds once the row exists and is shared), while ids that are not numbers are shape
    (400). Problems go into ``errors`` under ``name``; the found ids are returned sorted."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    try:
        wanted = {int(getattr(i, "pk", i)) for i in ids}
    except (TypeError, ValueError):
        errors[name] = [_("Give ids.")]
        return []
    found = set(readable.filter(pk__in=wanted).values_list("pk", flat=True))
    if missing := sorted(wanted - found):
        message = ngettext(
            "No item you can read has the id %(ids)s.",
            "No items you can read have the ids %(ids)s.",
            len(missing),
        ) % {"ids": ", ".join(map(str, missing))}
        errors[name] = [conflicting(message)]
    return sorted(found)


def is_conflict(exc: ValidationError) -> bool:
    """Whether every message of ``exc`` is a state rule: one problem of shape makes the whole a 400
    (fix the input first; it may still meet the state afterwards)."""
    if hasattr(exc, "error_dict"):
        found = [error for errors in exc.error_dict.values() for error in errors]
    else:
        found = list(exc.error_list)
    return bool(found) and all(error.code == CONFLICT for error in found)


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    """A ``ValidationError`` as field → messages (a list-shaped one goes under ``__all__``)."""
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}


def merge(into: dict[str, list[Any]], exc: ValidationError) -> None:
    """Add ``exc``'s messages to ``into`` (so a service reports every problem together); a state rule
    keeps its code (:data:`CONFLICT`)."""
    found = exc.error_dict.items() if hasattr(exc, "error_dict") else [(NON_FIELD_ERRORS, exc.error_list)]
    for name, errors in found:
        # a message as its text, a state rule as the error that carries its code
        into.setdefault(name, []).extend(e if e.code == CONFLICT else next(iter(e)) for e in errors)


def full_clean(
    instance: models.Model,
    *,
    exclude: Iterable[str] = (),
    errors: Mapping[str, list[Any]] | None = None,
    constraints: bool = True,
    stored: Mapping[str, Any] | None = None,
) -> None:
    """Run the model's own rules on ``instance`` and raise them with ``errors`` (found beside the
    model) as one ``ValidationError`` keyed by field; return quietly when there is none.

    ``constraints=False`` leaves a check constraint to the database where the model's ``clean()``
    already says the same rule of a field (so the person reads it once, next to that field).
    ``stored`` (an update's values before it) makes a broken :class:`AnyOf` that a field kept as
    stored takes part in a state rule: the same change is accepted where the stored value differs
    (clearing an event's place is fine when it has an online link)."""
    found = {name: list(messages) for name, messages in (errors or {}).items() if messages}
    try:
        instance.full_clean(
            exclude=[*NOT_INPUT, *exclude], validate_unique=False, validate_constraints=constraints
        )
    except ValidationError as exc:
        merge(found, exc)
    if stored is not None:
        _stored_rules_are_state(instance, stored, found)
    if found:
        raise ValidationError(found)


def _stored_rules_are_state(
    instance: models.Model, stored: Mapping[str, Any], found: dict[str, list[Any]]
) -> None:
    for rule in getattr(type(instance), "FIELD_RULES", ()):
        if not isinstance(rule, AnyOf) or not rule.broken(instance):
            continue
        if any(name in stored and getattr(instance, name) == stored[name] for name in rule.fields):
            first = rule.fields[0]
            found[first] = [
                conflicting(m) if not isinstance(m, ValidationError) and str(m) == str(rule.message) else m
                for m in found.get(first, [])
            ]


def clean_field(model: type[models.Model], name: str, value: Any) -> Any:
    """One model field's own rules on a value stored later (or in another row), keyed by the field."""
    try:
        return model._meta.get_field(name).clean(value, None)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def candidate(instance: M, values: Mapping[str, Any]) -> M:
    """A copy of ``instance`` with ``values`` set: what an edit would store. The caller validates
    and saves the copy, so invalid input never touches the object the caller holds (nor the row)."""
    changed = copy.copy(instance)
    for name, value in values.items():
        setattr(changed, name, value)
    return changed


def add_to_form(exc: ValidationError, form: forms.Form) -> None:
    """Put a service's messages next to the form's fields (the rest at the top of the form)."""
    for name, messages in errors_of(exc).items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


# --- form fields that only carry input -------------------------------------------------------


class OpenChoiceField(forms.ChoiceField):
    """Renders the model's choices; whether a posted value is one of them is the model's rule."""

    def valid_value(self, value: Any) -> bool:
        return True


class OpenMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes of the model's choices; the model field's validator judges the list."""

    def valid_value(self, value: Any) -> bool:
        return True


def NumberField(label: Any, **kwargs: Any) -> forms.CharField:
    """A number as typed (``<input type="number">``): the model field parses and bounds it, so
    "abc", 1999 and an empty required year get the model's message on every surface."""
    decimal = kwargs.pop("decimal", False)
    attrs = {"inputmode": "decimal", "step": "any"} if decimal else {"inputmode": "numeric"}
    return forms.CharField(label=label, required=False, widget=forms.NumberInput(attrs=attrs), **kwargs)


def save_from_form(
    request: Any, form: forms.Form, write: Any, *, success: str, refusals: tuple[type[Exception], ...] = ()
) -> Any | None:
    """A page form's write through its service: what was written (after the success message), or
    ``None`` with the service's messages on the form (a ``refusals`` exception's too), so the page
    shows the form again with what was typed. Nothing happens on GET or when the form cannot parse."""
    from django.contrib import messages

    if request.method != "POST" or not form.is_valid():
        return None
    try:
        written = write()
    except ValidationError as exc:
        add_to_form(exc, form)
        return None
    except refusals as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(request, success)
    return written


# --- rules across fields, declared once: the model's clean() checks them, the API schema states them


@dataclass(frozen=True)
class AnyOf:
    """At least one of ``fields`` is given (not blank); the message goes on the first field."""

    fields: tuple[str, ...]
    message: Any

    def broken(self, instance: models.Model) -> dict[str, Any]:
        return {} if any(getattr(instance, name) for name in self.fields) else {self.fields[0]: self.message}


@dataclass(frozen=True)
class Ordered:
    """``later`` comes after ``earlier`` (``strict``) or on or after it, when both are given; the
    message goes on ``later``. OpenAPI cannot compare two fields: the schema says it as
    ``x-after``/``x-not-before`` on ``later`` (and in its description)."""

    earlier: str
    later: str
    strict: bool
    message: Any

    def broken(self, instance: models.Model) -> dict[str, Any]:
        first, then = getattr(instance, self.earlier), getattr(instance, self.later)
        if first is None or then is None or (then > first if self.strict else then >= first):
            return {}
        return {self.later: self.message}


@dataclass(frozen=True)
class OnlyWhen:
    """``field`` is given (not null) only when ``other`` is one of ``values`` (a weight only on an
    award criterion). Said only when ``other`` holds one of its own choices: an unknown value has
    its own message. The schema states it as an ``anyOf``: ``other`` one of ``values``, or
    ``field`` null or absent."""

    field: str
    other: str
    values: tuple[str, ...]
    message: Any

    def broken(self, instance: models.Model) -> dict[str, Any]:
        value, other = getattr(instance, self.field), getattr(instance, self.other)
        known = {choice for choice, _label in instance._meta.get_field(self.other).flatchoices}
        if value is None or other in self.values or (known and other not in known):
            return {}
        return {self.field: self.message}


@dataclass(frozen=True)
class NeededWhen:
    """``field`` (a list) is not empty when ``other`` is one of ``values`` ("working groups"
    visibility names its groups). Checked by the service that resolves the list
    (:func:`network.sharing.resolve`); the schema states it on create as an ``anyOf``."""

    field: str
    other: str
    values: tuple[str, ...]
    message: Any


def broken_rules(instance: models.Model, rules: Iterable[AnyOf | Ordered | OnlyWhen]) -> dict[str, Any]:
    """The messages of ``rules`` that ``instance`` breaks, keyed by field (for its ``clean()``)."""
    found: dict[str, Any] = {}
    for rule in rules:
        for name, message in rule.broken(instance).items():
            found.setdefault(name, message)
    return found

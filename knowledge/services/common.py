"""Small helpers the library services share: permission checks and list normalising."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from network import visibility


def require_create_in(person: Any, organisation: Any) -> None:
    if not visibility.can_create_in(person, organisation):
        raise PermissionDenied(_("Only editors of the organisation can add content for it."))


def require_edit(person: Any, obj: Any) -> None:
    if not visibility.can_edit(person, obj):
        raise PermissionDenied(_("Only editors of the owning organisation can change this."))


def normalise_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Tags as stored: trimmed, lower-case, unique, in the order given; a string is split on commas.
    Their limits are the model field's rule (``knowledge.models.choices.validate_tags``)."""
    if isinstance(tags, str):
        tags = tags.split(",")
    values = (str(tag).strip().lower() for tag in tags or [])
    return list(dict.fromkeys(value for value in values if value))


def clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Tags: trimmed, lower-case, unique, in the order given. A string is split on commas."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: dict[str, None] = {}
    for tag in tags:
        value = str(tag).strip().lower()
        if len(value) > 50:
            raise ValidationError({"tags": _("A tag has at most 50 characters.")})
        if value:
            seen.setdefault(value, None)
    if len(seen) > 30:
        raise ValidationError({"tags": _("At most 30 tags.")})
    return list(seen)


def clean_choices(values: Iterable[str] | None, choices: Any, field: str) -> list[str]:
    """A list of codes from ``choices`` (a TextChoices class), unique and in the given order."""
    allowed = set(choices.values)
    result: list[str] = []
    for value in values or []:
        if value not in allowed:
            raise ValidationError({field: _("“%(v)s” is not a valid choice.") % {"v": value}})
        if value not in result:
            result.append(value)
    return result


def clean_visibility(value: str | None, default: str = visibility.Visibility.PRIVATE) -> str:
    value = value or default
    if value not in visibility.Visibility.values:
        raise ValidationError({"visibility": _("“%(v)s” is not a valid visibility.") % {"v": value}})
    return value

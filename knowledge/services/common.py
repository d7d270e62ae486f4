"""Small helpers the library services share: permission checks and list normalising."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
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

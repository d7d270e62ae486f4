"""Slugs for content whose title may be private: readable, but never a signal about other rows.

A slug counted up from the title (``secret-plan-x-2``) told its creator that someone else, perhaps
another organisation privately, had already used that title (#20 item 6). Every new slug therefore
ends in a random part whatever else exists, so the slug a person gets says nothing about rows they
cannot read, and nobody can guess the address of a private item from its title. Existing slugs are
kept as they are: addresses already shared keep working.
"""

from __future__ import annotations

from django.db import models
from django.utils.crypto import get_random_string
from django.utils.text import slugify

#: Lower-case letters and digits without the look-alikes (l, 1, o, 0) people copy by hand.
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
SUFFIX_LENGTH = 8


def unguessable_slug(title: str, *, model: type[models.Model], fallback: str, max_length: int) -> str:
    """``<title-slug>-<8 random characters>``, unique in ``model.slug``, at most ``max_length``."""
    base = slugify(title)[: max_length - SUFFIX_LENGTH - 1].strip("-") or fallback
    while True:
        slug = f"{base}-{get_random_string(SUFFIX_LENGTH, _ALPHABET)}"
        if not model._default_manager.filter(slug=slug).exists():
            return slug

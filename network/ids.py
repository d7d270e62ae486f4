"""Ids and numbers the database can hold: one 64-bit range check for every route and filter.

SQLite binds a Python int only up to 2**63 - 1 and raises ``OverflowError`` beyond it (PostgreSQL
answers "out of range" instead); Django guards plain integer lookups but not foreign keys, so a
24-digit id in a URL or ``?forum=`` would reach the driver. Routes answer such an id like a missing
object (404, :class:`network.middleware.IdRangeMiddleware`); numeric filters refuse it with a 400
(:class:`network.api.filters.FilterBackend`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_INTEGER = re.compile(r"[+-]?\d+")


def in_range(value: int | Decimal | float) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def out_of_range(raw: object) -> bool:
    """Whether ``raw`` (an int, or text that is a number) is a number outside the 64-bit range.
    Text that is no number at all is not this check's business (the route or form refuses it)."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return not in_range(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if _INTEGER.fullmatch(text):
            return not in_range(int(text))
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            return False
        return number.is_finite() and not in_range(number)
    return False

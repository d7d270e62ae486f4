"""Attendee list as CSV, safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from network.events.models import Registration

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Prefix cells a spreadsheet would run as a formula (OWASP CSV injection) with a quote."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def attendees_csv(registrations: Iterable[Registration]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Name"), _("E-mail"), _("Organisation"), _("Status"), _("Waiting list"), _("Registered")]
    )
    for reg in registrations:
        writer.writerow(
            [
                safe_cell(reg.display_name),
                safe_cell(reg.email),
                safe_cell(reg.organisation_name),
                safe_cell(reg.get_status_display()),
                safe_cell(reg.position or ""),
                reg.created_at.isoformat(timespec="seconds"),
            ]
        )
    return buffer.getvalue()

"""Attendee list as CSV, safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from network.csv_export import csv_text
from network.events.models import Registration


def attendees_csv(registrations: Iterable[Registration]) -> str:
    return csv_text(
        [_("Name"), _("E-mail"), _("Organisation"), _("Status"), _("Waiting list"), _("Registered")],
        (
            [
                reg.display_name,
                reg.email,
                reg.organisation_name,
                reg.get_status_display(),
                reg.position or "",
                reg.created_at.isoformat(timespec="seconds"),
            ]
            for reg in registrations
        ),
    )

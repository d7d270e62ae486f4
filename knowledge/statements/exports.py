"""Signatory exports (CSV and JSON): organisation, country, date, version and PUBLIC volumes only.

Exports are for anyone who may read the statement, so they never carry undisclosed figures, even
when an issuer downloads them. CSV cells that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with an apostrophe (OWASP).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from knowledge.statements.models import Statement
from knowledge.statements.selectors import signatory_rows
from network.categories import DeviceCategory
from network.csv_export import csv_text


def signatories_data(person: Any, statement: Statement) -> list[dict[str, Any]]:
    rows = []
    for row in signatory_rows(person, statement, public_only=True):
        rows.append(
            {
                "organisation": row.organisation_name,
                "organisation_slug": row.organisation_slug,
                "country": row.country_code,
                "signed_on": timezone.localdate(row.signed_at).isoformat(),
                "version": row.version,
                "volumes": row.shown_volumes,  # None unless the policy discloses them (public only here)
                "comment": row.comment,
            }
        )
    return rows


def signatories_json(person: Any, statement: Statement) -> dict[str, Any]:
    return {
        "statement": statement.slug,
        "title": statement.title,
        "current_version": statement.current_version.number if statement.current_version else None,
        "signatories": signatories_data(person, statement),
    }


def signatories_csv(person: Any, statement: Statement) -> str:
    categories = list(DeviceCategory.values)
    columns = ("organisation", "organisation_slug", "country", "signed_on", "version")
    return csv_text(
        [*columns, *(f"{c}_per_year" for c in categories), "comment"],
        (
            [
                *(row[k] for k in columns),
                *((row["volumes"] or {}).get(c, "") for c in categories),
                row["comment"],
            ]
            for row in signatories_data(person, statement)
        ),
    )

"""Signatory exports (CSV and JSON): organisation, country, date, version and PUBLIC volumes only.

Exports are for anyone who may read the statement, so they never carry undisclosed figures, even
when an issuer downloads them. CSV cells that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with an apostrophe (OWASP).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone

from knowledge.statements.models import Statement
from knowledge.statements.selectors import signatory_rows
from network.categories import DeviceCategory

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
                "volumes": row.volumes if row.volumes_public else None,
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
    out = io.StringIO()
    writer = csv.writer(out)
    categories = list(DeviceCategory.values)
    writer.writerow(
        ["organisation", "organisation_slug", "country", "signed_on", "version"]
        + [f"{c}_per_year" for c in categories]
        + ["comment"]
    )
    for row in signatories_data(person, statement):
        volumes = row["volumes"] or {}
        writer.writerow(
            [
                safe_cell(row[k])
                for k in ("organisation", "organisation_slug", "country", "signed_on", "version")
            ]
            + [volumes.get(c, "") for c in categories]
            + [safe_cell(row["comment"])]
        )
    return out.getvalue()

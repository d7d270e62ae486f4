"""CSV exports that are safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return would run as a formula in
Excel or LibreOffice (OWASP "CSV injection"); such cells get a leading apostrophe. Every CSV export
(signatories, attendees...) writes through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """Header and rows as CSV text, every string cell neutralised; numbers are written as they are."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(
            [v if isinstance(v, int | float) and not isinstance(v, bool) else safe_cell(v) for v in row]
        )
    return out.getvalue()

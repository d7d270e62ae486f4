"""The Common Procurement Vocabulary (CPV 2008, Regulation (EC) No 213/2008) as the platform holds it.

A CPV code is written ``NNNNNNNN-C``: eight digits (division, group, class, category, subdivisions)
and a check digit. The check digit is the weighted sum of the eight digits with the repeating
weights 3, 7, 1 (``3 7 1 3 7 1 3 7``), modulo 10. This reproduces every published code we checked
(30213100-6 portable computers, 32250000-0 mobile telephones, 30213200-7 tablet computers,
30231000-7 computer screens, 48000000-8 software packages, 72000000-5 IT services, 45000000-7,
03000000-1, ...) and is tested against them.

The platform ships the divisions its users buy from (``SHIPPED_DIVISIONS``) in
``knowledge/data/cpv-ict.csv`` (code with check digit, English label), loaded by a data migration;
``manage.py import_cpv FILE`` loads the full official list. :func:`validate_cpv_code` is the one
entry point every app uses to accept a code from a person (statements, templates, planned tenders).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from knowledge.models import CpvCode

SHIPPED_DIVISIONS = ("30", "32", "48", "50", "51", "72")
SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "cpv-ict.csv"
#: The full official CPV 2008 list (9,455 codes), vendored (knowledge/data/README.md).
FULL_LIST_FILE = Path(__file__).resolve().parent / "data" / "cpv-2008-codes-en.csv"
_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
CODE_RE = re.compile(r"^(\d{8})-(\d)$")
_BARE_RE = re.compile(r"^\d{8}$")


def check_digit(digits: str) -> int:
    """The check digit of an eight-digit CPV code (weights 3,7,1 repeating, modulo 10)."""
    if not _BARE_RE.match(digits):
        raise ValueError(f"A CPV code has eight digits, not {digits!r}.")
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10


def format_code(digits: str) -> str:
    """``30213100`` → ``30213100-6``."""
    return f"{digits}-{check_digit(digits)}"


def parse_cpv_code(code: str) -> str:
    """Check format and check digit of ``NNNNNNNN-N``; return the eight digits.

    Raises :class:`ValidationError` with a message a procurement officer understands.
    """
    value = (code or "").strip()
    match = CODE_RE.match(value)
    if not match:
        raise ValidationError(
            _(
                "“%(code)s” is not a CPV code: write eight digits, a hyphen and the check digit, e.g. 30213100-6."
            )
            % {"code": value},
            code="cpv_format",
        )
    digits, given = match.group(1), int(match.group(2))
    expected = check_digit(digits)
    if given != expected:
        raise ValidationError(
            _("“%(code)s” has a wrong check digit: the CPV code %(digits)s ends in -%(expected)s.")
            % {"code": value, "digits": digits, "expected": expected},
            code="cpv_check_digit",
        )
    return digits


def validate_cpv_code(code: str) -> CpvCode:
    """Return the :class:`~knowledge.models.CpvCode` for ``code`` written ``NNNNNNNN-N``.

    Raises :class:`ValidationError` for a bad format, a wrong check digit, or a code that is not
    in the vocabulary the platform holds.
    """
    from knowledge.models import CpvCode

    digits = parse_cpv_code(code)
    try:
        return CpvCode.objects.get(code=digits)
    except CpvCode.DoesNotExist:
        raise ValidationError(
            _("“%(code)s” is not in the Common Procurement Vocabulary held by the network.")
            % {"code": code.strip()},
            code="cpv_unknown",
        ) from None


def validate_cpv_codes(codes: Iterable[str]) -> list[CpvCode]:
    """Validate several codes; all errors are reported together. Duplicates collapse."""
    found: dict[str, CpvCode] = {}
    errors: list[ValidationError] = []
    for code in codes:
        if not str(code).strip():
            continue
        try:
            cpv = validate_cpv_code(str(code))
        except ValidationError as exc:
            errors.append(exc)
        else:
            found.setdefault(cpv.code, cpv)
    if errors:
        raise ValidationError(errors)
    return list(found.values())


def division_of(digits: str) -> str:
    return digits[:2]


# --- reading code lists ---------------------------------------------------------------------------


def read_csv_rows(path: Path) -> Iterator[tuple[str, str]]:
    """Yield ``(eight digits, English label)`` from a CSV with ``code`` and ``label`` columns.

    ``code`` may carry a check digit (``30213100-6``), which is then verified.
    """
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = {f.lower().strip(): f for f in reader.fieldnames or []}
        code_col = fields.get("code")
        label_col = fields.get("label") or fields.get("label_en") or fields.get("en")
        if not code_col or not label_col:
            raise ValueError("The CSV needs a 'code' and a 'label' column.")
        for row in reader:
            raw = (row[code_col] or "").strip()
            label = (row[label_col] or "").strip()
            if not raw:
                continue
            digits = parse_cpv_code(raw) if "-" in raw else raw
            if not _BARE_RE.match(digits):
                raise ValueError(f"Not a CPV code: {raw!r}")
            yield digits, label


def read_xml_rows(path: Path, language: str = "EN") -> Iterator[tuple[str, str]]:
    """Yield codes from the EU's ``cpv_2008.xml`` (``<CPV CODE="03000000-1"><TEXT LANG="EN">``)."""
    from xml.etree.ElementTree import parse

    root = parse(path).getroot()  # noqa: S314
    for node in root.iter("CPV"):
        raw = (node.get("CODE") or "").strip()
        label = ""
        for text in node.iter("TEXT"):
            if (text.get("LANG") or "").upper() == language.upper():
                label = (text.text or "").strip()
                break
        if raw:
            yield parse_cpv_code(raw), label


def read_rows(path: Path) -> Iterator[tuple[str, str]]:
    if path.suffix.lower() == ".xml":
        return read_xml_rows(path)
    return read_csv_rows(path)


def load_rows(rows: Iterable[tuple[str, str]], *, model: type | None = None) -> tuple[int, int]:
    """Upsert codes idempotently; return ``(created, updated)``. ``model`` lets migrations pass theirs."""
    if model is None:
        from knowledge.models import CpvCode as model
    incoming = dict(rows)
    existing = {c.code: c for c in model.objects.filter(code__in=list(incoming))}
    to_create, to_update = [], []
    for digits, label in incoming.items():
        obj = existing.get(digits)
        if obj is None:
            to_create.append(
                model(code=digits, check_digit=check_digit(digits), label_en=label, division=digits[:2])
            )
        elif obj.label_en != label or obj.check_digit != check_digit(digits):
            obj.label_en, obj.check_digit = label, check_digit(digits)
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=500, ignore_conflicts=True)
    model.objects.bulk_update(to_update, ["label_en", "check_digit"], batch_size=500)
    return len(to_create), len(to_update)

"""``manage.py import_cpv [FILE]``: load the official CPV list (CSV ``code,label`` or the EU XML);
without FILE, the full CPV 2008 list shipped in ``knowledge/data/``."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from knowledge import cpv


class Command(BaseCommand):
    help = (
        "Load CPV codes idempotently from a CSV with 'code' and 'label' columns (codes with or without "
        "check digits) or from the EU's cpv_2008.xml. Check digits are computed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, nargs="?", default=cpv.FULL_LIST_FILE)

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            rows = list(cpv.read_rows(file))
        except (ValueError, ValidationError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        with transaction.atomic():
            created, updated = cpv.load_rows(rows)
        self.stdout.write(
            f"CPV: {len(rows)} codes read, {created} added, {updated} updated, "
            f"{len(rows) - created - updated} unchanged."
        )

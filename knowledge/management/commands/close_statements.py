"""``manage.py close_statements``: persist the closing of statements whose closing date has passed.

Reads already treat such a statement as closed (``Statement.from_db``); this command stores it,
writes the audit entry and tells the issuers. Run it daily, shortly after midnight in
``TIME_ZONE`` (see the README); it is idempotent, so running it more often is harmless.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from knowledge.statements.services import statements_close_expired


class Command(BaseCommand):
    help = "Close the joint statements whose closing date has passed, and notify their issuers."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = statements_close_expired()
        for statement in closed:
            self.stdout.write(f"closed {statement.slug} (closing date {statement.closes_on.isoformat()})")
        self.stdout.write(self.style.SUCCESS(f"{len(closed)} statement(s) closed."))

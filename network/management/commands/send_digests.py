"""``manage.py send_digests``: the daily notification digest (run once a day from cron/systemd)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from network.notifications import send_digests


class Command(BaseCommand):
    help = "E-mail each daily-digest person their un-e-mailed notifications of the last day (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--hours", type=int, default=24, help="how far back to look (default 24)")

    def handle(self, *args, hours: int = 24, **options) -> None:
        sent = send_digests(window=timedelta(hours=hours))
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} digest e-mail(s)."))

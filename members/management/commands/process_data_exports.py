"""Prepare waiting personal-data exports and delete expired ones (run it from cron, e.g. every 5 minutes)."""

from django.core.management.base import BaseCommand

from members.privacy import export


class Command(BaseCommand):
    help = (
        "Prepare waiting personal-data exports (or ones a stopped process left running); delete expired zips."
    )

    def handle(self, *args, **options) -> None:
        done = export.process_pending()
        removed = export.delete_expired()
        self.stdout.write(f"{done} export(s) prepared, {removed} expired export(s) deleted")

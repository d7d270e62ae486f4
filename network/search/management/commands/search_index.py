"""``manage.py search_index``: rebuild the search index, retry queued updates, or show status."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from network.search import indexing
from network.search.registry import get_backend, indexes


class Command(BaseCommand):
    help = "Rebuild the search index in batches (--rebuild), retry failed updates (--process-queue), or report status."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--rebuild", action="store_true", help="reindex every searchable object")
        group.add_argument(
            "--process-queue", action="store_true", help="retry updates that failed (engine down)"
        )
        group.add_argument("--status", action="store_true", help="print the backend status and pending count")
        group.add_argument(
            "--check", action="store_true", help="backend status plus which analysers run (fallbacks named)"
        )
        parser.add_argument("--batch-size", type=int, default=indexing.BATCH_SIZE)
        parser.add_argument("--type", action="append", dest="types", help="only these types (repeatable)")

    def handle(
        self,
        *args,
        rebuild=False,
        process_queue=False,
        status=False,
        check=False,
        batch_size=500,
        types=None,
        **opts,
    ):
        backend = get_backend()
        if status or check:
            self.stdout.write(backend.check())
            if check:
                from network.search.analysis import status as analysers

                for name, state in analysers().items():
                    self.stdout.write(f"{name}: {state}")
            return
        if process_queue:
            done, failing = indexing.process_queue()
            self.stdout.write(f"Reindexed {done} queued objects; {failing} still failing.")
            if failing:
                raise CommandError(f"{failing} objects could not be indexed; they stay queued.")
            return
        known = {i.type for i in indexes()}
        unknown = set(types or ()) - known
        if unknown:
            raise CommandError(
                f"Unknown type(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
            )
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.stdout.write(f"Rebuilding the search index ({backend.name}) in batches of {batch_size}…")
        started = time.monotonic()
        counts = indexing.rebuild(
            stdout=self.stdout, batch_size=batch_size, only=(lambda i: i.type in types) if types else None
        )
        total = sum(counts.values())
        per_type = ", ".join(f"{n} {t}" for t, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {total} documents ({per_type}) in {time.monotonic() - started:.1f}s."
            )
        )

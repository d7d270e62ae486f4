"""``manage.py loaddemo``: a realistic demo network, safe to run twice.

Each app contributes a ``demo.py`` with ``load(stdout)``; they run in dependency order. Everything
is keyed on natural keys (slugs, e-mail addresses), so a second run changes nothing.
"""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from network import content, ratelimit

DEMO_MODULES = [
    "members.demo",
    "knowledge.demo",
    "knowledge.statements.demo",
    "forums.demo",
    "network.events.demo",
]


class Command(BaseCommand):
    help = "Load the demo network (idempotent). With --scale N, add N synthetic documents for benchmarks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=int, default=0, help="add N synthetic multilingual documents")
        parser.add_argument("--if-empty", action="store_true", help="only load when no organisation exists")

    def handle(self, *args, scale: int = 0, if_empty: bool = False, **options) -> None:
        from members.models import Organisation

        if if_empty and Organisation.objects.exists():
            self.stdout.write("Database already has data; demo network not loaded.")
            return
        # Demo activity (signatures, registrations, mentions) creates in-app notifications, but the
        # made-up people must not be e-mailed: mail goes to an in-memory outbox while loading.
        # The demo people post and sign through the services, faster than any person could: the
        # declared rate limits are for people acting, not for loading.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            ratelimit.exempt(),
        ):
            for module_name in DEMO_MODULES:
                module = import_module(module_name)
                with transaction.atomic():
                    module.load(self.stdout)
            for load in content.demo_loaders():  # content types that declare their demo data
                with transaction.atomic():
                    load(self.stdout)
        if scale:
            from network import demo_scale

            demo_scale.load(self.stdout, scale)
        self.stdout.write(self.style.SUCCESS("Demo network ready."))

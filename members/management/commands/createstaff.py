"""``manage.py createstaff EMAIL [--name NAME] [--password PW]``: a network staff account."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from members.staff import STAFF_GROUP, staff_create


class Command(BaseCommand):
    help = (
        "Create or promote a network staff account (Django staff, in the 'Network staff' group: verify "
        "organisations, moderate, administer; not a superuser). Asks for a password when none is given "
        "and the account is new; --no-password leaves it unusable (sign in by password reset)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", default=None, help="Prefer the prompt: shells keep history.")
        parser.add_argument("--no-password", action="store_true")

    def handle(
        self, *args, email: str, name: str, password: str | None, no_password: bool, **options
    ) -> None:
        if "@" not in email:
            raise CommandError(f"{email!r} is not an e-mail address.")
        if password is None and not no_password and options.get("interactive", True):
            from members.models import Person

            if not Person.objects.filter(email__iexact=email).exists():
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The passwords do not match.")
                if not password:
                    raise CommandError("Give a password, or use --no-password.")
        person, created = staff_create(email=email, name=name, password=password)
        verb = "Created" if created else "Promoted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {person.email}: staff, in the '{STAFF_GROUP}' group."))

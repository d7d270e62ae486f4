"""Shared set-up for worker processes: Django start-up, JSON in/out, bench accounts and sessions."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def start() -> dict[str, Any]:
    """Set Django up (bench settings unless told otherwise) and return the JSON payload from stdin."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    raw = sys.stdin.read()
    return json.loads(raw) if raw.strip() else {}


def emit(answer: Any) -> None:
    """Print the answer as the last stdout line (anything printed before it is ignored)."""
    sys.stdout.write("\n" + json.dumps(answer, default=str) + "\n")
    sys.stdout.flush()


def skip(reason: str) -> None:
    """Tell the orchestrator this benchmark cannot run yet (a dependency has not landed)."""
    sys.stderr.write(f"SkipBenchmark: {reason}\n")
    sys.exit(3)


def organisation(slug: str, name: str | None = None, *, verified: bool = True):
    from members.models import Organisation

    org, _ = Organisation.objects.get_or_create(
        slug=slug,
        defaults={"name": name or slug.replace("-", " ").title(), "country": "FI", "verified": verified},
    )
    return org


def people(org, count: int, *, prefix: str, role: str = "member") -> list:
    """``count`` bench accounts in ``org`` with verified e-mail addresses, made in bulk."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from members.models import Membership, Person

    unusable = make_password(None)
    emails = [f"{prefix}-{i}@bench.invalid" for i in range(count)]
    existing = set(Person.objects.filter(email__in=emails).values_list("email", flat=True))
    Person.objects.bulk_create(
        [
            Person(email=email, name=f"Bench {prefix} {i}", password=unusable, email_notifications="never")
            for i, email in enumerate(emails)
            if email not in existing
        ],
        batch_size=500,
    )
    persons = list(Person.objects.filter(email__in=emails).order_by("pk"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in persons],
        batch_size=500,
        ignore_conflicts=True,
    )
    Membership.objects.bulk_create(
        [Membership(person=p, organisation=org, role=role) for p in persons],
        batch_size=500,
        ignore_conflicts=True,
    )
    return persons


def session_key(person) -> str:
    """A signed-in Django session for ``person``, created directly in the session store.

    The key works both as the ``sessionid`` cookie (browser sockets) and as an allauth
    ``X-Session-Token`` (app clients), since allauth's app tokens are session keys.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.create()
    return store.session_key

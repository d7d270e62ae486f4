"""The notification service: one entry point for every capability that tells people things.

``notify`` stores in-app notifications, pushes them to the person's notification socket after
commit and, for people who asked for immediate e-mail, sends the e-mail after commit too. People on
the daily digest are e-mailed by ``manage.py send_digests``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from network.models import Notification
from network.realtime import person_group, send_now

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "network.notifications.unsubscribe"


def unsubscribe_token(person_id: int) -> str:
    return signing.dumps({"p": person_id}, salt=UNSUBSCRIBE_SALT)


def person_for_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(person_id: int) -> str:
    return settings.SITE_URL + reverse("network:unsubscribe", kwargs={"token": unsubscribe_token(person_id)})


def notify(
    recipients: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: Any = None,
) -> list[Notification]:
    """Tell each recipient (people, de-duplicated, never the actor) about something."""
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        if not person.is_active:
            continue
        seen.add(person.pk)
        people.append(person)
    notes = Notification.objects.bulk_create(
        [
            Notification(recipient=p, kind=kind, title=title[:300], body=body, url=url, actor=actor)
            for p in people
        ]
    )

    def deliver() -> None:
        for person, note in zip(people, notes, strict=True):
            send_now(
                person_group(person.pk),
                {"type": "notification.created", "notification": serialize(note)},
            )
            if person.email_notifications == person.EmailPreference.IMMEDIATE:
                _email_one(person, note)

    transaction.on_commit(deliver)
    return notes


def serialize(note: Notification) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "url": note.url,
        "created_at": note.created_at.isoformat() if note.created_at else None,
        "read": note.read_at is not None,
    }


def _email_one(person: Any, note: Notification) -> None:
    link = settings.SITE_URL + note.url if note.url.startswith("/") else note.url
    text = f"{note.title}\n\n{note.body}\n\n{link}\n\n--\nStop these e-mails: {unsubscribe_url(person.pk)}\n"
    try:
        send_mail(f"[Buyers Network] {note.title}", text, None, [person.email])
    except Exception:
        logger.warning("notification e-mail to person %s failed", person.pk, exc_info=True)
        return
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def mark_read(person: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.for_person(person).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())

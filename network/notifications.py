"""The notification service: one entry point for every capability that tells people things.

``notify`` stores in-app notifications, pushes them to the person's notification socket after
commit and, for people who asked for immediate e-mail, sends the e-mail after commit too. People on
the daily digest are e-mailed by ``manage.py send_digests`` (:func:`send_digests`).

Each person chooses a channel per category of notification (:mod:`network.notification_kinds`):
in-app only, immediate e-mail, daily digest or off. ``off`` stores nothing; the digest reads the
preferences when it is sent, so a change made in the afternoon applies to that evening's digest.

Every notification e-mail carries an unsubscribe link that works without signing in (a signed
token naming the person) and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers
(RFC 2369, RFC 8058 one-click), so mail clients offer their own unsubscribe button.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network import notification_kinds
from network.models import Notification, NotificationPreference
from network.notification_kinds import Channel
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
    """Tell each recipient (people, de-duplicated, never the actor) about something.

    Recipients who turned the kind's category off get nothing; the rest get the in-app note and,
    if their channel for the category is immediate e-mail, an e-mail after commit.
    """
    seen: set[int] = set()
    candidates = []
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        if not person.is_active:
            continue
        seen.add(person.pk)
        candidates.append(person)
    category = notification_kinds.category_of(kind)
    channels = channels_for(candidates, category)
    people = [p for p in candidates if channels[p.pk] != Channel.OFF]
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
            if channels[person.pk] == Channel.IMMEDIATE:
                _email_one(person, note)

    transaction.on_commit(deliver)
    return notes


def default_channel(person: Any) -> str:
    """The channel for a category the person has not set: their overall e-mail setting decides."""
    return {
        "immediate": Channel.IMMEDIATE,
        "daily": Channel.DIGEST,
        "never": Channel.IN_APP,
    }.get(person.email_notifications, Channel.IN_APP)


def channels_for(people: list[Any], category: str) -> dict[int, str]:
    """Each person's channel for ``category`` (one query for all of them)."""
    if not people:
        return {}
    chosen = dict(
        NotificationPreference.objects.filter(
            person_id__in=[p.pk for p in people], category=category
        ).values_list("person_id", "channel")
    )
    return {p.pk: chosen.get(p.pk) or default_channel(p) for p in people}


def preferences(person: Any) -> dict[str, str]:
    """The person's channel for every registered category, defaults filled in."""
    chosen = dict(
        NotificationPreference.objects.filter(person_id=person.pk).values_list("category", "channel")
    )
    fallback = default_channel(person)
    return {c.key: chosen.get(c.key, fallback) for c in notification_kinds.categories()}


class PreferenceError(ValueError):
    """Unknown categories or channels, by category: ``{category: message}``."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def set_preferences(person: Any, changes: dict[str, str]) -> dict[str, str]:
    """Set the channel of some categories; all-or-nothing (bad input changes nothing)."""
    known = {c.key for c in notification_kinds.categories()}
    errors: dict[str, str] = {}
    for category, channel in changes.items():
        if category not in known:
            errors[category] = _("Unknown notification category.")
        elif channel not in Channel.values:
            errors[category] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(Channel.values)}
    if errors:
        raise PreferenceError(errors)
    with transaction.atomic():
        for category, channel in changes.items():
            NotificationPreference.objects.update_or_create(
                person_id=person.pk, category=category, defaults={"channel": channel}
            )
    return preferences(person)


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


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def _message(person: Any, subject: str, text: str) -> EmailMessage:
    """A notification e-mail: the unsubscribe link in the text and in the List-Unsubscribe headers."""
    link = unsubscribe_url(person.pk)
    footer = (
        _("You get these e-mails because of your notification settings.")
        + "\n"
        + _("Stop these e-mails (no sign-in needed): %(url)s") % {"url": link}
    )
    settings_link = _absolute(reverse("network:notification_settings"))
    body = (
        f"{text.rstrip()}\n\n--\n{footer}\n" + _("Change how often: %(url)s") % {"url": settings_link} + "\n"
    )
    return EmailMessage(
        subject=f"[Buyers Network] {subject}",
        body=body,
        to=[person.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _email_one(person: Any, note: Notification) -> None:
    parts = [note.title, note.body, _absolute(note.url) if note.url else ""]
    text = "\n\n".join(p for p in parts if p)
    try:
        _message(person, note.title, text).send()
    except Exception:
        logger.warning("notification e-mail to person %s failed", person.pk, exc_info=True)
        return
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def digest_text(notes: list[Notification]) -> str:
    lines = [_("What happened in your network since yesterday:"), ""]
    for note in notes:
        lines.append(f"* {note.title}")
        if note.body:
            lines.append(f"  {note.body.strip()[:300]}")
        if note.url:
            lines.append(f"  {_absolute(note.url)}")
    lines += ["", _("All notifications: %(url)s") % {"url": _absolute(reverse("network:notifications"))}]
    return "\n".join(lines)


def send_digests(*, now: datetime | None = None, window: timedelta = timedelta(days=1)) -> int:
    """E-mail each person the un-e-mailed notifications of the last ``window`` in their digest categories.

    One message per person; the notifications are marked e-mailed in the same transaction, so a
    second run sends nothing (idempotent) and a failed send leaves them for the next run. Rows are
    claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two overlapping runs never
    send the same notification twice (SQLite serialises the transactions). Returns messages sent.
    """
    from members.models import Person

    now = now or timezone.now()
    since = now - window
    pending = Notification.objects.filter(emailed_at__isnull=True, created_at__gte=since, created_at__lte=now)
    people = Person.objects.filter(is_active=True, pk__in=pending.values("recipient_id")).order_by("pk")
    sent = 0
    for person in people.iterator():
        digest_categories = {c for c, ch in preferences(person).items() if ch == Channel.DIGEST}
        if not digest_categories:
            continue
        digest_kinds = [k for c in digest_categories for k in notification_kinds.kinds_of(c)]
        mine = pending.filter(recipient=person)
        if notification_kinds.OTHER not in digest_categories:
            mine = mine.filter(kind__in=digest_kinds)
        else:  # "other" holds every kind no category claims
            claimed = [
                k
                for c in notification_kinds.categories()
                if c.key not in digest_categories
                for k in notification_kinds.kinds_of(c.key)
            ]
            mine = mine.exclude(kind__in=claimed)
        try:
            with transaction.atomic():
                notes = list(mine.select_for_update(skip_locked=True).order_by("created_at", "pk"))
                if not notes:
                    continue
                count = len(notes)
                subject = _("Your daily digest: %(n)s new") % {"n": count}
                _message(person, subject, digest_text(notes)).send()
                Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=now)
                sent += 1
        except Exception:
            logger.warning("digest e-mail to person %s failed", person.pk, exc_info=True)
    return sent


def mark_read(person: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.for_person(person).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def mark_one_read(person: Any, pk: int) -> Notification:
    """Mark one of the person's own notifications read (another person's answers DoesNotExist)."""
    note = Notification.objects.for_person(person).get(pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


def set_email_preference(person: Any, preference: str) -> None:
    """Set the overall e-mail setting (the default of every category not set one by one).

    ``never`` (also what the unsubscribe link sets) stops every e-mail: categories set to immediate
    e-mail or digest fall back to in-app only, so unsubscribing really unsubscribes.
    """
    if preference not in person.EmailPreference.values:
        raise ValueError(preference)
    with transaction.atomic():
        person.email_notifications = preference
        person.save(update_fields=["email_notifications"])
        if preference == person.EmailPreference.NEVER:
            NotificationPreference.objects.filter(
                person_id=person.pk, channel__in=[Channel.IMMEDIATE, Channel.DIGEST]
            ).update(channel=Channel.IN_APP)

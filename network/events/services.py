"""Writes about events: create/update, register, confirm guests, cancel, promote, outcomes.

Capacity is enforced inside one transaction that first locks the event row
(``select_for_update``): on PostgreSQL concurrent registrations for the same event queue on that
lock and each counts the confirmed places after the previous one committed, so the event is never
over-booked. SQLite has no row locks, but the project opens every transaction with ``BEGIN
IMMEDIATE`` (settings), which serialises writers the same way. Locks are always taken event first,
then registration, so two writers never deadlock.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership, Organisation, WorkingGroup
from network import capabilities, markdown, ratelimit, sharing, validation, visibility
from network.events import cohosts, selectors
from network.events.models import Event, EventOutcome, Registration, join_audience
from network.notifications import notify
from network.slugs import unguessable_slug

logger = logging.getLogger(__name__)
GUEST_CANCEL_SALT = "network.events.guest-cancel"

#: Fields of the event row an edit replaces (the links: ``co_hosts``, ``shared_groups``, ``cpv_codes``).
EDITABLE_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "time_zone",
    "place",
    "online_url",
    "audience",
    "capacity",
    "registration_open",
    "status",
    "visibility",
    "working_group",
)


@dataclass
class EventData:
    """An event as a write gives it: the page's form, the API and the demo loader build one. The
    rules (times, place or link, time zone, audience, capacity) live on :class:`Event` and run once
    here. ``co_hosts``, ``shared_groups`` and ``cpv_codes`` as ``None`` leave them as they are."""

    title: str = ""
    starts_at: Any = None
    ends_at: Any = None
    time_zone: str = "Europe/Helsinki"
    description: str = ""
    place: str = ""
    online_url: str = ""
    audience: Any = ()
    capacity: int | None = None
    registration_open: bool = True
    status: str = Event.Status.SCHEDULED
    visibility: str = visibility.Visibility.NETWORK
    working_group: WorkingGroup | None = None
    co_hosts: list[Organisation] | None = None
    shared_groups: list[WorkingGroup] | None = None
    cpv_codes: list[str] | None = None
    slug: str = ""

    @classmethod
    def of(cls, event: Event) -> EventData:
        """What ``event`` holds now: a partial edit (the API's PATCH) replaces some of it."""
        values = {name: getattr(event, name) for name in EDITABLE_FIELDS}
        values["audience"] = event.audience_list
        return cls(**values)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> EventData:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def with_changes(self, changes: dict[str, Any]) -> EventData:
        return replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})


# --- events -----------------------------------------------------------------------------------


def _unique_slug(title: str, starts_at) -> str:
    """Title and date plus a random part: never a hint about another organisation's events."""
    return unguessable_slug(f"{title} {starts_at:%Y-%m-%d}", model=Event, fallback="event", max_length=120)


def _apply(event: Event, data: EventData) -> None:
    for name in EDITABLE_FIELDS:
        setattr(event, name, getattr(data, name))
    event.title = (data.title or "").strip()
    event.audience = join_audience(data.audience or ())
    event.description_html = markdown.render(event.description or "")


def _validate(
    person: Any, event: Event, data: EventData, *, group_changed: bool, stored: dict[str, Any] | None = None
) -> tuple[list[Any] | None, list[Any] | None]:
    """The event's own rules (``Event.full_clean``) with the working group, CPV codes and the
    groups it is shared with, every problem reported together. ``stored``: an update's values
    before it (a rule broken by a value kept as stored is a state rule)."""
    errors: dict[str, list[str]] = {}
    shared = sharing.resolve(event, data.shared_groups, errors)
    group = data.working_group
    if group_changed and group is not None and group.pk not in visibility.viewer_for(person).group_ids:
        # membership is state: the same request succeeds once the organisation joins (409)
        errors["working_group"] = [
            validation.conflicting(_("Your organisation is not a member of this working group."))
        ]
    codes = None
    if data.cpv_codes is not None:
        from knowledge.cpv import validate_cpv_codes

        try:
            codes = validate_cpv_codes(list(data.cpv_codes))
        except ValidationError as exc:
            errors["cpv_codes"] = exc.messages
    validation.full_clean(
        event, exclude=["slug", "working_group"], errors=errors, constraints=False, stored=stored
    )
    return codes, shared


def _set_links(
    person: Any, event: Event, data: EventData, codes: list[Any] | None, shared: list[Any] | None
) -> None:
    if data.co_hosts is not None:
        cohosts.sync_co_hosts(person=person, event=event, wanted=data.co_hosts)
    if codes is not None:
        event.cpv_codes.set(codes)
    if shared is not None:
        event.shared_groups.set(shared)


@transaction.atomic
def event_create(*, person: Any, organisation: Organisation, data: EventData) -> Event:
    """Create an event led by ``organisation`` (the person must be one of its editors)."""
    if not visibility.can_create_in(person, organisation):
        raise PermissionDenied(_("Only editors of the organisation can create its events."))
    event = Event(organisation=organisation, created_by=person if getattr(person, "pk", None) else None)
    _apply(event, data)
    codes, shared = _validate(person, event, data, group_changed=True)
    event.slug = data.slug or _unique_slug(event.title, event.starts_at)
    event.save()
    event.hosts.set({organisation})
    _set_links(person, event, data, codes, shared)
    return event


@transaction.atomic
def event_update(*, person: Any, event: Event, data: EventData) -> Event:
    """Change an event (hosts only; ``EventData.of(event)`` keeps what is not changed). More places
    promote people from the waiting list; refused input changes nothing."""
    if not selectors.is_host(person, event):
        raise PermissionDenied(_("Only the hosts can change this event."))
    locked = Event.objects.select_for_update().get(pk=event.pk)
    was_cancelled, group_before = locked.is_cancelled, locked.working_group_id
    stored = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    _apply(locked, data)
    codes, shared = _validate(
        person, locked, data, group_changed=locked.working_group_id != group_before, stored=stored
    )
    locked.sequence += 1
    locked.save()
    _set_links(person, locked, data, codes, shared)
    if locked.is_cancelled and not was_cancelled:
        _tell_registrants_cancelled(locked, actor=person)
    elif not locked.is_cancelled:
        _fill_places(locked)
    return locked


def _tell_registrants_cancelled(event: Event, *, actor: Any) -> None:
    active = list(event.registrations.active().select_related("person"))
    notify(
        [r.person for r in active if r.person_id],
        kind="event.cancelled",
        title=_("Cancelled: %(title)s") % {"title": event.title},
        body=_("The hosts cancelled this event."),
        url=event.get_absolute_url(),
        actor=actor,
    )
    for reg in active:
        if reg.is_guest and reg.status != Registration.Status.PENDING:
            _mail_guest(
                reg,
                _("Cancelled: %(title)s") % {"title": event.title},
                _("The hosts cancelled “%(title)s”. We are sorry for the inconvenience.")
                % {"title": event.title},
            )


# --- registration -----------------------------------------------------------------------------


def _seat(event: Event) -> tuple[str, int | None]:
    """Status and waiting-list position for a new confirmed registrant. Call with the event locked."""
    if event.capacity is None or event.registrations.confirmed().count() < event.capacity:
        return Registration.Status.CONFIRMED, None
    last = event.registrations.aggregate(m=Max("position"))["m"] or 0
    return Registration.Status.WAITLISTED, last + 1


def _check_takes_registrations(event: Event) -> None:
    if event.is_cancelled:
        raise ValidationError(_("This event has been cancelled."))
    if event.is_past:
        raise ValidationError(_("This event is over."))
    if not event.registration_open:
        raise ValidationError(_("Registration for this event is closed."))


def registration_register(
    *, person: Any, event: Event, organisation: Organisation | None = None
) -> Registration:
    """Register a signed-in member (idempotent: a second call returns the same registration)."""
    if person is None or not getattr(person, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to register."))
    if not selectors.can_read_event(person, event):
        raise PermissionDenied
    if organisation is None:
        membership = Membership.objects.filter(person=person).select_related("organisation").first()
        organisation = membership.organisation if membership else None
    elif organisation.pk not in visibility.viewer_for(person).organisation_ids:
        raise ValidationError({"organisation": _("You can only register for your own organisation.")})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        existing = locked.registrations.active().filter(person=person).first()
        if existing is not None:
            return existing
        _check_takes_registrations(locked)
        status, position = _seat(locked)
        registration = Registration.objects.create(
            event=locked,
            person=person,
            organisation=organisation,
            status=status,
            position=position,
            confirmed_at=timezone.now() if status == Registration.Status.CONFIRMED else None,
        )
        _tell_creator(locked, registration, actor=person)
    return registration


def _tell_creator(event: Event, registration: Registration, *, actor: Any) -> None:
    if event.created_by_id is None:
        return
    notify(
        [event.created_by],
        kind="event.registration",
        title=_("%(name)s registered for %(title)s")
        % {"name": registration.display_name, "title": event.title},
        url=reverse("events:attendees", kwargs={"slug": event.slug}),
        actor=actor,
    )


def registration_cancel(*, registration: Registration, by: Any = None) -> Registration:
    """Cancel a registration (idempotent) and give any freed place to the waiting list, in order."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=registration.event_id)
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status == Registration.Status.CANCELLED:
            return reg
        reg.status = Registration.Status.CANCELLED
        reg.position = None
        reg.token_hash = None
        reg.cancelled_at = timezone.now()
        reg.save(update_fields=["status", "position", "token_hash", "cancelled_at"])
        _fill_places(locked)
    return reg


def registration_cancel_for(*, person: Any, event: Event) -> Registration | None:
    """A member cancels their own place; returns the cancelled registration or None."""
    reg = selectors.registration_of(person, event)
    if reg is None:
        return None
    return registration_cancel(registration=reg, by=person)


def registration_remove(*, person: Any, registration: Registration) -> Registration:
    """A host takes someone off the list."""
    if not selectors.is_host(person, registration.event):
        raise PermissionDenied
    return registration_cancel(registration=registration, by=person)


def _fill_places(event: Event) -> list[Registration]:
    """Promote the first on the waiting list while places are free. Call with the event locked."""
    waiting = event.registrations.waitlisted()
    if event.capacity is None:
        free = waiting.count()
    else:
        free = event.capacity - event.registrations.confirmed().count()
    if free <= 0:
        return []
    promoted = list(waiting.select_related("person")[:free])
    now = timezone.now()
    for reg in promoted:
        reg.status = Registration.Status.CONFIRMED
        reg.position = None
        reg.confirmed_at = now
        reg.save(update_fields=["status", "position", "confirmed_at"])
    title = _("You have a place at %(title)s") % {"title": event.title}
    body = _("A place became free and you were first on the waiting list. See you there!")
    notify(
        [r.person for r in promoted if r.person_id],
        kind="event.promoted",
        title=title,
        body=body,
        url=event.get_absolute_url(),
    )
    for reg in promoted:
        if reg.is_guest:
            _mail_guest(reg, title, body)
    return promoted


# --- guests -----------------------------------------------------------------------------------


def guest_cancel_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=GUEST_CANCEL_SALT)


def registration_for_guest_cancel_token(token: str) -> Registration | None:
    try:
        pk = int(signing.loads(token, salt=GUEST_CANCEL_SALT)["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return Registration.objects.filter(pk=pk, person__isnull=True).select_related("event").first()


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _mail_guest(registration: Registration, subject: str, text: str, *, with_cancel: bool = True) -> None:
    """E-mail a guest after commit (a failed send is logged; the registration stands)."""
    event = registration.event
    lines = [text, "", _absolute(event.get_absolute_url())]
    if with_cancel:
        cancel = _absolute(reverse("events:guest_cancel", kwargs={"token": guest_cancel_token(registration)}))
        lines += ["", _("Cannot come? Cancel your place: %(url)s") % {"url": cancel}]
    body = "\n".join(lines) + "\n"
    recipient = registration.guest_email

    def send() -> None:
        try:
            send_mail(f"[Buyers Network] {subject}", body, None, [recipient])
        except Exception:
            logger.warning("event e-mail to guest registration %s failed", registration.pk, exc_info=True)

    transaction.on_commit(send)


#: Guest registrations (anonymous, and each sends an e-mail) are limited per client address, per
#: e-mail address and per event; override in settings as ``EVENTS_GUEST_LIMITS``.
GUEST_LIMITS = {
    "client": (10, 3600),  # registrations started from one address an hour
    "email": (5, 24 * 3600),  # e-mails to one address a day, all events together
    "event": (100, 3600),  # guest registrations started at one event an hour
}
#: While a confirmation is pending, asking again within this time sends no second e-mail.
GUEST_RESEND_SECONDS = 15 * 60


def _guest_limits() -> dict[str, tuple[int, int]]:
    return {**GUEST_LIMITS, **getattr(settings, "EVENTS_GUEST_LIMITS", {})}


def _check_guest_limits(*, event: Event, email: str, client: str) -> None:
    """Refuse before anything is stored or sent; each limit counts the attempt."""
    limits = _guest_limits()
    checks = [("event", f"guest:event:{event.pk}")]
    if client:
        checks.insert(0, ("client", f"guest:client:{client}"))
    for name, key in checks:
        limit, seconds = limits[name]
        if not ratelimit.hit(key, limit=limit, seconds=seconds):
            raise ratelimit.RateLimited(_("Too many guest registrations; please try again later."))


def _count_guest_mail(email: str) -> None:
    """Count one e-mail to ``email`` (all events together); refuse past the daily limit."""
    limit, seconds = _guest_limits()["email"]
    if not ratelimit.hit(f"guest:email:{email}", limit=limit, seconds=seconds):
        raise ratelimit.RateLimited(_("Too many e-mails to this address; please try again later."))


def guest_registration_start(
    *, event: Event, name: str, email: str, organisation_name: str = "", client: str = ""
) -> tuple[Registration, str | None]:
    """An external guest asks for a place at a public event; they confirm by an e-mailed link.

    Returns the registration and the new token (None when they were already registered, in which
    case they get a reminder instead, or when a confirmation was sent moments ago). The web answer
    is the same either way, so the form does not reveal who registered.

    Anyone can ask, and each request e-mails the address given, so requests are limited per client
    address (``client``, as :mod:`network.client_ip` derives it), per e-mail address and per event
    (:class:`network.ratelimit.RateLimited`), and one pending confirmation per address and event is
    mailed at most once per ``GUEST_RESEND_SECONDS``.
    """
    if not capabilities.guests_may_register(event):
        raise PermissionDenied(_("Guests can only register for public events."))
    email = (email or "").strip().lower()
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Please give your name.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Please give a valid e-mail address.")]
    if errors:
        raise ValidationError(errors)
    _check_guest_limits(event=event, email=email, client=client)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        _check_takes_registrations(locked)
        reg = locked.registrations.active().filter(guest_email=email).first()
        if reg is not None and ratelimit.seen_recently(
            f"guest:sent:{locked.pk}:{email}", seconds=GUEST_RESEND_SECONDS
        ):
            return reg, None  # one pending confirmation (or reminder) per address and event at a time
        if reg is not None and reg.status != Registration.Status.PENDING:
            _count_guest_mail(email)
            _mail_guest(
                reg,
                _("You are registered for %(title)s") % {"title": locked.title},
                _("You are already on the list for “%(title)s” (%(status)s).")
                % {"title": locked.title, "status": reg.get_status_display()},
            )
            return reg, None
        if reg is None:
            reg = Registration(event=locked, guest_email=email, status=Registration.Status.PENDING)
        reg.guest_name = name
        reg.guest_organisation = organisation_name.strip()
        reg.token_hash = Registration.hash_token(token)
        reg.full_clean(exclude=["event", "person", "organisation", "token_hash"])
        reg.save()
        _count_guest_mail(email)
        ratelimit.seen_recently(f"guest:sent:{locked.pk}:{email}", seconds=GUEST_RESEND_SECONDS)
        link = _absolute(reverse("events:guest_confirm", kwargs={"token": token}))
        _mail_guest(
            reg,
            _("Confirm your place at %(title)s") % {"title": locked.title},
            _(
                "Please confirm your registration for “%(title)s” by opening this link (it works once):\n%(link)s"
            )
            % {"title": locked.title, "link": link},
            with_cancel=False,
        )
    return reg, token


def guest_registration_for_token(token: str) -> Registration | None:
    """The pending registration a confirmation token belongs to (None if unknown or used)."""
    return (
        Registration.objects.filter(
            token_hash=Registration.hash_token(token), status=Registration.Status.PENDING
        )
        .select_related("event")
        .first()
    )


def guest_registration_confirm(*, token: str) -> Registration | None:
    """Use a confirmation token: once only. Returns None for an unknown or already used token."""
    pending = guest_registration_for_token(token)
    if pending is None:
        return None
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=pending.event_id)
        reg = Registration.objects.select_for_update().get(pk=pending.pk)
        if reg.status != Registration.Status.PENDING or reg.token_hash != Registration.hash_token(token):
            return None  # used by a concurrent request
        _check_takes_registrations(locked)
        status, position = _seat(locked)
        reg.status, reg.position, reg.token_hash = status, position, None
        reg.confirmed_at = timezone.now()
        reg.save(update_fields=["status", "position", "token_hash", "confirmed_at"])
        reg.event = locked
        _mail_guest(
            reg,
            _("Your place at %(title)s") % {"title": locked.title},
            _("You are confirmed for “%(title)s”.") % {"title": locked.title}
            if status == Registration.Status.CONFIRMED
            else _(
                "The event is full: you are on the waiting list for “%(title)s”. We will e-mail you if a place frees up."
            )
            % {"title": locked.title},
        )
        _tell_creator(locked, reg, actor=None)
    return reg


# --- outcomes ---------------------------------------------------------------------------------


def outcome_add(*, person: Any, event: Event, kind: str, object_ref: str, note: str = "") -> EventOutcome:
    """Hosts link a lesson, statement or thread that came from the event (one they can read)."""
    if not selectors.is_host(person, event):
        raise PermissionDenied(_("Only the hosts can add outcomes."))
    if kind not in EventOutcome.Kind.values:
        raise ValidationError({"kind": _("Choose a lesson, a statement or a thread.")})
    object_ref = (object_ref or "").strip()
    obj = selectors.resolve_object(person, kind, object_ref)
    if obj is None:
        raise ValidationError({"object_ref": _("No such item that you can read.")})
    ref = getattr(obj, "slug", None) or str(obj.pk)
    outcome, _created = EventOutcome.objects.get_or_create(
        event=event, kind=kind, object_ref=ref, defaults={"note": note.strip()[:500], "added_by": person}
    )
    return outcome


def outcome_remove(*, person: Any, outcome: EventOutcome) -> None:
    if not selectors.is_host(person, outcome.event):
        raise PermissionDenied
    outcome.delete()

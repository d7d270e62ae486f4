"""Market dialogue events: co-hosted events, registrations with a waiting list, and outcomes.

An event is owned by its lead host (``organisation``, the tenant) and may be co-hosted by other
organisations (``hosts`` always includes the lead). Reads follow the visibility policy of
:mod:`network.visibility`, widened only so that editors of a co-host can read the event they
co-host (:meth:`EventQuerySet.visible_to`).
"""

from __future__ import annotations

import functools
import hashlib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network import validation
from network.visibility import TenantOwned, VisibleQuerySet


class Audience(models.TextChoices):
    BUYERS = "buyers", _("Public buyers")
    SUPPLIERS = "suppliers", _("Suppliers")
    RESELLERS = "resellers", _("Resellers")
    CIVIL_SOCIETY = "civil_society", _("Civil society")


def validate_time_zone(value: str) -> None:
    """An IANA time zone name (``Europe/Helsinki``); the event's times are shown in it."""
    if not value or value not in time_zone_names():
        raise ValidationError(_("“%(tz)s” is not a known time zone."), params={"tz": value}, code="invalid")


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA names this server can load, sorted (the API lists them as the field's choices)."""

    def loads(name: str) -> bool:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return False
        return True

    # "localtime" is this machine's own setting and "Factory" no place: not names to publish
    names = (available_timezones() | {"UTC"}) - {"localtime", "posixrules", "Factory"}
    return tuple(sorted(name for name in names if loads(name)))


def validate_audience(value: str) -> None:
    allowed = set(Audience.values)
    for item in split_audience(value):
        if item not in allowed:
            raise ValidationError(_("“%(a)s” is not an audience."), params={"a": item}, code="invalid")


def split_audience(value: str) -> list[str]:
    return [a for a in (value or "").split(",") if a]


def join_audience(values) -> str:
    """Canonical storage: the chosen audiences in declaration order, comma-separated. An unknown
    value is kept (last), so the field's validator names it instead of it being dropped unseen."""
    chosen = [str(v) for v in values or []]
    unknown = [v for v in dict.fromkeys(chosen) if v not in Audience.values]
    return ",".join([a for a in Audience.values if a in chosen] + unknown)


class EventQuerySet(VisibleQuerySet):
    def upcoming(self) -> EventQuerySet:
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")

    def for_audience(self, audience: str) -> EventQuerySet:
        return self.filter(audience__regex=rf"(^|,){audience}(,|$)")


class Event(TenantOwned):
    """A market dialogue event (or webinar, workshop...) hosted by one or more organisations."""

    # Members of every co-host read the event, not only the lead host's.
    visibility_co_owners = "hosts"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    hosts = models.ManyToManyField(
        "members.Organisation",
        related_name="hosted_events",
        verbose_name=_("hosts"),
        help_text=_("Co-hosting organisations; the lead host is always one of them."),
    )
    working_group = models.ForeignKey(
        "members.WorkingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("working group"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    description_html = models.TextField(editable=False, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), db_index=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Helsinki", validators=[validate_time_zone]
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    audience = models.CharField(
        _("audience"),
        max_length=100,
        blank=True,
        validators=[validate_audience],
        help_text=_("Who is invited."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Empty for unlimited places."),
        validators=[MinValueValidator(1)],
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("Give the number of places (1 or more), or leave it empty."),
        ),
    )
    cpv_codes = models.ManyToManyField(
        "knowledge.CpvCode",
        blank=True,
        related_name="events",
        verbose_name=_("CPV codes"),
        help_text=_("What the market dialogue is about, so suppliers following a CPV division find it."),
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def audience_list(self) -> list[str]:
        return split_audience(self.audience)

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels.get(a, a)) for a in self.audience_list]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    #: The rules across fields, declared once: :meth:`clean` checks them, the API schema states them
    #: (the check constraint on the times is the database's guard).
    FIELD_RULES = (
        validation.Ordered(
            "starts_at", "ends_at", strict=True, message=_("The event must end after it starts.")
        ),
        validation.AnyOf(("place", "online_url"), message=_("Give a place, an online link or both.")),
    )

    def clean(self) -> None:
        errors = validation.broken_rules(self, self.FIELD_RULES)
        if errors:
            raise ValidationError(errors)


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.CONFIRMED)

    def waitlisted(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.WAITLISTED).order_by("position", "pk")


class Registration(models.Model):
    """A place at an event, for a member (``person``) or an external guest (name + e-mail)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        PENDING = "pending_confirmation", _("Waiting for e-mail confirmation")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    guest_name = models.CharField(_("name"), max_length=150, blank=True)
    guest_email = models.EmailField(_("e-mail address"), blank=True)
    guest_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, db_index=True)
    position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Waiting-list order (ascending); empty unless waitlisted."
    )
    #: SHA-256 of the guest's confirmation token; cleared when used, so a link works once.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(person__isnull=False) & ~Q(status="cancelled"),
                name="one_active_registration_per_person",
            ),
            models.UniqueConstraint(
                fields=["event", "guest_email"],
                condition=~Q(guest_email="") & ~Q(status="cancelled"),
                name="one_active_registration_per_guest_email",
            ),
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(guest_email=""))
                | (Q(person__isnull=True) & ~Q(guest_email="")),
                name="registration_person_xor_guest",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "position"])]

    def __str__(self) -> str:
        return f"{self.display_name} → {self.event} ({self.status})"

    @property
    def is_guest(self) -> bool:
        return self.person_id is None

    @property
    def display_name(self) -> str:
        if self.person_id:
            return self.person.display_name
        return self.guest_name or self.guest_email

    @property
    def email(self) -> str:
        return self.person.email if self.person_id else self.guest_email

    @property
    def organisation_name(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        return self.guest_organisation

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class EventOutcome(models.Model):
    """Something that came out of an event: a lesson learned, a statement or a forum thread.

    Stored as a reference (kind + slug or id); always rendered through the visibility policy, so
    an outcome never reveals an object the viewer cannot read (see ``selectors.outcomes_for``).
    """

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson learned")
        STATEMENT = "statement", _("Joint statement")
        THREAD = "thread", _("Forum thread")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    object_ref = models.CharField(_("slug or id"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event outcome")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "object_ref"], name="one_outcome_per_object")
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.kind} {self.object_ref}"


class CoHostInvitation(models.Model):
    """An organisation named as co-host, and its answer. ``Event.hosts`` holds only accepted hosts.

    Naming a co-host puts its name on an event and gives its editors control of it, so it needs the
    organisation's consent: until one of its owners or admins accepts, it is not a host anywhere
    (page, API, feeds, iCalendar), its members get no edit rights and cannot read a private event.
    One row per (event, organisation): a re-invitation after a decline reopens the same row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn by the hosts")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cohost_invitations")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="cohost_invitations"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("co-host invitation")
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"], name="one_cohost_invitation_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.event_id} ({self.status})"

"""Organisations (the tenants), people, memberships with roles, invitations and working groups."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from network.categories import validate_volumes
from network.visibility import EDITOR_ROLES, MANAGER_ROLES, SIGNATORY_ROLES, Role


class PersonManager(BaseUserManager):
    """People log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> Person:
        if not email:
            raise ValueError("An e-mail address is required.")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_user(self, email: str, password: str | None = None, **extra) -> Person:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> Person:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Person(AbstractUser):
    """Someone who signs in. Network staff are Django staff users."""

    class EmailPreference(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")
        NEVER = "never", _("Never")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    email_notifications = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=EmailPreference.choices,
        default=EmailPreference.IMMEDIATE,
    )
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("Set when the person erased their account.")
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        if self.erased_at:
            return str(_("a former member"))
        return self.name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.display_name


class Organisation(models.Model):
    """A tenant: a public buyer (city, region, agency...) that owns content and signs statements."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        CENTRAL_PURCHASING_BODY = "central_purchasing_body", _("Central purchasing body")
        NATIONAL_AGENCY = "national_agency", _("National agency")
        HOSPITAL = "hospital", _("Hospital")
        UNIVERSITY = "university", _("University")
        OTHER = "other", _("Other")

    #: Unique (ignoring case) among verified organisations only: two unverified claims may share a
    #: name, so refusing a name never confirms a hidden organisation (see members.services).
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.MUNICIPALITY)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    verified = models.BooleanField(_("verified"), default=False, help_text=_("Set by network staff only."))
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_domains = models.JSONField(
        _("verified e-mail domains"), default=list, blank=True, help_text=_("Set by network staff only.")
    )
    people_served = models.PositiveIntegerField(
        _("people served"), null=True, blank=True, help_text=_("e.g. employees using the ICT bought")
    )
    annual_volumes = models.JSONField(
        _("annual ICT volumes"),
        default=dict,
        blank=True,
        validators=[validate_volumes],
        help_text=_(
            "Units bought a year per category (laptops, desktops, monitors, phones, tablets, servers)."
        ),
    )
    cpv_interests = models.JSONField(
        _("CPV interests"), default=list, blank=True, help_text=_("CPV code prefixes the organisation buys.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(verified=True),
                name="organisation_verified_name_ci_unique",
                violation_error_message=_("A verified organisation already has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:organisation", kwargs={"slug": self.slug})

    def clean(self) -> None:
        domains = []
        for domain in self.verified_domains or []:
            domain = str(domain).strip().lower().lstrip("@")
            if not domain or "." not in domain or " " in domain:
                raise ValidationError(
                    {"verified_domains": _("“%(d)s” is not an e-mail domain.") % {"d": domain}}
                )
            domains.append(domain)
        self.verified_domains = sorted(set(domains))


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        ordering = ["organisation__name", "person__email"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation} ({self.role})"


def _invitation_key() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    key = models.CharField(max_length=64, unique=True, default=_invitation_key, editable=False)
    invited_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def status_display(self) -> str:
        """The status for people, translated."""
        return {
            "accepted": _("Accepted"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "pending": _("Pending"),
        }[self.status]


class WorkingGroup(models.Model):
    """Organisations working together on a theme (e.g. ethical procurement of ICT)."""

    class Visibility(models.TextChoices):
        NETWORK = "network", _("Network")
        PUBLIC = "public", _("Public")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.NETWORK
    )
    conveners = models.ManyToManyField(
        Organisation, related_name="convened_groups", verbose_name=_("conveners")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("working group")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("members:working_group", kwargs={"slug": self.slug})


class GroupMembership(models.Model):
    """An organisation's membership of a working group: requested, then approved by a convener."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="group_memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group__name", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["group", "organisation"], name="one_group_membership")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.group} ({self.status})"


from members.privacy.models import DataExport  # noqa: E402  (registered with the members app)
from members.sso.models import IdentityProvider  # noqa: E402  (registered with the members app)

__all__ = [
    "EDITOR_ROLES",
    "MANAGER_ROLES",
    "SIGNATORY_ROLES",
    "DataExport",
    "GroupMembership",
    "IdentityProvider",
    "Invitation",
    "Membership",
    "Organisation",
    "Person",
    "Role",
    "WorkingGroup",
]

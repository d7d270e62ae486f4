"""Joint statements of demand, their versions, signatures, audit trail and idempotency records.

A statement is drafted by its issuers, opened for signature (it becomes public), and closed. Its
text is versioned once published: every signature records the version it signed. The rule "one
active signature per organisation and statement" is a partial unique index in the database, so
it holds under concurrency, not only in code. Versions and audit entries are immutable: they have
no update or delete path in the ORM.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network import validation
from network.categories import DeviceCategory, validate_volumes
from network.visibility import TenantOwned, VisibleQuerySet


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for signature")
    CLOSED = "closed", _("Closed")


PUBLISHED_STATUSES = (StatementStatus.OPEN, StatementStatus.CLOSED)


def open_now_q(prefix: str = "") -> Q:
    """Open for signature today: status ``open`` and the closing date (if any) not yet passed.

    The stored status lags behind the calendar until ``manage.py close_statements`` runs; every
    read that asks "is it open?" uses this instead of ``status="open"``.
    """
    today = timezone.localdate()
    return Q(**{f"{prefix}status": StatementStatus.OPEN}) & (
        Q(**{f"{prefix}closes_on__isnull": True}) | Q(**{f"{prefix}closes_on__gte": today})
    )


def closed_now_q(prefix: str = "") -> Q:
    """Closed today: stored as closed, or open with a closing date that has passed."""
    return Q(**{f"{prefix}status": StatementStatus.CLOSED}) | (
        Q(**{f"{prefix}status": StatementStatus.OPEN}) & Q(**{f"{prefix}closes_on__lt": timezone.localdate()})
    )


class StatementQuerySet(VisibleQuerySet):
    def open_now(self) -> StatementQuerySet:
        return self.filter(open_now_q())

    def with_status(self, status: str) -> StatementQuerySet:
        """Filter by the status as it is today (computed), not as last stored."""
        if status == StatementStatus.OPEN:
            return self.filter(open_now_q())
        if status == StatementStatus.CLOSED:
            return self.filter(closed_now_q())
        return self.filter(status=status)

    def past_closing_date(self) -> StatementQuerySet:
        """Stored as open although the closing date has passed: what ``close_statements`` persists."""
        return self.filter(status=StatementStatus.OPEN, closes_on__lt=timezone.localdate())

    def with_signature_count(self) -> StatementQuerySet:
        return self.annotate(
            signature_count=Count(
                "signatures", filter=Q(signatures__withdrawn_at__isnull=True), distinct=True
            )
        )

    def open_first(self) -> StatementQuerySet:
        order = Case(
            When(open_now_q(), then=Value(0)),
            When(status=StatementStatus.DRAFT, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return self.annotate(status_order=order).order_by("status_order", "-opened_at", "-created_at")


class Statement(TenantOwned):
    """A joint statement of demand. ``organisation`` is the lead issuer; ``issuers`` includes it."""

    visibility_public_when = Q(status__in=[StatementStatus.OPEN, StatementStatus.CLOSED])
    # Every issuing organisation reads (and opens) a draft it issues, not only the lead issuer.
    visibility_co_owners = "issuers"

    issuers = models.ManyToManyField(
        "members.Organisation", related_name="issued_statements", verbose_name=_("issuing organisations")
    )
    working_group = models.ForeignKey(
        "members.WorkingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("working group"),
    )
    title = models.CharField(
        _("title"), max_length=200, error_messages={"blank": _("Give the statement a title.")}
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(
        _("summary"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    body = models.TextField(
        _("text"), help_text=_("Markdown."), error_messages={"blank": _("Write the text of the statement.")}
    )
    body_html = models.TextField(editable=False, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StatementStatus.choices,
        default=StatementStatus.DRAFT,
        db_index=True,
    )
    current_version = models.ForeignKey(
        "statements.StatementVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint statement of demand")
        verbose_name_plural = _("joint statements of demand")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="statement_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title

    #: The dates' rule, said of the closing date, declared once: :meth:`clean` checks it, the API
    #: schema states it (the check constraint is the database's guard).
    FIELD_RULES = (
        validation.Ordered(
            "opens_on",
            "closes_on",
            strict=False,
            message=_("The closing date must be on or after the opening date."),
        ),
    )

    def clean(self) -> None:
        errors = validation.broken_rules(self, self.FIELD_RULES)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Statement:
        """Status is computed on read: an open statement whose closing date has passed reads closed.

        Every surface (pages, API, feeds, signing) therefore sees the same answer the day after the
        closing date, before ``manage.py close_statements`` persists it, audits it and tells the
        issuers. ``expired_on_read`` marks such a row so services that lock it persist it properly.
        """
        obj = super().from_db(db, field_names, values)
        closes_on = obj.__dict__.get("closes_on")
        if (
            obj.__dict__.get("status") == StatementStatus.OPEN
            and closes_on is not None
            and closes_on < timezone.localdate()
        ):
            obj.status = StatementStatus.CLOSED
            obj.expired_on_read = True
        return obj

    expired_on_read = False

    def get_absolute_url(self) -> str:
        return reverse("statements:detail", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.status == StatementStatus.OPEN

    @property
    def published_on(self) -> Any:
        """The day the issuers opened it and it became public (None for a draft)."""
        return timezone.localdate(self.opened_at) if self.opened_at else None

    @property
    def signing_opens_on(self) -> Any:
        """The first day signatures are accepted: the opening date, or publication if later."""
        published = self.published_on
        if published is None:
            return self.opens_on
        return max(published, self.opens_on) if self.opens_on else published

    @property
    def signing_not_yet_open(self) -> bool:
        opens = self.signing_opens_on
        return opens is not None and opens > timezone.localdate()

    @property
    def closed_on(self) -> Any:
        """The day signing ended, for a closed statement: its closing date, else when it was closed."""
        if self.status != StatementStatus.CLOSED:
            return None
        if self.closes_on and (
            self.closed_at is None or self.closes_on <= timezone.localdate(self.closed_at)
        ):
            return self.closes_on
        return timezone.localdate(self.closed_at) if self.closed_at else self.closes_on

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES


class Demand(models.Model):
    """One numbered demand of a statement: what the signatories ask of the market."""

    visibility_parent = "statement"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="demands")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(
        _("demand"),
        max_length=2000,
        validators=[MaxLengthValidator(2000, message=_("At most 2,000 characters."))],
        error_messages={"blank": _("Write the demand.")},
    )
    category = models.CharField(
        _("device category"),
        max_length=20,
        choices=DeviceCategory.choices,
        blank=True,
        error_messages={"invalid_choice": _("Choose a device category from the list.")},
    )
    cpv_code = models.CharField(
        _("CPV code"), max_length=10, blank=True, help_text=_("e.g. 32250000-0 for mobile telephones.")
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="one_demand_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "text": self.text,
            "category": self.category,
            "cpv_code": self.cpv_code,
        }


class ImmutableQuerySet(VisibleQuerySet):
    """A queryset with no bulk update or delete: the rows it holds are a record."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} rows are immutable.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are immutable.")

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class ImmutableModel(models.Model):
    """Rows are inserted once and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__} rows are immutable.")


class StatementVersion(ImmutableModel):
    """The published text of a statement at one point: what a signatory signed."""

    visibility_parent = "statement"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"))
    demands = models.JSONField(_("demands"), default=list)
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement version")
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="one_statement_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} v{self.number}"


class SignatureQuerySet(VisibleQuerySet):
    def active(self) -> SignatureQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Signature(models.Model):
    """An organisation's signature, given by one of its signatories, on one version of a statement.

    Withdrawal keeps the row (who, when, why); the organisation may sign again later, which adds a
    new row. The partial unique index allows exactly one *active* row per organisation.
    """

    visibility_parent = "statement"
    #: Set by ``services.statement_sign`` when an idempotent retry returned this (earlier) signature.
    replayed = False

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="signatures")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="statement_signatures"
    )
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(StatementVersion, on_delete=models.PROTECT, related_name="signatures")
    volumes = models.JSONField(
        _("units bought a year"), default=dict, blank=True, validators=[validate_volumes]
    )
    volumes_public = models.BooleanField(_("volumes are public"), default=False)
    comment = models.TextField(_("public comment"), max_length=1000, blank=True)
    signed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), max_length=1000, blank=True)
    #: An amendment (new volumes or disclosure) is a new row; the row it replaces is kept, marked
    #: withdrawn at the moment of the amendment, and points to its successor through this field.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("amends"),
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    #: When the organisation first signed (kept across amendments): the "year of signing".
    first_signed_at = models.DateTimeField(null=True, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "organisation"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_signature_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="withdrawal_names_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} signed {self.statement_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def originally_signed_at(self) -> Any:
        return self.first_signed_at or self.signed_at


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an ``Idempotency-Key``, replayed on retries."""

    key = models.CharField(max_length=255)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the endpoint and parameters."))
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField(help_text=_("The JSON body as first sent, key order kept."))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="one_idempotency_key_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.key}"


class AuditAction(models.TextChoices):
    OPEN = "open", _("Opened for signature")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    NEW_VERSION = "new_version", _("New version")
    SIGN = "sign", _("Signed")
    WITHDRAW = "withdraw", _("Signature withdrawn")
    AMEND = "amend", _("Signature amended")
    EXPIRE = "expire", _("Closed at its closing date")
    EDIT = "edit", _("Edited")


class AuditEntry(ImmutableModel):
    """One thing that happened to a statement; shown to its issuers. Never updated or deleted."""

    visibility_parent = "statement"

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="audit_entries")
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.action} at {self.at:%Y-%m-%d %H:%M}"

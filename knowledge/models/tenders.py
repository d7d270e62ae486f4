"""Planned tenders (the shared tender calendar) and peers' interest in them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.models.choices import ChoiceListValidator, Procedure, StrategicGoal, TenderStatus
from network.visibility import TenantOwned, VisibleQuerySet

# The rules of a planned tender live on its fields, with the messages every surface shows
# (the page's form, the API, the demo loader): services run ``full_clean`` once (#18).
_QUANTITY = _("A quantity is a whole number of 0 or more.")
_EUROS = _("Give an amount in euros, e.g. 250000.")
_YEAR = _("Give a year such as 2026.")
_QUARTER = _("Choose a quarter from 1 to 4.")


def _messages(message: str, *codes: str) -> dict[str, str]:
    return dict.fromkeys(codes, message)


class PlannedTender(TenantOwned):
    """A tender an organisation plans to publish; a quarter is precise enough for the calendar."""

    title = models.CharField(
        _("title"), max_length=200, error_messages={"blank": _("A planned tender needs a title.")}
    )
    description = models.TextField(_("description"), blank=True)
    cpv_codes = models.ManyToManyField(
        "knowledge.CpvCode", related_name="planned_tenders", blank=True, verbose_name=_("CPV codes")
    )
    estimated_quantity = models.PositiveIntegerField(
        _("estimated quantity"),
        null=True,
        blank=True,
        error_messages=_messages(_QUANTITY, "invalid", "min_value", "max_value"),
    )
    estimated_value_eur = models.DecimalField(
        _("estimated value (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        error_messages=_messages(
            _EUROS, "invalid", "min_value", "max_digits", "max_decimal_places", "max_whole_digits"
        ),
    )
    planned_year = models.PositiveSmallIntegerField(
        _("planned publication year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        error_messages=_messages(_YEAR, "invalid", "null", "min_value", "max_value"),
    )
    planned_quarter = models.PositiveSmallIntegerField(
        _("planned publication quarter"),
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        error_messages=_messages(_QUARTER, "invalid", "null", "min_value", "max_value"),
    )
    procedure = models.CharField(
        _("procedure"),
        max_length=16,
        choices=Procedure.choices,
        default=Procedure.OPEN,
        error_messages=_messages(_("Choose a procedure."), "invalid_choice", "blank"),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=TenderStatus.choices,
        default=TenderStatus.PLANNING,
        db_index=True,
        error_messages=_messages(_("Choose a status."), "invalid_choice", "blank"),
    )
    joint_procurement_open = models.BooleanField(_("open to joint procurement"), default=False)
    strategic_goals = models.JSONField(
        _("strategic goals"), default=list, blank=True, validators=[ChoiceListValidator(StrategicGoal)]
    )
    templates = models.ManyToManyField(
        "knowledge.TenderTemplate",
        blank=True,
        related_name="planned_tenders",
        verbose_name=_("templates used"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned tender")
        verbose_name_plural = _("planned tenders")
        ordering = ["planned_year", "planned_quarter", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:tender", kwargs={"pk": self.pk})

    @property
    def planned_publication(self) -> str:
        return f"{self.planned_year} Q{self.planned_quarter}"


class TenderInterest(models.Model):
    """A peer organisation's interest in a planned tender. The tender's owner sees who; others see
    only their own organisation's interest (see :func:`knowledge.selectors.interests_for`)."""

    tender = models.ForeignKey(PlannedTender, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.CASCADE, related_name="tender_interests"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        verbose_name = _("interest in a planned tender")
        verbose_name_plural = _("interests in planned tenders")
        ordering = ["tender", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "organisation"], name="tender_interest_unique_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.tender_id}"


class TenderInterestChange(models.Model):
    """Who expressed, changed or withdrew an organisation's interest, and when (kept after a withdrawal).

    Read with the same scope as the interests (the tender's owner sees all, others their own
    organisations'): see :func:`knowledge.selectors.interest_changes_for`.
    """

    class Action(models.TextChoices):
        EXPRESSED = "expressed", _("Expressed interest")
        CHANGED = "changed", _("Changed the note")
        WITHDRAWN = "withdrawn", _("Withdrew interest")

    tender = models.ForeignKey(PlannedTender, on_delete=models.CASCADE, related_name="interest_changes")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("change of interest")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.action} {self.tender_id}"

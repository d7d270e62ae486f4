"""The personal-data export jobs (imported by :mod:`members.models`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """One request for a copy of everything about a person; at most one in progress per person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.CharField(max_length=200, blank=True, help_text=_("Storage name of the zip."))
    size = models.PositiveBigIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["pending", "running"]),
                name="one_export_in_progress_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.person_id} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

"""Cross-organisation models: the one notification model every capability uses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_person(self, person) -> NotificationQuerySet:
        """A person sees only notifications addressed to them (the recipient is the scope)."""
        if person is None or not person.is_authenticated:
            return self.none()
        return self.filter(recipient_id=person.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know about: a signature, a mention, a reply, a fork, an event."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class NotificationPreference(models.Model):
    """A person's channel for one notification category (see :mod:`network.notification_kinds`).

    No row means the person's default, which follows their overall e-mail setting
    (``Person.email_notifications``): immediately → immediate e-mail, daily → digest, never → in-app.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("notification category"), max_length=40)
    channel = models.CharField(_("channel"), max_length=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], name="one_preference_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.category} → {self.channel}"

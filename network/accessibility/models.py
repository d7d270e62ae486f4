"""Accessibility feedback: what a person reports through the statement page, kept for follow-up.

The Web Accessibility Directive (2016/2102, Art. 7(1)(b)) requires a feedback mechanism, and
Finland's Act 306/2019 an answer within 14 days; storing every report (not only e-mailing it) is what
lets staff prove the answer and find reports whose e-mail bounced.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ANSWER_WITHIN = timedelta(days=14)


class Feedback(models.Model):
    """One accessibility report or request for content in an accessible form."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("An accessibility problem")
        REQUEST = "request", _("A request for content in an accessible form")
        OTHER = "other", _("Other feedback on accessibility")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROBLEM)
    message = models.TextField(_("message"), max_length=5000)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def answer_due(self):
        """The date by which Act 306/2019 § 15 expects an answer."""
        return self.created_at + ANSWER_WITHIN

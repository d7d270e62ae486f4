"""Lessons learned: structured case stories like the Helsinki portrait."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.models.choices import LANGUAGES, ChoiceListValidator, LessonStage, validate_tags
from network.visibility import TenantOwned, VisibleQuerySet


class Lesson(TenantOwned):
    """What an organisation learned from a procurement: context, approach, dialogue, challenges."""

    title = models.CharField(
        _("title"), max_length=200, error_messages={"blank": _("A lesson needs a title.")}
    )
    stages = models.JSONField(
        _("procurement stages"), default=list, blank=True, validators=[ChoiceListValidator(LessonStage)]
    )
    context = models.TextField(_("context"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    market_dialogue = models.TextField(_("market dialogue"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    recommendations = models.JSONField(_("recommendations"), default=list, blank=True)
    next_action = models.TextField(_("next action"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=LANGUAGES,
        default="en",
        error_messages={"invalid_choice": _("Choose a language."), "blank": _("Choose a language.")},
    )
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_tags])
    related_templates = models.ManyToManyField(
        "knowledge.TenderTemplate", blank=True, related_name="lessons", verbose_name=_("related templates")
    )
    related_tenders = models.ManyToManyField(
        "knowledge.PlannedTender",
        blank=True,
        related_name="lessons",
        verbose_name=_("related planned tenders"),
    )
    related_statements = models.ManyToManyField(
        "statements.Statement", blank=True, related_name="lessons", verbose_name=_("related statements")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:lesson", kwargs={"pk": self.pk})

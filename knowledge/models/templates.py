"""Tender templates: criteria, immutable published versions, forks and attachments."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.models.choices import (
    LANGUAGES,
    Ambition,
    ChoiceListValidator,
    Licence,
    MeansOfProof,
    Procedure,
    Stage,
    validate_tags,
)
from network import validation
from network.visibility import TenantOwned, VisibleQuerySet

# Criterion text is rendered safely whatever it holds (network.markdown escapes raw HTML and nh3
# sanitises the output). Input that plainly tries to script the page is refused as well, with a
# message, rather than silently stored: a procurement text has no reason to contain it.
HOSTILE = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style)\b"
    r"|<[^>]*[\s/]on[a-z]+\s*="
    r"|\b(javascript|vbscript)\s*:"
    r"|data\s*:\s*text/html",
    re.IGNORECASE,
)
AT_MOST_200 = _("At most 200 characters.")
WEIGHT = _("A weight is a whole number from 0 to 100.")


def validate_no_script(value: Any) -> None:
    if HOSTILE.search(str(value or "")):
        raise ValidationError(
            _("The text may not contain scripts, embedded frames, event handlers or javascript: links."),
            code="hostile",
        )


class TenderTemplate(TenantOwned):
    """A reusable tender text owned by an organisation: an ordered list of criteria plus metadata."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(
        _("title"),
        max_length=200,
        error_messages={"blank": _("A template needs a title."), "max_length": AT_MOST_200},
    )
    slug = models.SlugField(_("slug"), max_length=80, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    cpv_codes = models.ManyToManyField(
        "knowledge.CpvCode", related_name="templates", blank=True, verbose_name=_("CPV codes")
    )
    procedure = models.CharField(
        _("procedure"), max_length=16, choices=Procedure.choices, default=Procedure.OPEN
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="en")
    licence = models.CharField(_("licence"), max_length=24, choices=Licence.choices, default=Licence.CC_BY)
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_tags])
    forked_from = models.ForeignKey(
        "knowledge.TemplateVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forks",
        verbose_name=_("forked from"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version_count = models.PositiveIntegerField(
        _("versions published"), default=0, editable=False, help_text=_("The last version number handed out.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("tender template")
        verbose_name_plural = _("tender templates")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:template", kwargs={"pk": self.pk})


class Criterion(models.Model):
    """One criterion of a template, at one stage of the procurement cycle."""

    template = models.ForeignKey(TenderTemplate, on_delete=models.CASCADE, related_name="criteria")
    key = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text=_("Stays the same across edits, so versions can be compared."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    stage = models.CharField(
        _("stage"),
        max_length=24,
        choices=Stage.choices,
        error_messages=dict.fromkeys(
            ("blank", "invalid_choice"), _("Choose the stage of the procurement this criterion belongs to.")
        ),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        error_messages={"blank": _("A criterion needs a title."), "max_length": AT_MOST_200},
    )
    text = models.TextField(
        _("text (Markdown)"),
        validators=[validate_no_script],
        error_messages={"blank": _("A criterion needs its text.")},
    )
    text_html = models.TextField(editable=False, blank=True)
    ambition = models.CharField(
        _("ambition level"),
        max_length=16,
        choices=Ambition.choices,
        default=Ambition.CORE,
        error_messages=dict.fromkeys(("blank", "invalid_choice"), _("Choose core or comprehensive.")),
    )
    means_of_proof = models.JSONField(
        _("means of proof"), default=list, blank=True, validators=[ChoiceListValidator(MeansOfProof)]
    )
    labels = models.ManyToManyField(
        "knowledge.Label", blank=True, related_name="criteria", verbose_name=_("labels")
    )
    verification_text = models.TextField(_("verification"), blank=True, validators=[validate_no_script])
    weight = models.PositiveSmallIntegerField(
        _("weight (award criteria, %)"),
        null=True,
        blank=True,
        help_text=_("Award criteria weights add up to 100."),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), WEIGHT),
    )

    visibility_parent = "template"
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    #: The one rule across a criterion's fields (checked by ``clean``, stated by the API schema).
    FIELD_RULES = (
        validation.OnlyWhen("weight", "stage", (Stage.AWARD,), _("Only award criteria carry a weight.")),
    )

    def clean(self) -> None:
        if errors := validation.broken_rules(self, self.FIELD_RULES):
            raise ValidationError(errors)


class TemplateVersion(models.Model):
    """An immutable, numbered snapshot of a template and its criteria, made when it is published."""

    template = models.ForeignKey(TenderTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    change_note = models.TextField(_("change note"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    snapshot = models.JSONField(editable=False)

    visibility_parent = "template"
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A published template version is immutable.")
        super().save(*args, **kwargs)


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name (kept in ``original_name``): unguessable, no path tricks.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"knowledge/attachments/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A document attached to a template (PDF, DOCX, ODT, XLSX, ODS), served only through the policy."""

    template = models.ForeignKey(TenderTemplate, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    visibility_parent = "template"
    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["template", "original_name", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:attachment", kwargs={"pk": self.template_id, "attachment": self.pk})

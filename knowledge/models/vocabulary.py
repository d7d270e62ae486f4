"""Shared vocabularies the library speaks: CPV codes and the labels / verification schemes registry."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from knowledge import cpv


class CpvCode(models.Model):
    """One code of the Common Procurement Vocabulary. ``code`` is the eight digits (primary key)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    check_digit = models.PositiveSmallIntegerField(_("check digit"))
    label_en = models.CharField(_("label (English)"), max_length=300)
    division = models.CharField(_("division"), max_length=2, db_index=True)

    class Meta:
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.full_code} {self.label_en}"

    def save(self, *args, **kwargs) -> None:
        self.check_digit = cpv.check_digit(self.code)
        self.division = self.code[:2]
        super().save(*args, **kwargs)

    @property
    def full_code(self) -> str:
        """The code as written in notices: ``30213100-6``."""
        return f"{self.code}-{self.check_digit}"


class Label(models.Model):
    """A label, certification or independent monitoring scheme buyers name as a means of proof."""

    class Covers(models.TextChoices):
        SOCIAL = "social", _("Social")
        ENVIRONMENTAL = "environmental", _("Environmental")
        CIRCULARITY = "circularity", _("Circularity")

    class Kind(models.TextChoices):
        ECOLABEL = "ecolabel", _("Ecolabel")
        CERTIFICATION = "certification", _("Certification")
        MONITORING = "independent_monitoring", _("Independent monitoring")

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    covers = models.JSONField(
        _("covers"), default=list, blank=True, help_text=_("Any of: social, environmental, circularity.")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("label or verification scheme")
        verbose_name_plural = _("labels and verification schemes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_covers_display(self) -> list[str]:
        names = dict(self.Covers.choices)
        return [str(names.get(c, c)) for c in self.covers]

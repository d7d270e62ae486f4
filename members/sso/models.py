"""One identity provider per organisation (imported by :mod:`members.models`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect provider; the client secret is stored encrypted only."""

    organisation = models.OneToOneField(
        "members.Organisation", on_delete=models.CASCADE, related_name="identity_provider"
    )
    name = models.CharField(
        _("name shown on the log-in button"), max_length=100, blank=True, help_text=_("e.g. “Helsinki staff”")
    )
    issuer = models.URLField(
        _("issuer URL"),
        max_length=500,
        help_text=_("The provider's issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0"),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret_encrypted = models.TextField(editable=False)
    domains = models.JSONField(
        _("e-mail domains"), default=list, help_text=_("Addresses on these domains sign in here.")
    )
    password_login_allowed = models.BooleanField(
        _("password log-in stays allowed for these domains"), default=True
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("identity provider")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.issuer}"

    @property
    def provider_id(self) -> str:
        """The allauth ``provider_id`` (and URL segment) of this configuration."""
        return f"org-{self.organisation_id}"

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_encrypted)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessibilityConfig(AppConfig):
    """The accessibility statement (Directive 2016/2102, Act 306/2019), its feedback channel and the
    human-readable service status page."""

    name = "network.accessibility"
    label = "accessibility"
    verbose_name = _("Accessibility")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The cross-organisation fabric: visibility policy, notifications, health, search, events."""

    name = "network"
    verbose_name = _("Network")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from network.content import check_registry

        checks.register(check_registry, "content")

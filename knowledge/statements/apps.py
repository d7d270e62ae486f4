from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    """Joint statements of demand and their signatures (part of the knowledge area)."""

    name = "knowledge.statements"
    label = "statements"
    verbose_name = _("Joint statements of demand")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from knowledge.statements.content import register_types

        register_types()

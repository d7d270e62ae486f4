from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """Tender templates (versions, forks, criteria, attachments), lessons learned, labels, CPV,
    planned tenders."""

    name = "knowledge"
    verbose_name = _("Knowledge library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from knowledge.content import register_types

        register_types()

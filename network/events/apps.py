from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Market dialogue events: hosts, registration, waiting list, outcomes, iCalendar."""

    name = "network.events"
    label = "events"
    verbose_name = _("Events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from network.events.content import register_types

        register_types()

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "network.search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect index updates for every declared type whose model exists (no engine I/O here)."""
        from network.search import signals

        signals.connect_all()

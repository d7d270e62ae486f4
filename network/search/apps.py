from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "network.search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect index updates for every declared type whose model exists (no engine I/O here)."""
        from django.db.backends.signals import connection_created

        from network.search import signals
        from network.search.backends.sqlite import on_connection_created

        signals.connect_all()
        connection_created.connect(on_connection_created, dispatch_uid="search_sqlite_matches_table")

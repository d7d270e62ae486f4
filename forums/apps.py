from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    """Forums, threads, posts, reactions, mentions, subscriptions, read state, WebSocket consumers."""

    name = "forums"
    verbose_name = _("Forums")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from forums import signals  # noqa: F401  (sockets re-check access when membership changes)
        from forums.content import register_types

        register_types()

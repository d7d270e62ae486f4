from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """Organisations (tenants), people, memberships and roles, invitations, working groups."""

    name = "members"
    verbose_name = _("Members")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from members import signals  # noqa: F401  (domain join on e-mail verification)
        from members.search_indexes import register_indexes

        register_indexes()

"""django-allauth adapter: e-mail-only accounts, links built from SITE_URL."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        """People have no username; the e-mail address is the login."""
        return None

"""django-allauth adapters: e-mail-only accounts, links built from SITE_URL, SSO-only domains."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext as _

from members.sso.adapter import SocialAccountAdapter

__all__ = ["AccountAdapter", "SocialAccountAdapter"]


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed log-ins count per account *and* client address: five wrong passwords from one
        place stop that place, not the account's owner signing in from another (network.client_ip
        has already put the real client address behind a trusted proxy into REMOTE_ADDR)."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def populate_username(self, request, user) -> None:
        """People have no username; the e-mail address is the login."""
        return None

    def pre_authenticate(self, request, **credentials: Any) -> None:
        """Refuse a password for an address whose organisation signs people in only through its provider.

        Checked before the password (web form and headless API alike), so the answer says where to go
        instead of "wrong password", and it reveals only the domain's policy, never whether an account exists.
        """
        from members.sso.services import identity_provider_for_email

        email = credentials.get("email") or ""
        idp = identity_provider_for_email(email) if email else None
        if idp is not None and not idp.password_login_allowed:
            raise forms.ValidationError(
                _(
                    "%(org)s signs you in through its own sign-in service. Use “Sign in with your organisation”."
                )
                % {"org": idp.organisation.name},
                code="sso_required",
            )
        super().pre_authenticate(request, **credentials)

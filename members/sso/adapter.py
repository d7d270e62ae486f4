"""The social-account adapter: organisations' providers as allauth apps, and the linking rules.

* :meth:`list_apps` builds one unsaved ``SocialApp`` per enabled :class:`IdentityProvider`
  (hidden from allauth's generic provider list; the log-in page routes by e-mail domain instead).
* :meth:`pre_social_login` refuses an identity whose e-mail is not on a domain the provider covers
  and the organisation has verified, and links a first log-in to an existing account only through
  a *verified* address of that account. Claims never grant a role: the account gets what the
  domain rule (a verified address on a verified domain → ``member``) gives, nothing more.
"""

from __future__ import annotations

import logging

import requests
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.shortcuts import render
from django.utils.translation import gettext as _

from members.sso import crypto, services
from members.sso.models import IdentityProvider
from members.sso.provider import IssuerMismatch, ProviderUnavailable

logger = logging.getLogger(__name__)
PROVIDER = "openid_connect"


def social_app_for(idp: IdentityProvider) -> SocialApp:
    return SocialApp(
        provider=PROVIDER,
        provider_id=idp.provider_id,
        name=idp.name or idp.organisation.name,
        client_id=idp.client_id,
        secret=crypto.decrypt(idp.client_secret_encrypted),
        settings={"server_url": idp.issuer, "oauth_pkce_enabled": True, "hidden": True},
    )


def _refuse(request, message: str, *, idp: IdentityProvider | None = None, status: int = 403):
    """Stop the log-in with a page (or, for headless clients, allauth's error redirect) that says why."""
    response = render(
        request,
        "members/sso/refused.html",
        {"message": message, "password_login_allowed": idp is None or idp.password_login_allowed},
        status=status,
    )
    raise ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        if provider not in (None, PROVIDER) and not str(provider).startswith("org-"):
            return apps
        idps = IdentityProvider.objects.filter(enabled=True).select_related("organisation")
        if provider and provider != PROVIDER:
            idps = idps.filter(organisation_id=int(provider[4:])) if provider[4:].isdigit() else idps.none()
        if client_id:
            idps = idps.filter(client_id=client_id)
        return apps + [social_app_for(idp) for idp in idps]

    def pre_social_login(self, request, sociallogin) -> None:
        provider_id = sociallogin.account.provider
        idp = services.identity_provider_by_provider_id(provider_id)
        if idp is None:
            _refuse(request, _("This organisation's single sign-on is not configured any more."))
        emails = [a.email for a in sociallogin.email_addresses if a.email]
        email = (emails[0] if emails else sociallogin.user.email or "").strip().lower()
        if not email or not services.covers(idp, email):
            logger.warning("SSO %s refused %r: domain not covered or not verified", provider_id, email)
            _refuse(
                request,
                _(
                    "Your sign-in service vouched for %(email)s, but %(org)s has not verified that e-mail "
                    "domain for single sign-on. Ask its owner or admin to check the configuration."
                )
                % {"email": email or "?", "org": idp.organisation.name},
                idp=idp,
            )
        # The organisation's provider vouches for addresses on its verified domains.
        for address in sociallogin.email_addresses:
            address.verified = services.covers(idp, address.email)
            address.primary = address.email.lower() == email
        sociallogin.user.email = email
        if sociallogin.is_existing:
            if (
                sociallogin.user.email.lower() != email
                and not EmailAddress.objects.filter(
                    user=sociallogin.user, email__iexact=email, verified=True
                ).exists()
            ):
                _refuse(request, _("This sign-in belongs to another account."), idp=idp)
            return
        existing = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        if existing is None:
            from members.models import Person

            person = Person.objects.filter(email__iexact=email).first()
            if person is not None:  # an account without a verified address for it
                _refuse(request, _("Confirm your e-mail address with a password log-in first."), idp=idp)
            return  # a new account, created by allauth (auto sign-up)
        if not existing.verified:
            _refuse(
                request,
                _(
                    "An account with this address exists but the address is not confirmed. Confirm it "
                    "through the link we e-mailed, then sign in with your organisation."
                ),
                idp=idp,
            )
        if not existing.user.is_active:
            _refuse(request, _("This account is inactive."), idp=idp)
        sociallogin.connect(request, existing.user)

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def save_user(self, request, sociallogin, form=None):
        person = super().save_user(request, sociallogin, form=form)
        from members.services import membership_join_by_domain

        # The same rule as confirming an address: a verified domain makes one a member, no more.
        membership_join_by_domain(person=person, email=person.email)
        return person

    def populate_user(self, request, sociallogin, data):
        person = super().populate_user(request, sociallogin, data)
        if data.get("name") and hasattr(person, "name"):
            person.name = str(data["name"])[:150]
        return person

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        extra_context = extra_context if extra_context is not None else {}
        idp = services.identity_provider_by_provider_id(
            getattr(getattr(provider, "app", None), "provider_id", "") or ""
        )
        extra_context["password_login_allowed"] = idp is None or idp.password_login_allowed
        if isinstance(exception, (ProviderUnavailable, requests.RequestException)):
            message = _("Your organisation's sign-in service did not answer in time. Try again in a moment.")
        elif isinstance(exception, IssuerMismatch):
            message = _(
                "Your organisation's sign-in service answered for another issuer than the one configured, "
                "so we did not trust it. Ask your organisation's admin to check the issuer URL."
            )
        elif isinstance(exception, OAuth2Error):
            message = _(
                "Your organisation's sign-in service sent an answer we could not verify (an invalid or "
                "expired code or token). Please sign in again."
            )
        else:
            message = _("Signing in through your organisation did not succeed. Please try again.")
        extra_context["sso_message"] = message
        logger.warning("SSO error via %s: %s %r", getattr(provider, "id", provider), error, exception)
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

"""allauth's ``openid_connect`` provider, hardened for per-organisation identity providers.

Installed through ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``; its URLs
(:mod:`members.sso.urls`) replace allauth's for this provider. Differences from allauth's own:

* the discovery document must name the configured issuer (OIDC Discovery §4.3), so a provider
  answering for another issuer is refused, and ID tokens are checked against that issuer;
* the ID token's signature is always verified against the provider's JWKS;
* a provider that is down or slow fails with :class:`ProviderUnavailable` (rendered as a clear
  message, see :meth:`members.sso.adapter.SocialAccountAdapter.on_authentication_error`) instead of
  a server error; timeouts come from ``SOCIALACCOUNT_REQUESTS_TIMEOUT``.
"""

from __future__ import annotations

import requests
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.urls import reverse


class ProviderUnavailable(OAuth2Error):
    """The organisation's identity provider did not answer (in time)."""


class IssuerMismatch(OAuth2Error):
    """The provider's discovery document names another issuer than the one configured."""


class HardenedOIDCAdapter(OpenIDConnectOAuth2Adapter):
    @property
    def openid_config(self) -> dict:
        if not hasattr(self, "_openid_config"):
            provider = self.get_provider()
            try:
                config = super().openid_config
            except requests.RequestException as exc:
                raise ProviderUnavailable(str(exc)) from exc
            except ValueError as exc:  # not JSON
                raise ProviderUnavailable("discovery document is not JSON") from exc
            expected = provider.app.settings["server_url"].rstrip("/")
            if str(config.get("issuer", "")).rstrip("/") != expected:
                raise IssuerMismatch(f"issuer {config.get('issuer')!r} is not the configured {expected!r}")
        return self._openid_config

    def get_callback_url(self, request, app) -> str:
        """allauth forces https in callback URLs outside DEBUG; a site served on plain http over
        loopback (tests, local development with SSO_ALLOW_HTTP_LOOPBACK) keeps its real scheme."""
        if settings.SSO_ALLOW_HTTP_LOOPBACK and request.get_host().split(":")[0] in (
            "127.0.0.1",
            "localhost",
        ):
            return request.build_absolute_uri(
                reverse("openid_connect_callback", kwargs={"provider_id": self.provider_id})
            )
        return super().get_callback_url(request, app)

    def get_access_token_data(self, *args, **kwargs):
        try:
            return super().get_access_token_data(*args, **kwargs)
        except requests.RequestException as exc:
            raise ProviderUnavailable(str(exc)) from exc

    def _fetch_user_info(self, access_token: str) -> dict:
        try:
            return super()._fetch_user_info(access_token)
        except requests.RequestException as exc:
            raise ProviderUnavailable(str(exc)) from exc

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            return jwtkit.verify_and_decode(
                credential=id_token,
                keys_url=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"],
                audience=app.client_id,
                lookup_kid=jwtkit.lookup_kid_jwk,
                verify_signature=True,
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(str(exc)) from exc


class OrganisationOIDCProvider(OpenIDConnectProvider):
    """The ``openid_connect`` provider with :class:`HardenedOIDCAdapter`."""

    package = "members.sso"
    oauth2_adapter_class = HardenedOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        try:
            return super().redirect(request, process, next_url=next_url, data=data, **kwargs)
        except OAuth2Error as exc:
            return render_authentication_error(request, self, exception=exc)


provider_classes = [OrganisationOIDCProvider]

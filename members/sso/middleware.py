"""Let the log-in forms hand over to organisations' identity providers under our CSP.

The site's Content-Security-Policy has ``form-action 'self'``, and browsers apply form-action to the
redirects that follow a form submission too, so the "sign in with your organisation" form (POST to
``/accounts/sso/``, answered with a redirect to the provider) would be blocked. On the pages that
carry that form, ``form-action`` also names the origins of the enabled providers' issuers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from members.sso.models import IdentityProvider

SSO_FORM_PATHS = ("/accounts/login/", "/accounts/sso/", "/accounts/reauthenticate/", "/_allauth/browser/")


def provider_origins() -> list[str]:
    origins = set()
    for issuer in IdentityProvider.objects.filter(enabled=True).values_list("issuer", flat=True):
        parts = urlsplit(issuer)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


class SsoFormActionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(SSO_FORM_PATHS) and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            origins = provider_origins()
            if origins:
                update = dict(getattr(response, "_csp_update", None) or {})
                update["form-action"] = [*update.get("form-action", []), *origins]
                response._csp_update = update
        return response

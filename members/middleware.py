"""Owners and admins must set up MFA when ``settings.MFA_REQUIRED_FOR_ADMINS`` is on.

They manage members, invitations and the organisation's profile, so a stolen password must not be
enough. Until they add an authenticator (TOTP), HTML pages redirect them to the MFA set-up page
(allauth's own pages, sign-out and static files stay reachable) and API writes answer 403 with a
clear message; API reads keep working so app clients can show what to do.

The API authenticates ``X-Session-Token`` inside DRF, after middleware; this middleware resolves
the token itself (allauth's lookup) so app clients are held to the same rule as browsers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

#: Paths that stay reachable without MFA: signing in/out and setting up MFA itself.
EXEMPT_PREFIXES = (
    "/accounts/",
    "/_allauth/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/i18n/",
    "/jsi18n/",
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MFA_REQUIRED_MESSAGE = _(
    "Owners and admins must set up two-factor authentication first: open /accounts/2fa/ to add an "
    "authenticator app."
)


def needs_mfa(person: Any) -> bool:
    """True for an owner/admin of any organisation who has no authenticator (recovery codes alone don't count)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    from allauth.mfa.models import Authenticator

    from members.models import MANAGER_ROLES
    from network import visibility

    if not any(role in MANAGER_ROLES for role in visibility.viewer_for(person).roles.values()):
        return False
    return (
        not Authenticator.objects.filter(user=person).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
    )


def _api_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    token = request.headers.get("X-Session-Token")
    if not token:
        return None
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    found = authenticate_by_x_session_token(token)
    return found[0] if found else None


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "MFA_REQUIRED_FOR_ADMINS", False) or request.path.startswith(
            EXEMPT_PREFIXES
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if request.method not in SAFE_METHODS and needs_mfa(_api_user(request)):
                return JsonResponse({"detail": str(MFA_REQUIRED_MESSAGE), "code": "mfa_required"}, status=403)
            return self.get_response(request)
        if needs_mfa(getattr(request, "user", None)):
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

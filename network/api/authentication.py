"""API authentication: allauth's ``X-Session-Token`` that also names itself in a 401 challenge.

DRF answers an unauthenticated request with 401 only when the first authentication class gives a
``WWW-Authenticate`` value; allauth's class gives none, so clients got 403 ("forbidden") for "not
signed in". With this class they get 401 and a challenge saying how to authenticate.
"""

from __future__ import annotations

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """``X-Session-Token`` from ``POST /_allauth/app/v1/auth/login`` (browsers use their session)."""

    def authenticate_header(self, request) -> str:
        return 'X-Session-Token realm="api", login="/_allauth/app/v1/auth/login"'


class SessionTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of :class:`SessionTokenAuthentication` (an API key header)."""

    target_class = SessionTokenAuthentication
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}

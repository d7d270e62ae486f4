"""WebSocket authentication: the browser session, or an allauth app session token.

App clients send ``X-Session-Token`` as a handshake header (or ``?session_token=`` where a client
library cannot set headers). The token is resolved through allauth's own session-token strategy, so
it is exactly as valid as it is on the headless API.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_session_token(token: str):
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    result = authenticate_by_x_session_token(token)
    if result is None:
        return AnonymousUser()
    user, _session = result
    return user


class SessionTokenMiddleware:
    """Replace the scope's user with the person an ``X-Session-Token`` belongs to, if one is sent."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        token = None
        for name, value in scope.get("headers", []):
            if name == b"x-session-token":
                token = value.decode("latin-1")
        if token is None:
            query = parse_qs(scope.get("query_string", b"").decode())
            token = (query.get("session_token") or [None])[0]
        if token:
            scope = dict(scope, user=await _user_for_session_token(token))
        return await self.inner(scope, receive, send)


def SessionOrTokenAuthMiddlewareStack(inner):
    return AuthMiddlewareStack(SessionTokenMiddleware(inner))

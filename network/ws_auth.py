"""WebSocket authentication: the browser session, or an allauth app session token.

App clients send ``X-Session-Token`` as a handshake header (or ``?session_token=`` where a client
library cannot set headers). The token is resolved through allauth's own session-token strategy, so
it is exactly as valid as it is on the headless API.
"""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.contrib.auth.models import AnonymousUser

from network.ws_origin import NO_ORIGIN_SCOPE_KEY, session_token


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
        token = session_token(scope)
        if token:
            scope = dict(scope, user=await _user_for_session_token(token))
        if scope.get(NO_ORIGIN_SCOPE_KEY) and not getattr(scope.get("user"), "is_authenticated", False):
            # No Origin: only a valid app token may open this socket (network.ws_origin).
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)


def SessionOrTokenAuthMiddlewareStack(inner):
    return AuthMiddlewareStack(SessionTokenMiddleware(inner))

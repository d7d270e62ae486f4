"""Which origins may open a WebSocket: the site's own, compared by scheme, host and port.

Browsers send the session cookie with any WebSocket handshake, whichever page opens it, so a socket
from another origin could ride a signed-in session (cross-site WebSocket hijacking). Channels'
``AllowedHostsOriginValidator`` compares the Origin's host name only: ``http://127.0.0.1:1``, any
other app on the same host, passed. Here an Origin must equal, in scheme, host and port:

- the origin the handshake was addressed to (its ``Host`` header, with ``http``/``https`` for
  ``ws``/``wss``), when that host is in ``ALLOWED_HOSTS``;
- ``SITE_URL`` (the public origin, also behind a TLS-terminating proxy);
- an entry of ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.eu`` matches subdomains, as in Django).

A handshake without Origin does not come from a browser. It is accepted only when it authenticates
with an allauth ``X-Session-Token`` (or ``?session_token=``) that is valid; its cookies are ignored,
so a missing Origin can never ride a cookie session (:mod:`network.ws_auth` enforces the validity).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
#: Set in the scope of a socket that sent no Origin; ``network.ws_auth`` then requires a valid token.
NO_ORIGIN_SCOPE_KEY = "bn_token_only"


def parse_origin(value: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an origin, ports made explicit; ``None`` when it is not one."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/") or parts.query:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def session_token(scope) -> str | None:
    """The allauth app session token the handshake carries, if any."""
    token = _header(scope, b"x-session-token")
    if token is None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("session_token") or [None])[0]
    return token or None


def allowed_origins(scope) -> tuple[set[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """Exact origins, and wildcard (``*.``) ones, this handshake may come from."""
    exact: set[tuple[str, str, int]] = set()
    wildcards: list[tuple[str, str, int]] = []
    host = _header(scope, b"host")
    if host:
        domain, _port = split_domain_port(host)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
            own = parse_origin(f"{scheme}://{host}")
            if own:
                exact.add(own)
    for value in (settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS):
        wildcard = "://*." in value
        parsed = parse_origin(value.replace("://*.", "://", 1))
        if parsed:
            (wildcards.append if wildcard else exact.add)(parsed)
    return exact, wildcards


def origin_allowed(origin: str, scope) -> bool:
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    exact, wildcards = allowed_origins(scope)
    if parsed in exact:
        return True
    scheme, host, port = parsed
    return any(
        scheme == w_scheme and port == w_port and host.endswith("." + w_host)
        for w_scheme, w_host, w_port in wildcards
    )


class SiteOriginValidator:
    """Refuse a WebSocket handshake whose Origin is not the site's own (see the module docstring)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        origin = _header(scope, b"origin")
        if origin is None:
            if session_token(scope) is None:
                return await WebsocketDenier()(scope, receive, send)
            headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"cookie"]
            scope = dict(scope, headers=headers, **{NO_ORIGIN_SCOPE_KEY: True})
        elif not origin_allowed(origin, scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)

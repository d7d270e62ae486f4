"""Sending real-time events: after commit, from services only, to explicit groups.

The channel layer is a doorbell, not a store: every event describes state already committed to the
database, so a client that misses one recovers it by reading (resume) rather than relying on delivery.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connections, transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: The live service behind the socket is down: try again later. An application code (like the
#: forums' 4401/4403, after HTTP's 503), because servers may not send RFC 6455's 1013 (try again later) (autobahn,
#: under daphne, only lets a server close with 1000 or 3000-4999).
CLOSE_UNAVAILABLE = 4503
#: What a channel layer raises when its Redis is unreachable.
LAYER_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


def person_group(person_id: int) -> str:
    """The channel-layer group of one person's sockets (notifications, access revocation)."""
    return f"person.{person_id}"


def send_now(group: str, message: dict[str, Any]) -> None:
    """Send to a group; a channel-layer failure is logged, never raised into a committed write."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except LAYER_ERRORS as exc:  # Redis is down: readers catch up from the database when it returns
        logger.warning("channel layer send to %s failed: %r", group, exc)
    except Exception:  # the doorbell failing must not undo or fail a committed write
        logger.warning("channel layer send to %s failed", group, exc_info=True)


def send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Queue ``message`` for ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, message))


#: Scope key under which :class:`ServerSendMiddleware` keeps the server's own ``send``.
SERVER_SEND = "buyers_network.server_send"


class ServerSendMiddleware:
    """Outermost WebSocket middleware: keep the server's own ``send`` in the scope.

    Between the server and a consumer every ``send`` passes Channels' session wrapper (it saves the
    session on ``http.response.start``) and :class:`LayerOutageMixin`'s tracking (it notes
    ``websocket.accept`` and ``websocket.close``): two coroutine frames per data frame that act on
    neither. A thread socket writing the same post to thousands of sockets sends its data frames
    (``websocket.send``) through this ``send`` instead; accept and close still go through the
    wrappers, so the session and the outage handling see every message they act on."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope = dict(scope, **{SERVER_SEND: send})
        return await self.inner(scope, receive, send)


def _keep_sqlite_connections() -> None:
    """Let this thread's SQLite connections outlive the hop (``close_at`` None: persistent)."""
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "sqlite" and conn.connection is not None and not conn.in_atomic_block:
            conn.close_at = None


def socket_database_sync_to_async(func: Callable[..., Any]) -> Callable[..., Any]:
    """``database_sync_to_async`` for sockets' database work, keeping a SQLite connection open.

    Channels' wrapper closes the connection around every hop (with ``CONN_MAX_AGE`` 0 a connection
    is obsolete as soon as it is opened), so every handshake and heartbeat query of a socket opened a
    new SQLite connection: the file, ``journal_mode=WAL`` and Django's forty-odd SQL functions
    registered again, thousands of times a minute with thousands of sockets. Socket hops all run on
    asgiref's one thread-sensitive thread (no request context), so one connection kept there serves
    them all — including Channels' session and user look-ups, which reuse it once it is open. It is
    still closed when it errored and is unusable. PostgreSQL connections are left as they are: they
    come from the pool (``DATABASES`` ``pool``), which is what a persistent connection would give."""

    @functools.wraps(func)
    def kept(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            _keep_sqlite_connections()

    return database_sync_to_async(kept)


class LayerOutageMixin:
    """Put first in a consumer's bases: a channel-layer outage closes the socket with 4503.

    A consumer reads its channel from the layer and joins groups in ``connect``; with Redis gone
    either raised out of the ASGI application, and the server answered the handshake with a 500
    (or dropped an open socket with 1011). Here the failure is logged and the socket is accepted
    and closed with :data:`CLOSE_UNAVAILABLE`, which clients read as "reconnect later" (the
    pages' live scripts back off and resume from their last sequence number). The consumer's own
    ``disconnect`` still runs so its background tasks end.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        state = {"accepted": False, "closed": False}

        async def tracking_send(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await super().__call__(scope, receive, tracking_send)  # type: ignore[misc]
        except LAYER_ERRORS as exc:
            logger.warning("channel layer unavailable, closing %s with 4503: %r", scope.get("path"), exc)
            with contextlib.suppress(Exception):
                await self.disconnect(CLOSE_UNAVAILABLE)  # type: ignore[attr-defined]
            if state["closed"]:
                return
            with contextlib.suppress(OSError):
                if not state["accepted"]:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})

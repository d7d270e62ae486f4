"""The fabric's sockets and the JSON socket every app's consumer builds on.

* :class:`PingConsumer` (``/ws/ping/``): lets health checks and tests prove the stack end to end;
* :class:`NotificationConsumer` (``/ws/notifications/``): a person's notifications, from any app,
  as they are created (``network.notifications`` sends them to the person's group);
* :class:`SafeJsonConsumer`: a size bound, a per-person message rate limit, tolerant dispatch and
  close codes clients can tell apart (4401 not signed in, 4403 may not read).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from network import ratelimit
from network.models import Notification
from network.realtime import LayerOutageMixin, person_group

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


class SafeJsonConsumer(LayerOutageMixin, AsyncJsonWebsocketConsumer):
    """JSON socket with a size bound, a per-person message rate limit and tolerant dispatch."""

    person: Any = None
    closing = False

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Call the handler for ``message``.

        The person group carries events for several socket kinds: types we do not handle are
        ignored rather than crash the connection. Unlike Channels' own dispatch, no
        ``close_old_connections`` hop to the thread pool per message: it cost one hop per socket per
        live event, all queued on the one thread that also runs the sync views (posting a message
        to a thread of 500 sockets waited behind 500 of them). Every database access here goes
        through ``database_sync_to_async``, which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            logger.debug("ignoring %s on %s", message.get("type"), type(self).__name__)
            return
        await handler(message)

    async def signed_in(self) -> bool:
        """Take the person from the session; refuse the socket with 4401 when nobody signed in."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return False
        self.person = user
        return True

    async def refuse(self, code: int) -> None:
        """Accept, then close with ``code``: a close before accepting reaches browsers as a bare
        HTTP 403, and clients could not tell "sign in" from "no access"."""
        self.closing = True
        await self.accept()
        await self.close(code=code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_MESSAGE_BYTES:
            await self.send_error("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
            return
        if text_data is None:
            await self.send_error("bad_message", "Send JSON text frames.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("bad_message", "Messages must be JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("bad_message", 'Messages are JSON objects with a "type".')
            return
        limit = int(setting("FORUMS_SOCKET_MESSAGES_PER_10S", 60))
        if not ratelimit.hit(f"socket:{self.person.pk}", limit=limit, seconds=10):
            await self.send_error("rate_limited", "Too many messages; slow down.")
            return
        await self.receive_json(content)

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def send_json(self, content: Any, close: bool = False) -> None:
        if self.closing and not close:
            return
        await self.send(text_data=await self.encode_json(content), close=close)

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        """Send a frame; a client that has already gone is not an error (its disconnect follows).

        The server raises ``ClientDisconnected`` (an ``OSError``) for a send on a closed socket."""
        if self.closing and not close:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:
            self.closing = True


class NotificationConsumer(SafeJsonConsumer):
    """A person's notifications (mentions, replies, reports…) as they are created."""

    async def connect(self) -> None:
        if not await self.signed_in():
            return
        self.group = person_group(self.person.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(self._unread)()
        await self.send_json({"type": "hello", "unread": unread})

    def _unread(self) -> int:
        return Notification.objects.for_person(self.person).unread().count()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content["type"] == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_error("unknown_type", "This socket only answers ping.")

    async def notification_created(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "notification.created", "notification": message["notification"]})


class PingConsumer(LayerOutageMixin, AsyncJsonWebsocketConsumer):
    """Echoes ``{"type": "ping"}`` as ``pong`` through the channel layer, so a reply proves both
    the routing stack and a real channel-layer round trip."""

    async def connect(self) -> None:
        self.group = f"ping.{self.channel_name.replace('!', '_')}"[:90]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "message": 'Send {"type": "ping"}.'})
            return
        await self.channel_layer.group_send(self.group, {"type": "pong.event", "data": content.get("data")})

    async def pong_event(self, event) -> None:
        user = self.scope.get("user")
        await self.send_json(
            {"type": "pong", "data": event.get("data"), "authenticated": bool(user and user.is_authenticated)}
        )

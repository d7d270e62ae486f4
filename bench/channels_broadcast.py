"""The framework's own speed: a plain Channels consumer that joins one group and forwards what
``group_send`` brings, beside the bare ASGI broadcast (:mod:`bench.bare_broadcast`).

No Django views, no database, no auth: ``POST /post`` numbers the message and calls
``group_send`` once; every socket's consumer gets it through the channel layer (the in-memory layer,
or Redis when ``BENCH_LAYER_URL`` is set) and sends it on. This is what a Django developer gets
from Channels' documented pattern (one group per room, one consumer per socket); the project's hub
(:mod:`forums.hub`) is measured against it and against the bare broadcast.
Run: ``uvicorn bench.channels_broadcast:app``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    _url = os.environ.get("BENCH_LAYER_URL", "")
    _layer = (
        {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [_url], "capacity": 1000}}
        if _url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    )
    settings.configure(CHANNEL_LAYERS={"default": _layer}, INSTALLED_APPS=["channels"])
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from bench.bare_broadcast import _read_body, _respond

GROUP = "bench"
_seq = 0


class Forwarder(AsyncWebsocketConsumer):
    """One socket: in the group while open, forwards each ``bench.post`` as it comes."""

    groups = [GROUP]

    async def bench_post(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])


_websocket = Forwarder.as_asgi()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _seq
    if scope["type"] == "websocket":
        await _websocket(scope, receive, send)
    elif scope["type"] == "http":
        if scope["method"] == "POST" and scope["path"] == "/post":
            payload = json.loads(await _read_body(receive) or b"{}")
            _seq += 1
            post = {"seq": _seq, "body": payload.get("body", "")}
            text = json.dumps({"type": "post.created", "post": post})
            await get_channel_layer().group_send(GROUP, {"type": "bench.post", "text": text})
            await _respond(send, 201, post)
        else:
            await _read_body(receive)
            await _respond(send, 200, {"status": "ok"})
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

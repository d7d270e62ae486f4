"""The ceiling for real-time fan-out: a bare ASGI app, no Django, no Channels, no database.

It accepts WebSockets on any path, and ``POST /post`` (JSON body) numbers the message and writes
it to every open socket straight from the request handler. Whatever the real stack adds — auth,
routing, the channel layer, database writes, serialisation — shows up as the gap between the two.
Run: ``uvicorn bench.bare_broadcast:app``.
"""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]

_sockets: set[Any] = set()
_seq = 0


async def _read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def _respond(send: Any, status: int, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _http(scope: Scope, receive: Any, send: Any) -> None:
    global _seq
    if scope["method"] == "POST" and scope["path"] == "/post":
        payload = json.loads(await _read_body(receive) or b"{}")
        _seq += 1
        post = {"seq": _seq, "body": payload.get("body", "")}
        text = json.dumps({"type": "post.created", "post": post})
        for socket_send in list(_sockets):
            try:
                await socket_send({"type": "websocket.send", "text": text})
            except Exception:  # a socket that just closed: the next disconnect removes it
                _sockets.discard(socket_send)
        await _respond(send, 201, post)
        return
    await _read_body(receive)
    await _respond(send, 200, {"status": "ok", "sockets": len(_sockets)})


async def _websocket(scope: Scope, receive: Any, send: Any) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    _sockets.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
    finally:
        _sockets.discard(send)


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await _http(scope, receive, send)
    elif scope["type"] == "websocket":
        await _websocket(scope, receive, send)
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

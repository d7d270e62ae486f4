"""A bound on request bodies in the ASGI stack, applied before Django reads a byte.

Django's ASGI handler reads the whole body (to memory, then a temporary file) before any middleware
or view runs, so a 300 MB anonymous POST was received in full only to be answered 403. This wrapper
answers 413 at once when ``Content-Length`` exceeds ``MAX_REQUEST_BODY``, and stops reading a body
without a length (chunked) as soon as it passes the bound. Put the same bound on the reverse proxy
(nginx ``client_max_body_size``) so such bodies never reach the application (README, deployment).
"""

from __future__ import annotations

import json

from django.conf import settings

MESSAGE = "The request body is larger than this server accepts."


def max_request_body() -> int:
    """Bytes a request body may have: the attachment limit plus room for the multipart envelope."""
    return int(getattr(settings, "MAX_REQUEST_BODY", 0) or settings.MAX_UPLOAD_SIZE + 1024 * 1024)


async def _send_413(send) -> None:
    body = json.dumps({"detail": MESSAGE, "code": "request_too_large"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """ASGI middleware for the HTTP application (see the module docstring)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = max_request_body()
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    return await _send_413(send)
        received = 0
        too_large = False
        started = False

        async def bounded_receive():
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django's handler stops at a disconnect without answering; we answer below.
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, bounded_receive, tracking_send)
        if too_large and not started:
            await _send_413(send)

"""WebSocket routes of every app, gathered in one list for :mod:`network.asgi`."""

from django.urls import path

from forums.routing import websocket_urlpatterns as forum_patterns
from network.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    *forum_patterns,  # /ws/threads/{id}/ and /ws/notifications/
]

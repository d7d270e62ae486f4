"""WebSocket routes of every app, gathered in one list for :mod:`network.asgi`."""

from django.urls import path

from forums.routing import websocket_urlpatterns as forum_patterns
from network.consumers import NotificationConsumer, PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    *forum_patterns,  # /ws/threads/{id}/
]

"""WebSocket routes of every app, gathered in one list for :mod:`network.asgi`."""

from django.urls import path

from network.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]

try:  # forums adds its thread and notification sockets
    from forums.routing import websocket_urlpatterns as forum_patterns
except ImportError:  # pragma: no cover - before the forums app has routes
    forum_patterns = []
websocket_urlpatterns += forum_patterns

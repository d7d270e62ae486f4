"""WebSocket routes of the forums (gathered by :mod:`network.routing`)."""

from django.urls import path

from forums.consumers import NotificationConsumer, ThreadConsumer

websocket_urlpatterns = [
    path("ws/threads/<int:thread_id>/", ThreadConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]

"""A WebSocket ping travels the real routing stack (origin check, auth, URL router) and a real
channel-layer round trip, on the in-memory layer and on channels-redis."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from network.asgi import application
from tests.conftest import redis_url

LAYERS = {"memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
if redis_url():
    LAYERS["redis"] = {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url()]}}


@pytest.fixture(params=["memory", "redis"])
def layer(request):
    if request.param not in LAYERS:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 and REDIS_URL is unset")
    with override_settings(CHANNEL_LAYERS={"default": LAYERS[request.param]}):
        channel_layers.backends.clear()
        yield request.param
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
async def test_ping_round_trips_through_the_channel_layer(layer):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect(timeout=30)
    assert connected
    await communicator.send_json_to({"type": "ping", "data": 42})
    reply = await communicator.receive_json_from(timeout=5)
    assert reply == {"type": "pong", "data": 42, "authenticated": False}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_socket_from_a_foreign_origin_is_refused(layer):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect(timeout=30)
    assert not connected

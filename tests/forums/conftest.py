"""Channel-layer fixture: forum socket tests run on the in-memory layer and on channels-redis."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from channels.layers import channel_layers
from django.test import override_settings

from tests.conftest import redis_url

LAYERS = {"memory": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
if redis_url():
    # A Redis database of its own: the cache's clear() (FLUSHDB, run around every test of a parallel
    # run on the Redis cache) must not wipe this layer's group memberships mid-test.
    _url = urlsplit(redis_url())
    LAYERS["redis"] = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [urlunsplit(_url._replace(path="/13"))], "prefix": f"forums-test-{os.getpid()}"},
    }


@pytest.fixture(params=["memory", "redis"])
def layer(request):
    if request.param not in LAYERS:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 and REDIS_URL is unset")
    with override_settings(CHANNEL_LAYERS={"default": LAYERS[request.param]}):
        channel_layers.backends.clear()
        yield request.param
    channel_layers.backends.clear()

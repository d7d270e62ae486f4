"""The Redis cache keeps one client and one "down" mark per process (``network.cache``).

Django builds a cache object per thread and per async context (per ASGI request); each used to
build its own client (a new connection per request) and keep its own "down" mark, so after an
outage every new request tried the dead server again.
"""

from __future__ import annotations

import pytest

from network import cache as cache_module
from network.cache import FallbackRedisCache

#: Nothing listens on port 1 of the loopback: every connection is refused at once.
DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def params():
    options = {"socket_connect_timeout": 1, "RETRY_AFTER": 60}
    yield {"OPTIONS": options}
    cache_module._LINKS.clear()


def test_a_new_cache_object_shares_the_client_and_knows_the_server_is_down(params):
    first = FallbackRedisCache(DEAD, params)
    first.set("greeting", "hei")  # refused: kept in the local fallback, the server marked down
    assert first.using_fallback

    second = FallbackRedisCache(DEAD, params)  # what the next request builds
    assert second._cache is first._cache  # one client, so one connection pool, per process
    assert second.using_fallback  # does not try the dead server again before RETRY_AFTER
    assert second.get("greeting") == "hei"


def test_another_configuration_gets_a_link_of_its_own(params):
    first = FallbackRedisCache(DEAD, params)
    other = FallbackRedisCache("redis://127.0.0.1:1/1", params)
    assert other._cache is not first._cache
    first.set("greeting", "hei")
    assert first.using_fallback and not other.using_fallback

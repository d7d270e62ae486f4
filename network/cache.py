"""The Redis cache, with a local fallback while Redis is unreachable (#20 item 11).

The cache holds nothing that must survive: rate-limit counters (log-in failures, posting, guest
registrations), presence maps and cached reads. With Redis gone, Django's ``RedisCache`` raised into
every request that touched one of those, so log-in and posting answered 500 although the database
was fine. :class:`FallbackRedisCache` is Django's own ``RedisCache`` (the well-kept client, same
options) whose calls fall back to a per-process local-memory cache when Redis cannot be reached:
limits keep counting, per process, instead of failing open or failing the request.

After a failure Redis is left alone for :attr:`FallbackRedisCache.retry_after` seconds, so a dead
server costs one refused connection per interval, not one per cache call; then the next call tries
Redis again through a fresh connection (the pool's stale ones are dropped), and the site is back on
the shared cache with no restart.

Django builds a cache object per thread and per async context, i.e. per ASGI request, and each
``RedisCache`` built its own client: a new connection pool, so a new Redis connection, per request,
and (here) its own "down" mark, so every new request tried a dead server again. The client and the
mark are therefore kept once per process and server (:class:`_Link`), shared by those objects.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: What "Redis is unreachable" looks like; anything else (a bad value, a script error) still raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Link:
    """A process's link to one Redis cache configuration: the client (with its connection pools,
    which redis-py makes thread-safe and resets after a fork) and until when the server is left
    alone after a failure."""

    def __init__(self) -> None:
        self.client: Any = None
        self.down_until = 0.0
        self.lock = threading.Lock()


_LINKS: dict[str, _Link] = {}
_LINKS_LOCK = threading.Lock()


def _link_for(key: str) -> _Link:
    with _LINKS_LOCK:
        return _LINKS.setdefault(key, _Link())


class FallbackRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to local memory on an outage.

    ``OPTIONS["RETRY_AFTER"]`` (seconds, default 5) is how long to stay on the fallback before
    trying Redis again; every other option goes to the Redis connection pool as before.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._fallback = LocMemCache(
            f"fallback-{server}", {k: v for k, v in params.items() if k != "OPTIONS"}
        )
        # Same servers and options (the settings' own objects, so the same reprs): same link.
        self._link = _link_for(repr((self._servers, sorted(self._options.items()), self.retry_after)))

    @property
    def _cache(self) -> Any:
        """The process's one client for this configuration (Django's ``RedisCache`` made one per
        cache object, i.e. per request)."""
        link = self._link
        if link.client is None:
            with link.lock:
                if link.client is None:
                    link.client = self._class(self._servers, **self._options)
        return link.client

    # --- the switch -----------------------------------------------------------------------------
    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._link.down_until:
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._went_down(exc)
            return getattr(self._fallback, name)(*args, **kwargs)

    def _went_down(self, exc: BaseException) -> None:
        link = self._link
        with link.lock:
            first = time.monotonic() >= link.down_until
            link.down_until = time.monotonic() + self.retry_after
            # Drop pooled connections: after Redis returns they are dead sockets, and the first
            # command on one would fail again (the "first request after the restart" error).
            for pool in getattr(link.client, "_pools", {}).values():
                with contextlib.suppress(Exception):  # a pool that cannot close its sockets is gone anyway
                    pool.disconnect()
        if first:
            logger.warning(
                "Redis cache unreachable (%s); using the local fallback for %.0f s", exc, self.retry_after
            )

    @property
    def using_fallback(self) -> bool:
        """Whether calls go to the local fallback right now (``/readyz`` reports it)."""
        return time.monotonic() < self._link.down_until

    # --- the cache API, each call through the switch -------------------------------------------
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> None:
        self._fallback.clear()
        return self._call("clear")

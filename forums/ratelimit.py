"""Per-person rate limits for socket traffic, kept in the Django cache (Redis in production, so the
limit holds across worker processes).

A fixed-window counter: ``cache.add`` starts the window with its expiry and ``cache.incr`` counts,
both atomic on Redis. Cheaper than a token bucket and good enough for "no more than N per T".
"""

from __future__ import annotations

from django.core.cache import cache


def allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit on ``key``; False once more than ``limit`` hits fall in the current window."""
    cache_key = f"forums:rl:{key}"
    if cache.add(cache_key, 1, timeout=seconds):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # the window expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        return True
    return hits <= limit

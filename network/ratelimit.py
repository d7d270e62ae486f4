"""Fixed-window rate limits in the Django cache (Redis in production, so limits hold across worker
processes), shared by every feature that needs one: ``cache.add`` opens the window with its expiry
and ``cache.incr`` counts, both atomic on Redis.

Services raise :class:`RateLimited` (the API answers 429 with the JSON error contract, pages show the
message); the key names who is limited, e.g. ``guest:client:203.0.113.5``.
"""

from __future__ import annotations

from django.core.cache import cache


class RateLimited(Exception):
    """Too many requests of one kind in the current window; ``str(exc)`` says so to the user."""


def hit(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit on ``key``; False once more than ``limit`` hits fall in the current window."""
    cache_key = f"rl:{key}"
    if cache.add(cache_key, 1, timeout=seconds):
        return limit >= 1
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # the window expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        return limit >= 1
    return hits <= limit


def seen_recently(key: str, *, seconds: int) -> bool:
    """True if ``key`` was marked within ``seconds``; marks it otherwise (at most once per window)."""
    return not cache.add(f"rl:once:{key}", 1, timeout=seconds)

"""Fixed-window rate limits in the Django cache (Redis in production, so limits hold across worker
processes), shared by every feature that needs one: ``cache.add`` opens the window with its expiry
and ``cache.incr`` counts, both atomic on Redis.

Services raise :class:`RateLimited` (the API answers 429 with the JSON error contract, pages show the
message, sockets send ``rate_limited``); the key names who is limited, e.g.
``guest:client:203.0.113.5``.

One declaration per action (:data:`ACTIONS`): the action's *service* checks it, so a person meets
the same limit whatever the surface (page, API or socket) and however they mix them. Surfaces add
no throttles of their own for these actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _


class RateLimited(Exception):
    """Too many requests of one kind in the current window; ``str(exc)`` says so to the user."""


#: True while a data loader (demo data, benchmark set-up) writes through the services: limits are
#: for people acting, not for the platform loading its own rows.
_exempt: ContextVar[bool] = ContextVar("ratelimit_exempt", default=False)


@contextmanager
def exempt() -> Iterator[None]:
    """Declared limits do not count inside this block (``manage.py loaddemo``, bench set-ups)."""
    token = _exempt.set(True)
    try:
        yield
    finally:
        _exempt.reset(token)


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


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` of ``action`` per person in ``seconds``; ``setting`` overrides ``limit``."""

    action: str
    limit: int
    seconds: int
    message: Any
    setting: str = ""

    def current(self) -> int:
        return int(getattr(settings, self.setting, self.limit)) if self.setting else self.limit

    def check(self, who: Any) -> None:
        """Count one ``action`` by ``who`` (a person's id); raise :class:`RateLimited` past the limit."""
        if _exempt.get():
            return
        if not hit(f"{self.action}:{who}", limit=self.current(), seconds=self.seconds):
            raise RateLimited(str(self.message))


#: Every declared action's limit, by action name (documentation, tests and the services' lookups).
ACTIONS: dict[str, Limit] = {}


def declare(action: str, *, limit: int, seconds: int, message: Any, setting: str = "") -> Limit:
    """Declare ``action``'s one limit (once: a second declaration is a mistake)."""
    if action in ACTIONS:
        raise ValueError(f"rate limit for {action!r} declared twice")
    ACTIONS[action] = Limit(action, limit, seconds, message, setting)
    return ACTIONS[action]


#: Adding a post or starting a thread: forum pages, the API and the thread socket alike.
POST = declare(
    "post",
    limit=20,
    seconds=60,
    message=_("You are posting too fast. Wait a minute and try again."),
    setting="FORUMS_POSTS_PER_MINUTE",
)
#: Signing or amending a signature on a statement: the confirmation page and the API alike.
SIGN = declare(
    "sign",
    limit=30,
    seconds=60,
    message=_("Too many signatures in a short time. Wait a minute and try again."),
    setting="STATEMENTS_SIGNS_PER_MINUTE",
)
#: Reporting posts to moderators (pages and API).
REPORT = declare(
    "report",
    limit=10,
    seconds=3600,
    message=_("You have sent many reports in a short time. Please wait a while and try again."),
    setting="FORUMS_REPORTS_PER_HOUR",
)

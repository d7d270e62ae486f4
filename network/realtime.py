"""Sending real-time events: after commit, from services only, to explicit groups.

The channel layer is a doorbell, not a store: every event describes state already committed to the
database, so a client that misses one recovers it by reading (resume) rather than relying on delivery.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def person_group(person_id: int) -> str:
    """The channel-layer group of one person's sockets (notifications, access revocation)."""
    return f"person.{person_id}"


def send_now(group: str, message: dict[str, Any]) -> None:
    """Send to a group; a channel-layer failure is logged, never raised into a committed write."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the doorbell failing must not undo or fail a committed write
        logger.warning("channel layer send to %s failed", group, exc_info=True)


def send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Queue ``message`` for ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, message))

"""iCalendar (RFC 5545) for events: one VEVENT per event, calendars for a single event or a feed.

Times are written in UTC (``DTSTART:20201125T080000Z``), which every calendar client converts to
the reader's zone; the event's own zone is kept as ``X-WR-TIMEZONE`` for display. Text values are
escaped (backslash, semicolon, comma, newline) and content lines folded at 75 octets without
splitting a UTF-8 character, with CRLF line ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from network import markdown
from network.capabilities import EventCapabilities, event_capabilities_many
from network.events.models import Event

PRODID = "-//Buyers Network//Events//EN"


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT escaping."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1); continuation lines start with one space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for char in line:
        b = char.encode("utf-8")
        if len(current) + len(b) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # the leading space counts
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "buyers.network"


def vevent_lines(event: Event, caps: EventCapabilities) -> list[str]:
    """One VEVENT; the online link only when ``caps.sees_online_url`` (hosts, confirmed participants)."""
    url = settings.SITE_URL + event.get_absolute_url()
    description = markdown.plain_text(event.description)
    online_url = event.online_url if caps.sees_online_url else ""
    if online_url:
        description = f"{description}\n\n{online_url}".strip()
    hosts = ", ".join(o.name for o in event.hosts.all())
    if hosts:
        description = f"{description}\n\nHosts: {hosts}".strip()
    location = event.place or online_url
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{_uid_domain()}",
        f"DTSTAMP:{utc(event.updated_at)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{escape_text(event.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if event.is_cancelled else 'CONFIRMED'}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[Event], *, person: Any, name: str, time_zone: str | None = None) -> str:
    """A VCALENDAR with the events as ``person`` may see them, as text with CRLF line ends.

    Calendar clients usually fetch without a session, so ``person`` is then anonymous and the
    guarded fields (the online link) stay out, exactly as on the event page.
    """
    events = list(events)
    caps = event_capabilities_many(person, events)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    if time_zone:
        lines.append(f"X-WR-TIMEZONE:{time_zone}")
    for event in events:
        lines.extend(vevent_lines(event, caps[event.pk]))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

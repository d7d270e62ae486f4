"""iCalendar output: RFC 5545 escaping, folding, UTC times, one VEVENT per event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from network.events import ical
from tests import factories
from tests.events.factories import event


def test_text_escaping():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "Älykäs hankinta " * 20
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *[p[1:] for p in parts[1:]]]) == line


@pytest.mark.django_db
def test_event_calendar_has_utc_times_and_required_properties():
    org = factories.organisation("City of Malmö")
    starts = datetime(2030, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    ev = event(
        org,
        title="Nordic Forum, fair; circular",
        starts_at=starts,
        ends_at=starts.replace(hour=16),
        time_zone="Europe/Stockholm",
        place="Malmö, Sweden",
    )
    text = ical.calendar([ev], person=None, name=ev.title, time_zone=ev.time_zone)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert "DTSTART:20301125T080000Z" in lines
    assert "DTEND:20301125T150000Z" in lines
    assert f"UID:event-{ev.pk}@127.0.0.1" in lines or any(
        line.startswith(f"UID:event-{ev.pk}@") for line in lines
    )
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert "SUMMARY:Nordic Forum\\, fair\\; circular" in lines
    assert "LOCATION:Malmö\\, Sweden" in lines
    assert lines.count("BEGIN:VEVENT") == 1

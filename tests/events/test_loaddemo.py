"""``manage.py loaddemo``: a fresh database becomes an explorable network; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import Resolver404, resolve

from network.events.models import Event, EventOutcome, Registration

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def _load() -> str:
    out = io.StringIO()
    call_command("loaddemo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_loaddemo_twice_changes_nothing():
    _load()
    first = _counts()
    _load()
    second = _counts()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert changed == {}
    assert first["members.Organisation"] >= 8


def test_demo_has_the_nordic_forum_and_a_webinar_with_a_waiting_list():
    _load()
    forum = Event.objects.get(slug="nordic-forum-market-dialogue-fair-circular-smartphones-2020")
    assert {o.slug for o in forum.hosts.all()} == {"malmo", "oslo", "copenhagen", "helsinki"}
    assert forum.starts_at.date().isoformat() == "2020-11-25" and forum.visibility == "public"
    if apps.is_installed("knowledge.statements"):
        assert EventOutcome.objects.filter(
            event=forum, kind="statement", object_ref="circular-fair-smartphones"
        ).exists()
    webinar = Event.objects.get(slug="webinar-electronics-watch-affiliation-ict-contracts")
    assert not webinar.is_past and webinar.capacity == 5
    assert Registration.objects.confirmed().filter(event=webinar).count() == 5
    assert Registration.objects.waitlisted().filter(event=webinar).exists()


PUBLIC_PAGES = [
    "/",
    "/library/",
    "/statements/",
    "/forums/",
    "/events/",
    "/events/?when=past",
    "/organisations/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_first_time_visitor_can_explore_after_loaddemo(client, path):
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        pytest.skip(f"{path} is not mounted in this build (its app has no urls.py yet)")
    _load()
    response = client.get(path)
    assert response.status_code == 200, path


def test_first_time_visitor_sees_the_nordic_forum_and_its_outcome(client):
    _load()
    body = client.get("/events/nordic-forum-market-dialogue-fair-circular-smartphones-2020/").content.decode()
    assert "Nordic Forum for Market Dialogue" in body and "City of Malmö" in body
    if apps.is_installed("knowledge.statements"):
        assert "/statements/circular-fair-smartphones/" in body
    ics = client.get("/events/nordic-forum-market-dialogue-fair-circular-smartphones-2020.ics")
    assert ics.status_code == 200 and "DTSTART:20201125T080000Z" in ics.content.decode()

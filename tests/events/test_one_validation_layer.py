"""One validation layer for events (#18): the times, the place-or-link rule, the capacity and the
time zone are declared on ``Event``; the page's form and the API report the same message, and a
refused edit changes nothing."""

from __future__ import annotations

import pytest

from members.models import Role
from network.events.models import Event
from tests import factories
from tests.events.factories import event

pytestmark = pytest.mark.django_db

PAGE = {
    "title": "Smartphone market dialogue",
    "time_zone": "Europe/Helsinki",
    "starts_at": "2030-11-25T09:00",
    "ends_at": "2030-11-25T16:00",
    "place": "Helsinki",
    "visibility": "network",
    "status": "scheduled",
}
API = {
    "title": "Smartphone market dialogue",
    "time_zone": "Europe/Helsinki",
    "starts_at": "2030-11-25T09:00:00+02:00",
    "ends_at": "2030-11-25T16:00:00+02:00",
    "place": "Helsinki",
    "visibility": "network",
}
#: page values, API values, the model's errors
RULES = [
    (
        {"ends_at": "2030-11-25T08:00"},
        {"ends_at": "2030-11-25T08:00:00+02:00"},
        {"ends_at": ["The event must end after it starts."]},
    ),
    ({"place": ""}, {"place": ""}, {"place": ["Give a place, an online link or both."]}),
    (
        {"capacity": "0"},
        {"capacity": 0},
        {"capacity": ["Give the number of places (1 or more), or leave it empty."]},
    ),
    ({"audience": ["astronauts"]}, {"audience": ["astronauts"]}, None),
    ({"title": " "}, {"title": " "}, {"title": ["This field cannot be blank."]}),
]


@pytest.fixture
def helsinki():
    return factories.organisation("City of Helsinki", slug="helsinki")


@pytest.mark.parametrize(("page_values", "api_values", "errors"), RULES)
def test_an_event_rule_speaks_the_same_on_the_page_and_in_the_api(
    client, api_client, helsinki, page_values, api_values, errors
):
    editor = factories.member(helsinki, Role.EDITOR)
    client.force_login(editor)
    api_client.force_authenticate(editor)
    page = client.post("/events/new/", {"organisation": helsinki.pk, **PAGE, **page_values})
    assert page.status_code == 200
    shown = {k: list(v) for k, v in page.context["form"].errors.items()}
    api = api_client.post("/api/v1/events/", {"organisation": "helsinki", **API, **api_values}, format="json")
    assert api.status_code == 400, api.content
    assert api.json()["errors"] == shown
    if errors is not None:
        assert shown == errors
    else:
        assert list(shown) == ["audience"]
    assert not Event.objects.exists()

    ev = event(helsinki, person=editor, title="Stored event", capacity=10)
    before = Event.objects.filter(pk=ev.pk).values().get()
    edit = client.post(f"/events/{ev.slug}/edit/", {**PAGE, "title": "Changed", **page_values})
    assert edit.status_code == 200
    assert {k: list(v) for k, v in edit.context["form"].errors.items()} == shown
    patch = api_client.patch(
        f"/api/v1/events/{ev.slug}/", {**API, "title": "Changed", **api_values}, format="json"
    )
    # clearing the place of an event whose stored online link is blank is a state rule (409): the
    # same change is accepted for an event with a link; the words are the page's either way
    assert patch.status_code == (409 if api_values == {"place": ""} else 400)
    assert patch.json()["errors"] == shown
    assert Event.objects.filter(pk=ev.pk).values().get() == before

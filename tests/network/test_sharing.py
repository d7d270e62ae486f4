"""Sharing with working groups (visibility ``group``) works for every tenant-owned type, through
the one rule in :mod:`network.sharing`: an owner shares only with groups it belongs to or
convenes, "working groups" needs at least one, and a member organisation of the group then reads
the item while everyone else gets the 404 a missing item gets (the isolation side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from members.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Kind:
    name: str
    create: str
    body: dict[str, Any]
    #: the response field that addresses the item under ``create``
    key: str = "id"


KINDS = [
    Kind("template", "/api/v1/templates/", {"title": "Group laptops"}),
    Kind("lesson", "/api/v1/lessons/", {"title": "Group lesson"}),
    Kind(
        "tender",
        "/api/v1/tenders/",
        {"title": "Group tender", "planned_year": 2030, "planned_quarter": 2},
    ),
    Kind(
        "statement",
        "/api/v1/statements/",
        {"title": "Group statement", "body": "Repairable monitors."},
        key="slug",
    ),
    Kind(
        "event",
        "/api/v1/events/",
        {
            "title": "Group workshop",
            "time_zone": "Europe/Helsinki",
            "starts_at": "2030-11-25T09:00:00+02:00",
            "ends_at": "2030-11-25T16:00:00+02:00",
            "place": "Helsinki",
        },
        key="slug",
    ),
    Kind("forum", "/api/v1/forums/", {"name": "Group forum"}),
    Kind("resource", "/api/v1/resources/", {"title": "Group guide", "url": "https://example.org/guide"}),
]


@pytest.fixture
def world():
    owner = factories.organisation("City of Helsinki", slug="helsinki")
    peer = factories.organisation("City of Malmö", slug="malmo")
    outsider = factories.organisation("City of Elsewhere", slug="elsewhere")
    group = factories.working_group("Circular ICT", members=[owner, peer])
    foreign = factories.working_group("Not ours", members=[outsider])
    # Owners and admins write every type (forums need a manager, the rest an editor).
    return {
        "writer": factories.member(owner, Role.OWNER),
        "peer": factories.member(peer),
        "outsider": factories.member(outsider),
        "group": group,
        "foreign": foreign,
        "owner": owner,
    }


def _client(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_shared_with_a_group_its_members_read_it_and_nobody_else(kind, world):
    body = {**kind.body, "organisation": "helsinki", "visibility": "group"}
    made = _client(world["writer"]).post(
        kind.create, {**body, "shared_groups": [world["group"].slug]}, format="json"
    )
    assert made.status_code == 201, made.content
    url = f"{kind.create}{made.json()[kind.key]}/"
    assert _client(world["peer"]).get(url).status_code == 200
    assert _client(world["outsider"]).get(url).status_code == 404
    assert APIClient().get(url).status_code in (401, 403, 404)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_working_groups_without_a_group_or_with_a_foreign_one_is_refused(kind, world):
    body = {**kind.body, "organisation": "helsinki", "visibility": "group"}
    writer = _client(world["writer"])
    before = writer.get(kind.create).json()["count"]
    none = writer.post(kind.create, body, format="json")
    assert none.status_code == 400, none.content
    assert none.json()["errors"]["shared_groups"] == ["Name the working groups to share it with."]
    foreign = writer.post(kind.create, {**body, "shared_groups": [world["foreign"].slug]}, format="json")
    assert foreign.status_code == 409  # membership is state: allowed once the owner joins
    assert foreign.json()["errors"]["shared_groups"] == [
        f"City of Helsinki is not a member or convener of: {world['foreign'].slug}."
    ]
    assert writer.get(kind.create).json()["count"] == before  # nothing stored


@pytest.mark.parametrize(
    ("add", "edit_prefix", "values"),
    [
        ("/library/lessons/new/", "/library/lessons/", {"title": "Group lesson", "language": "en"}),
        (
            "/library/tenders/new/",
            "/library/tenders/",
            {
                "title": "Group tender",
                "planned_year": "2030",
                "planned_quarter": "2",
                "procedure": "open",
                "status": "planning",
            },
        ),
    ],
    ids=["lesson", "tender"],
)
def test_the_page_offers_the_owners_groups_and_keeps_the_choice(client, world, add, edit_prefix, values):
    client.force_login(world["writer"])
    page = client.get(add).content.decode()
    assert world["group"].name in page and world["foreign"].name not in page
    posted = {**values, "organisation": "helsinki", "visibility": "group"}
    refused = client.post(add, posted)
    assert refused.status_code == 200
    assert refused.context["form"].errors["shared_groups"] == ["Name the working groups to share it with."]
    saved = client.post(add, {**posted, "shared_groups": [world["group"].slug]})
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
    edit = client.get(f"{saved.url}edit/").content.decode()
    assert f'value="{world["group"].slug}" id="id_shared_groups_0" checked' in edit
    client.force_login(world["peer"])
    assert client.get(saved.url).status_code == 200
    client.force_login(world["outsider"])
    assert client.get(saved.url).status_code == 404


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_the_api_shows_the_groups_to_the_owner_and_only_their_own_group_to_a_reader(kind, world):
    """Shared with two groups: the owner's members read both, a member organisation of one group
    reads only that one (the other group is none of its business), as the item's ``shared_groups``."""
    other = factories.working_group("Second group", members=[world["owner"]])
    body = {**kind.body, "organisation": "helsinki", "visibility": "group"}
    both = sorted([world["group"].slug, other.slug])
    made = _client(world["writer"]).post(kind.create, {**body, "shared_groups": both}, format="json")
    assert made.status_code == 201, made.content
    assert sorted(made.json()["shared_groups"]) == both
    url = f"{kind.create}{made.json()[kind.key]}/"
    assert sorted(_client(world["writer"]).get(url).json()["shared_groups"]) == both
    assert _client(world["peer"]).get(url).json()["shared_groups"] == [world["group"].slug]
    edited = _client(world["writer"]).patch(url, {"shared_groups": [other.slug]}, format="json")
    assert edited.status_code == 200, edited.content
    assert edited.json()["shared_groups"] == [other.slug]
    assert _client(world["peer"]).get(url).status_code == 404  # no longer shared with its group

"""Isolation matrix: each visibility by each relation, checked through the policy AND the API.

``build_relations()`` creates the five relations to one owning organisation; ``SURFACES`` lists the
read paths for tenant-owned content (model + optional API/HTML detail URL). Other areas extend the
matrix by appending a :class:`Surface` (or importing ``build_relations`` for their own matrices);
a surface whose URL is not routed yet is checked through ``visible_to``/``can_read`` only.

Expected answers (DESIGN.md's table): ``private`` → the same organisation only; ``group`` → plus
members of organisations in the shared working group; ``network`` → plus members of any verified
organisation; ``public`` → everyone, anonymous included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from members.models import Organisation, Role, WorkingGroup
from network import visibility
from network.visibility import Visibility
from tests.members.factories import member, organisation, working_group

RELATIONS = ["same_organisation", "working_group_peer", "other_verified", "unverified", "anonymous"]

EXPECTED: dict[str, set[str]] = {
    Visibility.PRIVATE: {"same_organisation"},
    Visibility.GROUP: {"same_organisation", "working_group_peer"},
    Visibility.NETWORK: {"same_organisation", "working_group_peer", "other_verified"},
    Visibility.PUBLIC: set(RELATIONS),
}


@dataclass
class Relations:
    """One owning organisation, the working group it shares with, and a person per relation."""

    owner: Organisation
    group: WorkingGroup
    partner: Organisation
    other: Organisation
    unverified_org: Organisation
    people: dict[str, Any] = field(default_factory=dict)

    def person(self, relation: str) -> Any:
        return self.people[relation]


def build_relations() -> Relations:
    """Create the five relations to a verified owning organisation.

    * ``same_organisation``: an editor of the owner;
    * ``working_group_peer``: a member of a verified partner approved in a working group the owner
      convenes (content shared with that group is ``group``-visible to them);
    * ``other_verified``: a member of another verified organisation, in no shared group;
    * ``unverified``: a member of an unverified organisation;
    * ``anonymous``: ``None``.
    """
    owner = organisation("Owner City", country="FI")
    partner = organisation("Partner City", country="SE")
    other = organisation("Other City", country="NO")
    unverified_org = organisation("Unverified City", verified=False, country="DK")
    group = working_group("Shared Working Group", conveners=[owner], members=[partner])
    rel = Relations(owner=owner, group=group, partner=partner, other=other, unverified_org=unverified_org)
    rel.people = {
        "same_organisation": member(owner, Role.EDITOR),
        "working_group_peer": member(partner, Role.MEMBER),
        "other_verified": member(other, Role.OWNER),
        "unverified": member(unverified_org, Role.OWNER),
        "anonymous": None,
    }
    return rel


@dataclass(frozen=True)
class Surface:
    """A tenant-owned model and where it is read: ``make(rel, visibility)`` creates one object."""

    name: str
    make: Callable[[Relations, str], Any]
    api_detail: Callable[[Any], str] | None = None
    api_list: str | None = None
    html_detail: Callable[[Any], str] | None = None


def _template(rel: Relations, vis: str):
    from knowledge.models import TenderTemplate

    tpl = TenderTemplate.objects.create(
        organisation=rel.owner, title=f"Laptop tender ({vis})", visibility=vis
    )
    tpl.shared_groups.set([rel.group])
    return tpl


SURFACES: list[Surface] = [
    Surface(
        name="tender_template",
        make=_template,
        api_detail=lambda obj: f"/api/v1/templates/{obj.pk}/",
        api_list="/api/v1/templates/",
        html_detail=lambda obj: obj.get_absolute_url(),
    ),
]


def _routed(path: str) -> bool:
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def _client(person: Any) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


MATRIX = [
    pytest.param(surface, vis, relation, id=f"{surface.name}-{vis}-{relation}")
    for surface in SURFACES
    for vis in Visibility.values
    for relation in RELATIONS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("surface", "vis", "relation"), MATRIX)
def test_content_visibility_matrix(surface: Surface, vis: str, relation: str):
    rel = build_relations()
    obj = surface.make(rel, vis)
    person = rel.person(relation)
    expected = relation in EXPECTED[vis]
    model = type(obj)

    # the policy, as a queryset filter and as a single-object answer
    assert model.objects.visible_to(person).filter(pk=obj.pk).exists() is expected
    assert visibility.can_read(person, obj) is expected

    # the API: detail is 200 or 404 (never 403: ids reveal nothing); the list holds it or not
    if surface.api_detail and _routed(surface.api_detail(obj)):
        response = _client(person).get(surface.api_detail(obj))
        assert response.status_code == (200 if expected else 404), response.content
    if surface.api_list and _routed(surface.api_list):
        response = _client(person).get(surface.api_list, {"page_size": 100})
        assert response.status_code == 200
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        ids = {row.get("id") for row in rows}
        assert (obj.pk in ids) is expected
    # the HTML page, when the area has one
    if surface.html_detail and _routed(surface.html_detail(obj)):
        from django.test import Client

        client = Client()
        if person is not None:
            client.force_login(person)
        assert client.get(surface.html_detail(obj)).status_code == (200 if expected else 404)


# --- the parts of the policy served by the members API --------------------------------------

GROUP_EXPECTED = {
    WorkingGroup.Visibility.NETWORK: {"same_organisation", "working_group_peer", "other_verified"},
    WorkingGroup.Visibility.PUBLIC: set(RELATIONS),
}


@pytest.mark.django_db
@pytest.mark.parametrize("vis", list(GROUP_EXPECTED))
@pytest.mark.parametrize("relation", RELATIONS)
def test_working_group_visibility_through_the_api(vis: str, relation: str):
    rel = build_relations()
    WorkingGroup.objects.filter(pk=rel.group.pk).update(visibility=vis)
    expected = relation in GROUP_EXPECTED[vis]
    client = _client(rel.person(relation))

    detail = client.get(f"/api/v1/working-groups/{rel.group.slug}/")
    assert detail.status_code == (200 if expected else 404)
    listed = {g["slug"] for g in client.get("/api/v1/working-groups/").json()["results"]}
    assert (rel.group.slug in listed) is expected


@pytest.mark.django_db
def test_unverified_organisation_in_a_network_group_sees_it_as_a_member():
    """Group membership (not verification) is what lets an organisation see its own network group."""
    rel = build_relations()
    from members.models import GroupMembership

    GroupMembership.objects.create(group=rel.group, organisation=rel.unverified_org, status="approved")
    response = _client(rel.person("unverified")).get(f"/api/v1/working-groups/{rel.group.slug}/")
    assert response.status_code == 200


ORG_EXPECTED = {
    # the directory is public for verified organisations; unverified ones only to their members
    "owner": set(RELATIONS),
    "unverified_org": {"unverified"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("target", list(ORG_EXPECTED))
@pytest.mark.parametrize("relation", RELATIONS)
def test_organisation_directory_through_the_api(target: str, relation: str):
    rel = build_relations()
    org = getattr(rel, target)
    expected = relation in ORG_EXPECTED[target]
    client = _client(rel.person(relation))

    assert client.get(f"/api/v1/organisations/{org.slug}/").status_code == (200 if expected else 404)
    listed = {o["slug"] for o in client.get("/api/v1/organisations/", {"page_size": 100}).json()["results"]}
    assert (org.slug in listed) is expected


MEMBER_LIST_EXPECTED = {"same_organisation": 200, "working_group_peer": 403, "other_verified": 403}


@pytest.mark.django_db
@pytest.mark.parametrize("relation", RELATIONS)
def test_member_list_from_other_organisation_is_forbidden(relation: str):
    rel = build_relations()
    response = _client(rel.person(relation)).get(f"/api/v1/organisations/{rel.owner.slug}/members/")
    expected = MEMBER_LIST_EXPECTED.get(relation, 403 if relation == "unverified" else 401)
    if relation == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == expected
    if response.status_code != 200:
        assert rel.person("same_organisation").email not in response.content.decode()


@pytest.mark.django_db
def test_every_relation_gets_a_distinct_answer_somewhere():
    """Guard against a matrix that cannot fail: the five relations are really different people."""
    rel = build_relations()
    viewers = {r: visibility.viewer_for(rel.person(r), fresh=True) for r in RELATIONS}
    assert viewers["same_organisation"].organisation_ids == {rel.owner.pk}
    assert rel.group.pk in viewers["working_group_peer"].group_ids
    assert viewers["other_verified"].verified_member and not viewers["other_verified"].group_ids
    assert not viewers["unverified"].verified_member
    assert viewers["anonymous"].is_anonymous


def test_the_matrix_reaches_real_read_paths_not_only_the_function():
    """At least one content surface is routed, so the matrix above checks HTTP answers too."""
    routed = [
        s.name
        for s in SURFACES
        if (s.api_list and _routed(s.api_list)) or (s.html_detail and _routed("/library/templates/1/"))
    ]
    assert routed, "no content read path is routed: the matrix would only check the policy functions"

"""Organisation directory, profiles, members, me/ and working groups through the API."""

from __future__ import annotations

import pytest

from members.models import GroupMembership, Role, WorkingGroup
from tests.members.factories import api_as, member, organisation, person, working_group

pytestmark = pytest.mark.django_db


def test_directory_filters_by_country_kind_and_name():
    organisation("City of Helsinki", country="FI", kind="municipality")
    organisation("Hansel", country="FI", kind="central_purchasing_body")
    organisation("City of Malmö", country="SE", kind="municipality")
    api = api_as(None)
    names = lambda **q: [o["name"] for o in api.get("/api/v1/organisations/", q).json()["results"]]  # noqa: E731
    assert names(country="fi") == ["City of Helsinki", "Hansel"]
    assert names(kind="municipality") == ["City of Helsinki", "City of Malmö"]
    assert names(country="FI", kind="central_purchasing_body") == ["Hansel"]
    assert names(q="malm") == ["City of Malmö"]
    bad = api.get("/api/v1/organisations/", {"kind": "castle"})
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_unverified_organisation_is_listed_only_to_its_members_and_staff():
    org = organisation("City of Vantaa", slug="vantaa", verified=False)
    owner = member(org, Role.OWNER)
    assert api_as(owner).get("/api/v1/organisations/vantaa/").json()["my_role"] == "owner"
    assert api_as(person(is_staff=True)).get("/api/v1/organisations/vantaa/").status_code == 200


def test_profile_from_other_organisation_is_public_but_members_are_not():
    org = organisation(
        "City of Helsinki", slug="helsinki", people_served=40000, annual_volumes={"laptops": 20000}
    )
    member(org, Role.OWNER, email="owner@hel.example")
    outsider = member(organisation("City of Malmö"), Role.OWNER)
    profile = api_as(outsider).get("/api/v1/organisations/helsinki/").json()
    assert profile["annual_volumes"] == {"laptops": 20000} and profile["my_role"] is None
    assert profile["member_count"] == 1
    members = api_as(outsider).get("/api/v1/organisations/helsinki/members/")
    assert members.status_code == 403 and "owner@hel.example" not in members.content.decode()


def test_invitations_from_other_organisation_are_forbidden_and_own_listed():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    api_as(owner).post(
        "/api/v1/organisations/oulu/invitations/", {"email": "a@oulu.example", "role": "editor"}
    )
    listed = api_as(owner).get("/api/v1/organisations/oulu/invitations/").json()["results"]
    assert [(i["email"], i["role"], i["status"]) for i in listed] == [("a@oulu.example", "editor", "pending")]
    other = member(organisation("City of Turku"), Role.OWNER)
    response = api_as(other).get("/api/v1/organisations/oulu/invitations/")
    assert response.status_code == 403 and "a@oulu.example" not in response.content.decode()


def test_organisation_list_query_count_does_not_grow(django_assert_max_num_queries):
    viewer = member(organisation("Viewer City"), Role.MEMBER)
    api = api_as(viewer)
    for n in range(5):
        member(organisation(f"Town {n}"), Role.OWNER)
    with django_assert_max_num_queries(5) as few:
        assert api.get("/api/v1/organisations/").status_code == 200
    for n in range(5, 30):
        member(organisation(f"Town {n}"), Role.OWNER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get("/api/v1/organisations/", {"page_size": 100})
    assert response.json()["count"] == 31


def test_members_list_query_count_does_not_grow(django_assert_max_num_queries):
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    api = api_as(owner)
    with django_assert_max_num_queries(6) as few:
        assert api.get("/api/v1/organisations/oulu/members/").status_code == 200
    for _ in range(30):
        member(org, Role.MEMBER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get("/api/v1/organisations/oulu/members/", {"page_size": 100})
    assert response.json()["count"] == 31
    assert response.json()["results"][0]["role"] == "owner"  # owners first


def test_working_group_list_query_count_does_not_grow(django_assert_max_num_queries):
    api = api_as(member(organisation(), Role.MEMBER))
    working_group(conveners=[organisation()], members=[organisation()], visibility="public")
    with django_assert_max_num_queries(8) as few:
        api.get("/api/v1/working-groups/")
    for _ in range(10):
        working_group(
            conveners=[organisation()], members=[organisation(), organisation()], visibility="public"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/v1/working-groups/").json()["results"]) == 11


def test_me_lists_memberships_and_roles():
    p = person("me@example.org", name="Maija")
    member_of = organisation("City of Oulu", slug="oulu")
    from members.models import Membership

    Membership.objects.create(person=p, organisation=member_of, role=Role.SIGNATORY)
    body = api_as(p).get("/api/v1/me/").json()
    assert body["email"] == "me@example.org" and body["name"] == "Maija" and body["has_mfa"] is False
    assert body["memberships"] == [
        {
            "organisation": {
                "slug": "oulu",
                "name": "City of Oulu",
                "country": "FI",
                "kind": "municipality",
                "verified": True,
            },
            "role": "signatory",
        }
    ]
    assert api_as(None).get("/api/v1/me/").status_code in (401, 403)


def test_working_group_create_join_approve_through_the_api():
    fisd = organisation("Federal Institute", slug="fisd")
    chair = member(fisd, Role.ADMIN)
    response = api_as(chair).post(
        "/api/v1/working-groups/",
        {
            "name": "Ethical ICT",
            "slug": "ethical-ict",
            "convener": "fisd",
            "visibility": "public",
            "description": "Labels and clauses.",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["conveners"][0]["slug"] == "fisd" and response.json()["slug"] == "ethical-ict"

    ghent = organisation("City of Ghent", slug="ghent")
    applicant = member(ghent, Role.OWNER)
    joined = api_as(applicant).post(
        "/api/v1/working-groups/ethical-ict/join/", {"organisation": "ghent", "note": "We buy 3,000 laptops"}
    )
    assert joined.status_code == 202 and joined.json()["status"] == "pending"
    pending = api_as(chair).get("/api/v1/working-groups/ethical-ict/requests/").json()["results"]
    assert [r["organisation"]["slug"] for r in pending] == ["ghent"]
    assert api_as(applicant).get("/api/v1/working-groups/ethical-ict/requests/").status_code == 403
    assert (
        api_as(applicant).post("/api/v1/working-groups/ethical-ict/requests/ghent/approve/").status_code
        == 403
    )

    approved = api_as(chair).post("/api/v1/working-groups/ethical-ict/requests/ghent/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    detail = api_as(None).get("/api/v1/working-groups/ethical-ict/").json()
    assert [m["slug"] for m in detail["members"]] == ["ghent"]


def test_working_group_bad_input():
    fisd = organisation("Federal Institute", slug="fisd")
    chair = member(fisd, Role.ADMIN)
    editor = member(fisd, Role.EDITOR)
    working_group("Ethical ICT", conveners=[fisd], visibility="public")
    api = api_as(chair)
    dup = api.post("/api/v1/working-groups/", {"name": "ETHICAL ict", "convener": "fisd"})
    assert dup.status_code == 409 and "name" in dup.json()["errors"]  # taken: a conflict
    not_mine = api.post("/api/v1/working-groups/", {"name": "Another", "convener": "someone-else"})
    assert not_mine.status_code == 400 and "convener" in not_mine.json()["errors"]
    assert (
        api_as(editor).post("/api/v1/working-groups/", {"name": "Mine", "convener": "fisd"}).status_code
        == 400
    )
    assert WorkingGroup.objects.count() == 1
    # joining for an organisation one does not manage
    ghent = organisation("City of Ghent", slug="ghent")
    ghent_member = member(ghent, Role.MEMBER)
    response = api_as(ghent_member).post(
        "/api/v1/working-groups/ethical-ict/join/", {"organisation": "ghent"}
    )
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    # deciding on an organisation that never asked
    assert api.post("/api/v1/working-groups/ethical-ict/requests/ghent/approve/").status_code == 404
    assert not GroupMembership.objects.exists()


def test_network_working_group_from_other_organisation_unverified_is_404():
    group = working_group("Closed circle", conveners=[organisation()], visibility="network")
    outsider = member(organisation(verified=False), Role.OWNER)
    assert api_as(outsider).get(f"/api/v1/working-groups/{group.slug}/").status_code == 404
    assert (
        api_as(outsider).post(f"/api/v1/working-groups/{group.slug}/join/", {"organisation": "x"}).status_code
        == 404
    )


def test_schema_documents_the_members_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in [
        "/api/v1/organisations/",
        "/api/v1/organisations/{slug}/",
        "/api/v1/organisations/{slug}/verify/",
        "/api/v1/organisations/{slug}/members/",
        "/api/v1/organisations/{slug}/members/{id}/",
        "/api/v1/organisations/{slug}/invitations/",
        "/api/v1/organisations/{slug}/invitations/{id}/revoke/",
        "/api/v1/invitations/{key}/accept/",
        "/api/v1/working-groups/",
        "/api/v1/working-groups/{slug}/",
        "/api/v1/working-groups/{slug}/join/",
        "/api/v1/working-groups/{slug}/requests/{organisation}/approve/",
        "/api/v1/working-groups/{slug}/requests/{organisation}/decline/",
        "/api/v1/me/",
    ]:
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/organisations/{slug}/"]) >= {"get", "patch"}
    assert "put" not in schema["paths"]["/api/v1/organisations/{slug}/"]
    assert set(schema["paths"]["/api/v1/organisations/{slug}/members/{id}/"]) >= {"patch", "delete"}
    params = {p["name"] for p in schema["paths"]["/api/v1/organisations/"]["get"]["parameters"]}
    assert {"country", "kind", "q"} <= params


def test_schema_generates_without_warnings_for_the_members_enums():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert "OrganisationKindEnum" in components and "WorkingGroupVisibilityEnum" in components
    assert components["WorkingGroupVisibilityEnum"]["enum"] == ["network", "public"]

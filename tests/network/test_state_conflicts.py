"""A refusal by the current state is a 409, a refusal of the input's shape a 400 (#20 item 14).

A name another organisation already has, a template with no published version yet, a domain staff
have not verified, a member asking to join again: the request is well formed and would be accepted
another time. Services mark such messages :func:`network.validation.conflict`; the API answers them
409 with the same ``{"detail", "errors"}`` body as a 400, the schema documents 409 on those
operations, and pages show the same message next to the field as before.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from members.models import Organisation, Role, WorkingGroup
from network import validation
from tests import factories

pytestmark = pytest.mark.django_db


def _api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def _conflict(response) -> dict[str, list[str]]:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["detail"] and body["errors"], body
    return body["errors"]


# --- the mechanism -----------------------------------------------------------------------------


def test_only_an_error_made_wholly_of_state_rules_is_a_conflict():
    taken = validation.conflict({"name": "Taken."})
    assert validation.is_conflict(taken)
    assert not validation.is_conflict(ValidationError({"name": "Blank."}))
    mixed: dict[str, list] = {"title": ["Blank."]}
    validation.merge(mixed, taken)  # merging keeps each message's code
    assert not validation.is_conflict(ValidationError(mixed))
    alone: dict[str, list] = {}
    validation.merge(alone, taken)
    assert validation.is_conflict(ValidationError(alone))


def test_a_shape_problem_beside_a_state_rule_is_a_400_with_both_messages():
    org = factories.organisation("City of Turku", slug="turku")
    owner = factories.member(org, Role.OWNER)
    api = _api(owner)
    assert (
        api.post("/api/v1/forums/", {"organisation": "turku", "name": "Laptops"}, format="json").status_code
        == 201
    )
    response = api.post(
        "/api/v1/forums/",
        {"organisation": "turku", "name": "LAPTOPS", "description": "d" * 5001},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"name", "description"}


# --- each state rule, API and page -------------------------------------------------------------


def test_a_taken_organisation_name_is_a_409_in_the_api_and_the_same_message_on_the_page():
    factories.organisation("City of Helsinki", slug="helsinki")
    someone = factories.person()
    errors = _conflict(
        _api(someone).post("/api/v1/organisations/", {"name": "CITY of Helsinki", "country": "FI"})
    )
    page = Client()
    page.force_login(someone)
    response = page.post(
        "/organisations/new/", {"name": "CITY of Helsinki", "country": "FI", "kind": "municipality"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == errors["name"]
    assert Organisation.objects.count() == 1


def test_a_taken_working_group_name_or_address_is_a_409():
    fisd = factories.organisation("Federal Institute", slug="fisd")
    chair = factories.member(fisd, Role.ADMIN)
    factories.working_group("Ethical ICT", conveners=[fisd])
    api = _api(chair)
    assert "name" in _conflict(
        api.post("/api/v1/working-groups/", {"name": "ETHICAL ict", "convener": "fisd"})
    )
    assert "slug" in _conflict(
        api.post("/api/v1/working-groups/", {"name": "Other", "slug": "ethical-ict", "convener": "fisd"})
    )
    page = Client()
    page.force_login(chair)
    response = page.post(
        "/working-groups/new/",
        {"name": "ETHICAL ict", "convener": fisd.pk, "description": "", "visibility": "network"},
    )
    assert "is already taken" in str(response.context["form"].errors["name"])
    assert WorkingGroup.objects.count() == 1


def test_the_convener_or_a_member_asking_to_join_is_a_409():
    fisd = factories.organisation("Federal Institute", slug="fisd")
    ghent = factories.organisation("City of Ghent", slug="ghent")
    factories.working_group("Ethical ICT", conveners=[fisd], members=[ghent])
    convener = _api(factories.member(fisd, Role.OWNER))
    member = _api(factories.member(ghent, Role.OWNER))
    assert _conflict(convener.post("/api/v1/working-groups/ethical-ict/join/", {"organisation": "fisd"}))[
        "organisation"
    ] == ["Federal Institute convenes this group."]
    assert _conflict(member.post("/api/v1/working-groups/ethical-ict/join/", {"organisation": "ghent"}))[
        "organisation"
    ] == ["City of Ghent is already a member of this group."]


def test_forking_a_template_never_published_is_a_409_and_works_once_published():
    org = factories.organisation("City of Oulu", slug="oulu")
    api = _api(factories.member(org, Role.EDITOR))
    created = api.post("/api/v1/templates/", {"organisation": "oulu", "title": "Laptops"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    errors = _conflict(api.post(f"/api/v1/templates/{pk}/fork/", {"organisation": "oulu"}, format="json"))
    assert errors == {"version": ["This template has no published version to fork yet."]}
    assert api.post(f"/api/v1/templates/{pk}/versions/", {}, format="json").status_code == 201
    assert (
        api.post(f"/api/v1/templates/{pk}/fork/", {"organisation": "oulu"}, format="json").status_code == 201
    )


def test_the_schema_documents_409_on_every_operation_a_state_rule_refuses():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for method, path in [
        ("post", "/api/v1/organisations/"),
        ("patch", "/api/v1/organisations/{slug}/"),
        ("post", "/api/v1/working-groups/"),
        ("post", "/api/v1/working-groups/{slug}/join/"),
        ("post", "/api/v1/templates/{id}/fork/"),
        ("put", "/api/v1/organisations/{slug}/sso/"),
        ("post", "/api/v1/forums/"),
    ]:
        response = schema["paths"][path][method]["responses"]["409"]
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}

"""References and vocabularies in API input (#20 item 14, the positive-data check).

A body that names a row the caller cannot find (an id, a slug, a label) is well formed: the same
request succeeds once the row exists and is shared, so it is a state rule (409), and a missing row
and one the caller may not read get the same answer. What the schema can state, it states: CPV
codes (pattern and the ``cpv-code`` format), time zones (an enum of the names the server loads),
euro amounts (a pattern the model accepts), not-blank criterion texts and "only award criteria
carry a weight" (an ``anyOf``), so schema-valid data is not refused with a 400.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from members.models import Membership, Organisation, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def _component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def _api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.fixture
def world():
    """Two organisations; the other one keeps a private template, a private tender."""
    mine = factories.organisation("City of Espoo", slug="espoo", verified=True)
    other = factories.organisation("City of Oulu", slug="oulu", verified=True)
    author = factories.member(mine, Role.EDITOR)
    theirs = _api(factories.member(other, Role.EDITOR))
    template = theirs.post(
        "/api/v1/templates/", {"organisation": "oulu", "title": "Private laptops"}, format="json"
    )
    assert template.status_code == 201, template.content
    return {"author": author, "private_template": template.json()["id"]}


TENDER = {"organisation": "espoo", "title": "Laptops 2027", "planned_year": 2027, "planned_quarter": 2}


def _template_with(criterion: dict) -> dict:
    """A template body with one technical criterion carrying ``criterion``'s extra values."""
    first = {"stage": "technical_specification", "title": "Repairable", "text": "Spare parts.", **criterion}
    return {"organisation": "espoo", "title": "Phones", "criteria": [first]}


def _conflict(response) -> dict[str, list[str]]:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["detail"] and body["errors"], body
    return body["errors"]


def test_a_lesson_naming_a_missing_or_unreadable_item_is_a_conflict_that_says_the_same(world):
    api = _api(world["author"])
    body = {"organisation": "espoo", "title": "What we learnt", "body": "Ask for spare parts."}
    hidden = _conflict(
        api.post(
            "/api/v1/lessons/", {**body, "related_templates": [world["private_template"]]}, format="json"
        )
    )
    missing_id = world["private_template"] + 1000
    missing = _conflict(
        api.post("/api/v1/lessons/", {**body, "related_templates": [missing_id]}, format="json")
    )
    # the same words for both, so the answer confirms nothing about the private template
    assert hidden["related_templates"] == [f"No item you can read has the id {world['private_template']}."]
    assert missing["related_templates"] == [f"No item you can read has the id {missing_id}."]
    # a shape problem beside it keeps the whole a 400
    response = api.post(
        "/api/v1/lessons/", {**body, "title": "", "related_templates": [missing_id]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"title", "related_templates"}


def test_a_tender_naming_an_unreadable_template_is_a_conflict(world):
    response = _api(world["author"]).post(
        "/api/v1/tenders/",
        {**TENDER, "templates": [world["private_template"]]},
        format="json",
    )
    assert _conflict(response)["templates"] == [
        f"No item you can read has the id {world['private_template']}."
    ]


def test_a_slug_naming_no_row_the_caller_may_name_is_a_conflict(world):
    """DRF's own "does not exist" (``ScopedSlugRelatedField``): a working group nobody has."""
    response = _api(world["author"]).post(
        "/api/v1/statements/",
        {
            "organisation": "espoo",
            "title": "Fair phones",
            "body": "We buy fair.",
            "working_group": "closed-circle",
        },
        format="json",
    )
    errors = _conflict(response)
    assert errors == {"working_group": ["Object with slug=closed-circle does not exist."]}


CREATES_WITHOUT_ORGANISATION = {
    "/api/v1/lessons/": {"title": "What we learnt", "body": "Ask for spare parts."},
    "/api/v1/templates/": {"title": "Phones"},
    "/api/v1/tenders/": {"title": "Laptops 2027", "planned_year": 2027, "planned_quarter": 2},
    "/api/v1/resources/": {"title": "Guide", "kind": "guide", "url": "https://example.org/guide"},
}


@pytest.mark.parametrize("url", CREATES_WITHOUT_ORGANISATION)
def test_a_create_without_organisation_needs_one_only_from_who_edits_for_several(world, url):
    """The organisation may be left out by someone editing for one; for several it is a 409 (the
    stateful run met lessons and resources answering 400), with no row written."""
    body = CREATES_WITHOUT_ORGANISATION[url]
    author = world["author"]
    created = _api(author).post(url, body, format="json")
    assert created.status_code == 201, created.content
    Membership.objects.create(
        person=author, organisation=factories.organisation("City of Vantaa", slug="vantaa"), role=Role.EDITOR
    )
    author = type(author).objects.get(pk=author.pk)  # the policy caches memberships per instance
    listed_before = _api(author).get(url).json()["count"]
    errors = _conflict(_api(author).post(url, body, format="json"))
    assert errors == {"organisation": ["Name the organisation (its slug)."]}
    assert _api(author).get(url).json()["count"] == listed_before
    named = _api(author).post(url, {**body, "organisation": "vantaa"}, format="json")
    assert named.status_code == 201, named.content


def test_unknown_labels_are_a_conflict_on_resources_and_criteria(world):
    api = _api(world["author"])
    resource = api.post(
        "/api/v1/resources/",
        {"organisation": "espoo", "title": "Guide", "url": "https://example.org/guide", "labels": ["nope"]},
        format="json",
    )
    assert _conflict(resource)["labels"] == ["Unknown label."]
    template = api.post(
        "/api/v1/templates/",
        _template_with({"labels": ["nope"]}),
        format="json",
    )
    assert _conflict(template)["criteria"] == ["Criterion 1: Unknown label “nope”."]


def test_an_event_for_a_group_the_organisation_is_not_in_is_a_conflict(world):
    factories.working_group("Elsewhere", conveners=[factories.organisation("Region Y", verified=True)])
    # a group the author's organisation may see (public) but is not a member of
    response = _api(world["author"]).post(
        "/api/v1/events/",
        {
            "organisation": "espoo",
            "title": "Market day",
            "starts_at": "2030-03-01T10:00:00+02:00",
            "ends_at": "2030-03-01T12:00:00+02:00",
            "place": "Espoo",
            "working_group": "elsewhere",
        },
        format="json",
    )
    assert "working_group" in _conflict(response)


def test_cpv_codes_state_their_format(schema):
    for component in (
        "TemplateWriteRequest",
        "TenderWriteRequest",
        "EventWriteRequest",
        "ResourceWriteRequest",
    ):
        items = _component(schema, component)["properties"]["cpv_codes"]["items"]
        assert items["format"] == "cpv-code"
        assert re.fullmatch(items["pattern"], "30213100-6") and not re.fullmatch(
            items["pattern"], "302131006"
        )
    demand = _component(schema, "StatementDemandInputRequest")["properties"]["cpv_code"]
    code, blank = demand["oneOf"]
    assert code["format"] == "cpv-code" and code["pattern"] == items["pattern"] and blank["maxLength"] == 0


def test_time_zones_are_the_names_the_server_loads(schema, world):
    zones = _component(schema, "TimeZoneEnum")["enum"]
    assert "Europe/Helsinki" in zones and "UTC" in zones
    assert "localtime" not in zones and "Factory" not in zones
    response = _api(world["author"]).post(
        "/api/v1/events/",
        {
            "organisation": "espoo",
            "title": "Market day",
            "starts_at": "2030-03-01T10:00:00+02:00",
            "ends_at": "2030-03-01T12:00:00+02:00",
            "place": "Espoo",
            "time_zone": "localtime",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["time_zone"] == ["“localtime” is not a known time zone."]


def test_euro_amounts_state_what_the_model_holds(schema, world):
    pattern = _component(schema, "TenderWriteRequest")["properties"]["estimated_value_eur"]["pattern"]
    assert re.fullmatch(pattern, "125000.50") and re.fullmatch(pattern, "7")
    for refused in ("", "-5", ".", "1.234", "Procurement stage"):
        assert not re.fullmatch(pattern, refused)
    api = _api(world["author"])
    body = TENDER
    assert (
        api.post("/api/v1/tenders/", {**body, "estimated_value_eur": "125000.50"}, format="json").status_code
        == 201
    )
    assert (
        api.post("/api/v1/tenders/", {**body, "estimated_value_eur": "-5"}, format="json").status_code == 400
    )


def test_criteria_state_not_blank_texts_and_weights_only_on_award(schema, world):
    criterion = _component(schema, "CriterionWriteRequest")
    assert set(criterion["required"]) >= {"stage", "title", "text"}
    assert criterion["properties"]["title"]["minLength"] == 1
    (rule,) = criterion["allOf"]
    award, no_weight = rule["anyOf"]
    assert award["required"] == ["stage"] and re.fullmatch(award["properties"]["stage"]["pattern"], "award")
    assert no_weight["properties"]["weight"] == {"not": {"type": "integer"}}  # absent or null
    response = _api(world["author"]).post(
        "/api/v1/templates/",
        _template_with({"weight": 40}),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["criteria"] == ["Criterion 1: Only award criteria carry a weight."]


def test_clearing_an_events_place_depends_on_its_stored_link(world):
    """A PATCH that clears the place is fine where the event has an online link and a state rule
    (409) where it has none (sending the stored blank link again keeps it as stored); a create
    with neither is the input's shape (400), which the create schema states."""
    api = _api(world["author"])
    base = {
        "organisation": "espoo",
        "title": "Market day",
        "starts_at": "2030-03-01T10:00:00+02:00",
        "ends_at": "2030-03-01T12:00:00+02:00",
    }
    on_site = api.post("/api/v1/events/", {**base, "place": "Espoo"}, format="json").json()["slug"]
    hybrid = api.post(
        "/api/v1/events/",
        {**base, "place": "Espoo", "online_url": "https://meet.example.org/x"},
        format="json",
    ).json()["slug"]
    response = api.patch(f"/api/v1/events/{on_site}/", {"place": ""}, format="json")
    assert _conflict(response)["place"] == ["Give a place, an online link or both."]
    assert api.patch(f"/api/v1/events/{hybrid}/", {"place": ""}, format="json").status_code == 200
    both = api.patch(f"/api/v1/events/{on_site}/", {"place": "", "online_url": ""}, format="json")
    assert both.status_code == 409  # the online link was kept as stored ("" before, "" now)
    assert api.post("/api/v1/events/", base, format="json").status_code == 400


def test_working_groups_visibility_states_that_it_names_groups(schema, world):
    for component in (
        "ForumWriteRequest",
        "TemplateWriteRequest",
        "EventWriteRequest",
        "ResourceWriteRequest",
    ):
        rules = [r["anyOf"] for r in _component(schema, component).get("allOf", [])]
        assert [
            {"properties": {"visibility": {"not": {"pattern": "^(?:group)$"}}}},
            {"required": ["shared_groups"], "properties": {"shared_groups": {"minItems": 1}}},
        ] in rules, component
    api = _api(factories.member(Organisation.objects.get(slug="espoo"), Role.ADMIN))  # forums: admins
    created = api.post("/api/v1/forums/", {"organisation": "espoo", "name": "Laptops"}, format="json")
    assert created.status_code == 201, created.content
    forum = created.json()["id"]
    # a create without groups is the input's shape; a PATCH keeping the stored (no) groups is state
    bad = api.post(
        "/api/v1/forums/", {"organisation": "espoo", "name": "Phones", "visibility": "group"}, format="json"
    )
    assert bad.status_code == 400
    patch = api.patch(f"/api/v1/forums/{forum}/", {"visibility": "group"}, format="json")
    assert _conflict(patch)["shared_groups"] == ["Name the working groups to share it with."]


def test_interest_in_ones_own_tender_is_a_conflict(world):
    """The stateful run met it: the same body is accepted for another organisation's tender."""
    api = _api(world["author"])
    tender = api.post("/api/v1/tenders/", TENDER, format="json")
    assert tender.status_code == 201, tender.content
    response = api.post(
        f"/api/v1/tenders/{tender.json()['id']}/interest/", {"organisation": "espoo"}, format="json"
    )
    assert _conflict(response) == {"organisation": ["This is your own organisation's tender."]}

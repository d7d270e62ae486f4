"""The OpenAPI schema states the rules the server applies to request bodies (#20 item 14).

Rules live on the models and run once in the services (#18); :mod:`network.api.fields` publishes
them in the schema (``ModelTextInput``, ``ModelIntegerInput``) and :class:`network.api.schema.AutoSchema`
adds what DRF and Django apply to every field (trimmed text is not blank, ``URLValidator``'s URLs),
so data valid by the schema is accepted (schemathesis' ``positive_data_acceptance``).
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from forums import services as forum_services
from forums.models import Forum
from members.models import Role
from network.api.fields import NOT_BLANK, URL_PATTERN
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def _request(schema: dict, path: str, method: str) -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][name]


@pytest.mark.parametrize(
    ("path", "field", "required"),
    [
        ("/api/v1/lessons/", "title", {"title"}),
        ("/api/v1/templates/", "title", {"title"}),
        ("/api/v1/tenders/", "title", {"title", "planned_year", "planned_quarter"}),
        ("/api/v1/statements/", "title", {"organisation", "title", "body"}),
        ("/api/v1/forums/", "name", {"organisation", "name"}),
        ("/api/v1/resources/", "title", {"title"}),
        ("/api/v1/events/", "title", {"organisation", "title", "starts_at", "ends_at"}),
    ],
)
def test_a_create_states_the_models_needed_not_blank_and_longest_title(schema, path, field, required):
    body = _request(schema, path, "post")
    assert required <= set(body["required"]), body["required"]
    title = body["properties"][field]
    assert title["minLength"] == 1 and title["maxLength"] == 200, title
    assert re.search(title["pattern"], "x") and not re.search(title["pattern"], " \t\x85\x1c\u3000")
    assert "oneOf" not in title  # "" is not offered as an alternative


def test_tender_year_and_quarter_state_the_models_bounds_and_are_not_nullable(schema):
    body = _request(schema, "/api/v1/tenders/", "post")["properties"]
    assert (body["planned_year"]["minimum"], body["planned_year"]["maximum"]) == (2000, 2100)
    assert (body["planned_quarter"]["minimum"], body["planned_quarter"]["maximum"]) == (1, 4)
    assert "nullable" not in body["planned_year"] and body["estimated_quantity"]["nullable"] is True


def test_a_patch_needs_nothing(schema):
    for path in (
        "/api/v1/lessons/{id}/",
        "/api/v1/posts/{id}/",
        "/api/v1/forums/{id}/",
        "/api/v1/resources/{id}/",
    ):
        assert "required" not in _request(schema, path, "patch"), path


def test_a_forum_patch_does_not_offer_to_move_it(schema):
    assert "organisation" not in _request(schema, "/api/v1/forums/{id}/", "patch")["properties"]
    assert "organisation" in _request(schema, "/api/v1/forums/", "post")["required"]


def test_url_fields_state_the_urls_django_accepts(schema):
    website = _request(schema, "/api/v1/organisations/", "post")["properties"]["website"]["oneOf"][0]
    assert website["pattern"] == URL_PATTERN and "format" not in website
    assert re.search(URL_PATTERN, "https://www.hel.fi/en/") and not re.search(
        URL_PATTERN, "events:guest_cancel"
    )


def test_trimmed_text_that_must_not_be_blank_says_so_and_slugs_keep_their_pattern(schema):
    fork = _request(schema, "/api/v1/organisations/", "post")["properties"]
    assert fork["name"]["pattern"] == NOT_BLANK
    assert fork["slug"]["pattern"] == "^[-a-zA-Z0-9_]+$"


def test_a_missing_title_still_gets_the_models_message_not_drfs():
    org = factories.organisation("City of Oulu", slug="oulu")
    api = APIClient()
    api.force_authenticate(factories.member(org, Role.EDITOR))
    response = api.post("/api/v1/lessons/", {"organisation": "oulu"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"title": ["A lesson needs a title."]}
    response = api.post("/api/v1/lessons/", {"organisation": "oulu", "title": None}, format="json")
    assert response.json()["errors"] == {"title": ["A lesson needs a title."]}


def test_a_post_patch_without_text_changes_nothing_and_a_forum_patch_never_moves_it():
    org = factories.organisation("City of Turku", slug="turku")
    other = factories.organisation("City of Oulu", slug="oulu")
    owner = factories.member(org, Role.OWNER)
    factories.member(other, Role.OWNER, email=None)
    forum = forum_services.organisation_forum_create(
        actor=owner, organisation=org, data=forum_services.ForumData(name="Laptops")
    )
    thread = forum_services.thread_create(person=owner, forum=forum, title="Batteries", body="First")
    post = thread.posts.get()
    api = APIClient()
    api.force_authenticate(owner)
    response = api.patch(f"/api/v1/posts/{post.pk}/", {}, format="json")
    assert response.status_code == 200, response.content
    post.refresh_from_db()
    assert post.body == "First" and post.edited_at is None
    response = api.patch(
        f"/api/v1/forums/{forum.pk}/", {"organisation": "oulu", "name": "Laptops 2"}, format="json"
    )
    assert response.status_code == 200, response.content
    forum.refresh_from_db()
    assert (forum.organisation, forum.name) == (org, "Laptops 2")
    assert Forum.objects.filter(organisation=other).count() == 0


def test_rules_across_fields_are_stated_from_the_models_declarations(schema):
    event = _request(schema, "/api/v1/events/", "post")
    assert [branch["required"] for branch in event["anyOf"]] == [["place"], ["online_url"]]
    assert event["properties"]["ends_at"]["x-after"] == "starts_at"
    statement = _request(schema, "/api/v1/statements/", "post")
    assert statement["properties"]["closes_on"]["x-not-before"] == "opens_on"
    assert "anyOf" not in _request(schema, "/api/v1/events/{slug}/", "patch")  # PATCH is partial
    content = schema["paths"]["/api/v1/resources/"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    upload = schema["components"]["schemas"][
        content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert [branch["required"] for branch in upload["anyOf"]] == [["url"], ["attachment"]]
    assert [branch["required"] for branch in _request(schema, "/api/v1/resources/", "post")["anyOf"]] == [
        ["url"]
    ]


def test_an_event_long_ago_is_written_as_rfc_3339():
    """Helsinki's local mean time (+01:39:49 before 1921) has seconds RFC 3339 cannot write."""
    org = factories.organisation("City of Espoo", slug="espoo")
    api = APIClient()
    api.force_authenticate(factories.member(org, Role.OWNER))
    response = api.post(
        "/api/v1/events/",
        {
            "organisation": "espoo",
            "title": "Founding",
            "place": "Espoo",
            "starts_at": "1900-01-01T10:00:00Z",
            "ends_at": "1900-01-01T12:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rfc3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
    assert re.match(rfc3339, response.json()["starts_at"]), response.json()["starts_at"]
    assert response.json()["starts_at"] == "1900-01-01T10:00:00Z"

"""One validation layer per write (#18): the page's form and the API report the model's message.

For a few representative rules of planned tenders and lessons, the same bad value goes through the
create page, the API's POST, the edit page and the API's PATCH: each surface shows the one message
declared on the model field, and nothing (neither the row nor a field sent beside the bad one) is
stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.models import Criterion, Lesson, PlannedTender, TenderTemplate
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db

TENDER_PAGE = {
    "title": "Laptops 2028",
    "description": "",
    "cpv_codes": "30213100-6",
    "estimated_quantity": "100",
    "estimated_value_eur": "250000",
    "planned_year": "2028",
    "planned_quarter": "2",
    "procedure": "open",
    "status": "planning",
    "visibility": "network",
}
TENDER_API = {
    "title": "Laptops 2028",
    "cpv_codes": ["30213100-6"],
    "estimated_quantity": 100,
    "estimated_value_eur": "250000",
    "planned_year": 2028,
    "planned_quarter": 2,
    "procedure": "open",
    "status": "planning",
    "visibility": "network",
}

#: field, value on the page, value in the API, the model's message
TENDER_RULES = [
    ("title", "  ", "  ", "A planned tender needs a title."),
    ("planned_year", "1999", 1999, "Give a year such as 2026."),
    ("planned_year", "", None, "Give a year such as 2026."),
    ("planned_quarter", "5", 5, "Choose a quarter from 1 to 4."),
    ("estimated_quantity", "-3", -3, "A quantity is a whole number of 0 or more."),
    ("estimated_value_eur", "-1", "-1", "Give an amount in euros, e.g. 250000."),
    ("estimated_value_eur", "1000000000000", "1000000000000", "Give an amount in euros, e.g. 250000."),
    ("procedure", "auction", "auction", "Choose a procedure."),
    ("strategic_goals", ["green:nope"], ["green:nope"], "“green:nope” is not a valid choice."),
]

LESSON_PAGE = {"title": "Market dialogue", "language": "en", "visibility": "network", "tags": "laptops"}
LESSON_API = {"title": "Market dialogue", "language": "en", "visibility": "network", "tags": ["laptops"]}
MANY_TAGS = [f"tag{i}" for i in range(31)]
LESSON_RULES = [
    ("title", "", "", "A lesson needs a title."),
    ("language", "xx", "xx", "Choose a language."),
    ("tags", "x" * 51, ["x" * 51], "A tag has at most 50 characters."),
    ("tags", ", ".join(MANY_TAGS), MANY_TAGS, "At most 30 tags."),
    ("stages", ["bogus"], ["bogus"], "“bogus” is not a valid choice."),
]


@pytest.fixture
def helsinki():
    return f.organisation("Helsinki", slug="helsinki")


def _page_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def _api_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"]
    return body["errors"]


@pytest.mark.parametrize(("name", "page_value", "api_value", "message"), TENDER_RULES)
def test_a_planned_tender_rule_speaks_the_same_on_the_page_and_in_the_api(
    client, api_client, helsinki, name, page_value, api_value, message
):
    author = kf.editor(helsinki)
    client.force_login(author)
    api_client.force_authenticate(author)

    page = client.post("/library/tenders/new/", {"organisation": "helsinki", **TENDER_PAGE, name: page_value})
    assert _page_errors(page) == {name: [message]}
    api = api_client.post(
        "/api/v1/tenders/", {"organisation": "helsinki", **TENDER_API, name: api_value}, format="json"
    )
    assert _api_errors(api) == {name: [message]}
    assert not PlannedTender.objects.exists()

    # An edit with the same bad value (and a good new title beside it) keeps the row as it was.
    tender = kf.tender(author, helsinki, title="Stored title", visibility="network")
    before = PlannedTender.objects.filter(pk=tender.pk).values().get()
    other_title = {} if name == "title" else {"title": "Changed title"}
    edit = client.post(
        f"/library/tenders/{tender.pk}/edit/", {**TENDER_PAGE, **other_title, name: page_value}
    )
    assert _page_errors(edit) == {name: [message]}
    patch = api_client.patch(f"/api/v1/tenders/{tender.pk}/", {**other_title, name: api_value}, format="json")
    assert _api_errors(patch) == {name: [message]}
    assert PlannedTender.objects.filter(pk=tender.pk).values().get() == before
    assert [c.full_code for c in PlannedTender.objects.get(pk=tender.pk).cpv_codes.all()] == ["30213100-6"]


@pytest.mark.parametrize(("name", "page_value", "api_value", "message"), LESSON_RULES)
def test_a_lesson_rule_speaks_the_same_on_the_page_and_in_the_api(
    client, api_client, helsinki, name, page_value, api_value, message
):
    author = kf.editor(helsinki)
    client.force_login(author)
    api_client.force_authenticate(author)

    page = client.post("/library/lessons/new/", {"organisation": "helsinki", **LESSON_PAGE, name: page_value})
    assert _page_errors(page) == {name: [message]}
    api = api_client.post(
        "/api/v1/lessons/", {"organisation": "helsinki", **LESSON_API, name: api_value}, format="json"
    )
    assert _api_errors(api) == {name: [message]}
    assert not Lesson.objects.exists()

    lesson = kf.lesson(author, helsinki, title="Stored lesson", tags=["kept"])
    before = Lesson.objects.filter(pk=lesson.pk).values().get()
    other_title = {} if name == "title" else {"title": "Changed title"}
    edit = client.post(
        f"/library/lessons/{lesson.pk}/edit/", {**LESSON_PAGE, **other_title, name: page_value}
    )
    assert _page_errors(edit) == {name: [message]}
    patch = api_client.patch(f"/api/v1/lessons/{lesson.pk}/", {**other_title, name: api_value}, format="json")
    assert _api_errors(patch) == {name: [message]}
    assert Lesson.objects.filter(pk=lesson.pk).values().get() == before


def test_every_problem_of_a_tender_is_reported_at_once_with_what_was_typed_kept(client, helsinki):
    client.force_login(kf.editor(helsinki))
    bad = {"planned_year": "1999", "planned_quarter": "0", "cpv_codes": "30213100-1", "title": "Keep me"}
    response = client.post("/library/tenders/new/", {"organisation": "helsinki", **TENDER_PAGE, **bad})
    errors = _page_errors(response)
    assert set(errors) == {"planned_year", "planned_quarter", "cpv_codes"}
    assert 'value="Keep me"' in response.content.decode()
    assert not PlannedTender.objects.exists()


def test_a_valid_partial_edit_through_the_api_changes_only_what_was_sent(api_client, helsinki):
    author = kf.editor(helsinki)
    tender = kf.tender(author, helsinki, title="Stored title", visibility="network")
    api_client.force_authenticate(author)
    response = api_client.patch(f"/api/v1/tenders/{tender.pk}/", {"planned_quarter": 4}, format="json")
    assert response.status_code == 200, response.content
    tender.refresh_from_db()
    assert (tender.title, tender.planned_year, tender.planned_quarter) == ("Stored title", 2027, 4)
    assert tender.strategic_goals == ["green:circ-econ", "social:work-cond"]
    assert [c.full_code for c in tender.cpv_codes.all()] == ["30213100-6"]


TEMPLATE_PAGE = {
    "title": "Tablets",
    "summary": "",
    "cpv_codes": "30213200-7",
    "procedure": "open",
    "language": "en",
    "licence": "CC-BY-4.0",
    "tags": "tablets",
    "visibility": "network",
    "criteria-TOTAL_FORMS": "1",
    "criteria-INITIAL_FORMS": "0",
    "criteria-MIN_NUM_FORMS": "0",
    "criteria-MAX_NUM_FORMS": "1000",
    "criteria-0-stage": "award",
    "criteria-0-title": "Battery life",
    "criteria-0-text": "Longer battery life earns points.",
    "criteria-0-ambition": "core",
    "criteria-0-weight": "100",
}
TEMPLATE_API = {
    "title": "Tablets",
    "cpv_codes": ["30213200-7"],
    "tags": ["tablets"],
    "visibility": "network",
    "criteria": [
        {
            "stage": "award",
            "title": "Battery life",
            "text": "Longer battery life earns points.",
            "weight": 100,
        }
    ],
}
#: (template field or criterion field, page value, API value, the model's message)
TEMPLATE_RULES = [
    ("title", " ", " ", "A template needs a title."),
    ("tags", "y" * 51, ["y" * 51], "A tag has at most 50 characters."),
]
CRITERION_RULES = [
    ("weight", "150", 150, "A weight is a whole number from 0 to 100."),
    ("title", "", "", "A criterion needs a title."),
    ("stage", "auction", "auction", "Choose the stage of the procurement this criterion belongs to."),
    ("text", "<script>x</script>", "<script>x</script>", "The text may not contain scripts"),
]


@pytest.mark.parametrize(("name", "page_value", "api_value", "message"), TEMPLATE_RULES)
def test_a_template_rule_speaks_the_same_on_the_page_and_in_the_api(
    client, api_client, helsinki, name, page_value, api_value, message
):
    author = kf.editor(helsinki)
    client.force_login(author)
    api_client.force_authenticate(author)
    page = client.post(
        "/library/templates/new/", {"organisation": "helsinki", **TEMPLATE_PAGE, name: page_value}
    )
    assert _page_errors(page) == {name: [message]}
    api = api_client.post(
        "/api/v1/templates/", {"organisation": "helsinki", **TEMPLATE_API, name: api_value}, format="json"
    )
    assert _api_errors(api) == {name: [message]}

    template = kf.template(author, helsinki, title="Stored template")
    before = TenderTemplate.objects.filter(pk=template.pk).values().get()
    criteria_before = list(Criterion.objects.filter(template=template).values())
    patch = api_client.patch(f"/api/v1/templates/{template.pk}/", {name: api_value}, format="json")
    assert _api_errors(patch) == {name: [message]}
    edit = client.post(f"/library/templates/{template.pk}/edit/", {**TEMPLATE_PAGE, name: page_value})
    assert _page_errors(edit) == {name: [message]}
    assert TenderTemplate.objects.filter(pk=template.pk).values().get() == before
    assert list(Criterion.objects.filter(template=template).values()) == criteria_before


@pytest.mark.parametrize(("name", "page_value", "api_value", "message"), CRITERION_RULES)
def test_a_criterion_rule_speaks_the_same_next_to_the_criterion_and_in_the_api(
    client, api_client, helsinki, name, page_value, api_value, message
):
    author = kf.editor(helsinki)
    client.force_login(author)
    api_client.force_authenticate(author)
    page = client.post(
        "/library/templates/new/",
        {"organisation": "helsinki", **TEMPLATE_PAGE, f"criteria-0-{name}": page_value},
    )
    assert page.status_code == 200
    shown = [str(m) for m in page.context["formset"].forms[0].errors.get(name, [])]
    assert len(shown) == 1 and shown[0].startswith(message), shown
    criterion = {**TEMPLATE_API["criteria"][0], name: api_value}
    api = api_client.post(
        "/api/v1/templates/",
        {"organisation": "helsinki", **TEMPLATE_API, "criteria": [criterion]},
        format="json",
    )
    errors = _api_errors(api)["criteria"]
    assert len(errors) == 1 and errors[0].startswith(f"Criterion 1: {message}"), errors
    assert not TenderTemplate.objects.exists()

"""One validation layer for statements (#18): the page's form and the API report the message the
``Statement`` and ``Demand`` models declare, and a refused edit stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.statements.models import Demand, Statement
from members.models import Role
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db

FORMSET = {
    "demands-TOTAL_FORMS": "1",
    "demands-INITIAL_FORMS": "0",
    "demands-MIN_NUM_FORMS": "0",
    "demands-MAX_NUM_FORMS": "30",
}
PAGE = {"title": "Circular monitors", "body": "We ask for repairable monitors.", "visibility": "private"}
API = {**PAGE}
DEMAND = {"text": "Ten years of spare parts", "category": "monitors", "cpv_code": ""}

#: field, value (page and API alike), the model's message
RULES = [
    ("title", " ", "Give the statement a title."),
    ("body", "   ", "Write the text of the statement."),
    ("summary", "s" * 1001, "Ensure this value has at most 1000 characters (it has 1001)."),
    ("closes_on", "2026-01-01", "The closing date must be on or after the opening date."),
]
DEMAND_RULES = [
    ("text", "", "Demand 1: Write the demand."),
    ("text", "d" * 2001, "Demand 1: At most 2,000 characters."),
    ("category", "toasters", "Demand 1: Choose a device category from the list."),
]


@pytest.fixture
def lead():
    return factories.organisation("City of Espoo", slug="espoo")


def _dates(name: str) -> dict[str, str]:
    return {"opens_on": "2026-06-01"} if name == "closes_on" else {}


def _page(client, url: str, values: dict[str, Any], demand: dict[str, str]) -> dict[str, list[str]]:
    body = {**values, **FORMSET, **{f"demands-0-{k}": v for k, v in demand.items()}}
    response = client.post(url, body)
    assert response.status_code == 200, response.status_code
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def _api(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    return response.json()["errors"]


@pytest.mark.parametrize(("name", "value", "message"), RULES)
def test_a_statement_rule_speaks_the_same_on_the_page_and_in_the_api(
    client, api_client, lead, name, value, message
):
    editor = factories.member(lead, Role.EDITOR)
    client.force_login(editor)
    api_client.force_authenticate(editor)
    bad = {name: value, **_dates(name)}
    assert _page(client, "/statements/new/", {"organisation": lead.pk, **PAGE, **bad}, DEMAND) == {
        name: [message]
    }
    api = api_client.post(
        "/api/v1/statements/", {"organisation": "espoo", **API, **bad, "demands": [DEMAND]}, format="json"
    )
    assert _api(api) == {name: [message]}
    assert not Statement.objects.exists()

    draft = sf.draft(lead, editor=editor, title="Stored title")
    before = Statement.objects.filter(pk=draft.pk).values().get()
    demands = list(Demand.objects.filter(statement=draft).values())
    other = {} if name == "title" else {"title": "Changed title"}
    url = f"/statements/{draft.slug}/edit/"
    assert _page(client, url, {**PAGE, **other, **bad}, DEMAND) == {name: [message]}
    assert _api(api_client.patch(f"/api/v1/statements/{draft.slug}/", {**other, **bad}, format="json")) == {
        name: [message]
    }
    assert Statement.objects.filter(pk=draft.pk).values().get() == before
    assert list(Demand.objects.filter(statement=draft).values()) == demands


@pytest.mark.parametrize(("name", "value", "message"), DEMAND_RULES)
def test_a_demand_rule_speaks_the_same_on_the_page_and_in_the_api(
    client, api_client, lead, name, value, message
):
    editor = factories.member(lead, Role.EDITOR)
    client.force_login(editor)
    api_client.force_authenticate(editor)
    demand = {**DEMAND, name: value}
    page = _page(client, "/statements/new/", {"organisation": lead.pk, **PAGE}, demand)
    assert page == {"__all__": [message]}  # above the demands formset
    api = api_client.post(
        "/api/v1/statements/", {"organisation": "espoo", **API, "demands": [demand]}, format="json"
    )
    assert _api(api) == {"demands": [message]}
    assert not Statement.objects.exists()

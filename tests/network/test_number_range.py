"""Numbers a column cannot hold are a field error on every surface and database, never a 500 (#20).

A planned tender's quantity of 2**31 answered 500 on PostgreSQL ("integer out of range") and one
past 2**63 answered 500 on SQLite (``OverflowError``). Model integer fields validate against
PostgreSQL's column ranges on both databases (network/sqlite/base.py), services validate with the
model's rules, so the page shows the error next to the field, the API answers 400, and what is
stored stays as it was. Query-string numbers on pages (page numbers, filters, versions) are
answered or ignored, never a 500. These tests run in both passes (SQLite and PostgreSQL).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework.test import APIClient

from knowledge.models import PlannedTender
from members.models import Organisation, Role
from network.events.models import Event
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db

#: Past PostgreSQL ``integer``, past 64 bits, and far past both.
TOO_BIG = ["2147483648", "9223372036854775808", "9" * 30]


def test_every_model_integer_field_validates_against_the_postgresql_column():
    """The same bound on both databases, from one place: Django's column-range validators."""
    unbounded = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.IntegerField) or isinstance(field, models.AutoField):
                continue
            high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()][1]
            maxima = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
            if not maxima or min(m if isinstance(m, int) else high for m in maxima) > high:
                unbounded.append(f"{model._meta.label}.{field.name}")
    assert unbounded == []


@pytest.fixture
def helsinki():
    return f.organisation("Helsinki", slug="helsinki", verified=True)


def _tender_page_data(**extra: str) -> dict[str, str]:
    return {
        "organisation": "helsinki",
        "title": "Phones",
        "planned_year": "2027",
        "planned_quarter": "3",
        "procedure": "open",
        "status": "planning",
        "visibility": "network",
        **extra,
    }


@pytest.mark.parametrize("value", TOO_BIG)
def test_tender_page_refuses_a_quantity_the_column_cannot_hold(client, helsinki, value):
    editor = kf.editor(helsinki)
    client.force_login(editor)
    response = client.post("/library/tenders/new/", _tender_page_data(estimated_quantity=value))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A quantity is a whole number" in html and 'value="Phones"' in html
    assert not PlannedTender.objects.exists()
    tender = kf.tender(editor, helsinki, estimated_quantity=40)
    edited = client.post(
        f"/library/tenders/{tender.pk}/edit/", {**_tender_page_data(estimated_quantity=value), "title": "New"}
    )
    assert edited.status_code == 200
    tender.refresh_from_db()
    assert tender.estimated_quantity == 40 and tender.title != "New"


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30])
def test_tender_api_refuses_a_quantity_the_column_cannot_hold(helsinki, value):
    api = APIClient()
    api.force_authenticate(kf.editor(helsinki))
    response = api.post(
        "/api/v1/tenders/",
        {
            "organisation": "helsinki",
            "title": "Phones",
            "planned_year": 2027,
            "planned_quarter": 1,
            "estimated_quantity": value,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "estimated_quantity" in response.json()["errors"]
    assert not PlannedTender.objects.exists()


@pytest.mark.parametrize("value", TOO_BIG)
def test_event_page_refuses_a_capacity_the_column_cannot_hold(client, helsinki, value):
    client.force_login(f.member(helsinki, Role.EDITOR))
    response = client.post(
        "/events/new/",
        {
            "organisation": helsinki.pk,
            "title": "Market dialogue",
            "time_zone": "Europe/Helsinki",
            "starts_at": "2030-11-25T09:00",
            "ends_at": "2030-11-25T16:00",
            "place": "Helsinki",
            "capacity": value,
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert 'value="Market dialogue"' in response.content.decode()
    assert "capacity" in response.context["form"].errors
    assert not Event.objects.exists()


@pytest.mark.parametrize("value", TOO_BIG)
def test_organisation_page_and_api_refuse_people_served_the_column_cannot_hold(client, helsinki, value):
    owner = f.member(helsinki, Role.OWNER)
    client.force_login(owner)
    page = client.post(
        "/organisations/helsinki/edit/",
        {
            "name": "Helsinki",
            "slug": "helsinki",
            "country": "FI",
            "kind": "municipality",
            "people_served": value,
        },
    )
    assert page.status_code == 200 and "people_served" in page.context["form"].errors
    api = APIClient()
    api.force_authenticate(owner)
    response = api.patch("/api/v1/organisations/helsinki/", {"people_served": int(value)}, format="json")
    assert response.status_code == 400 and "people_served" in response.json()["errors"], response.content
    assert Organisation.objects.get(slug="helsinki").people_served is None


HOSTILE = ["9" * 30, "-1.27e+68", "1e400"]


def test_query_string_numbers_on_pages_never_answer_500(client):
    """Page numbers, day ranges, versions, reply targets and filters given numbers no column holds."""
    from tests.browser.world import build_world

    w = build_world()
    client.force_login(f.member(w.city, Role.OWNER))
    template, thread = w.template.get_absolute_url(), w.thread.get_absolute_url()
    pages = {
        "/dashboard/": ["days"],
        "/library/": ["page", "kind", "organisation", "cpv"],
        f"{template}diff/": ["from", "to"],
        "/statements/": ["page"],
        f"{w.statement.get_absolute_url()}audit/": ["page"],
        w.forum.get_absolute_url(): ["page"],
        thread: ["reply_to", "page"],
        "/demand/": ["statement", "cpv"],
        "/events/": ["page", "audience"],
        "/organisations/": ["page"],
        "/notifications/": ["page"],
        "/search/": ["page", "page_size", "forum"],
        "/resources/": ["page", "cpv"],
    }
    failures = []
    for url, names in pages.items():
        for value in HOSTILE:
            response = client.get(url, dict.fromkeys(names, value))
            if response.status_code >= 500:
                failures.append((url, value, response.status_code))
    assert failures == []

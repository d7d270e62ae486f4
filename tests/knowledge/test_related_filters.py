"""Filters that reach through relations ask the visibility policy for the related rows too (#20 item
6): a public lesson or tender citing a template that became private must not be found by that
template's labels, or the filter reveals what the private template contains."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from knowledge import services
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = f.organisation("Helsinki", slug="helsinki", verified=True)
    author = kf.editor(org)
    template = kf.template(author, org, visibility="public", title="Laptops")
    lesson = kf.lesson(
        author, org, visibility="public", title="What laptops taught us", related_templates=[template.pk]
    )
    tender = kf.tender(author, org, visibility="public", title="Laptops 2027", templates=[template.pk])
    return author, template, lesson, tender


def _titles(client, path: str, **params) -> set[str]:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_label_filters_of_lessons_and_tenders_from_other_organisation_skip_private_templates(world):
    author, template, lesson, tender = world
    anonymous = APIClient()
    other = APIClient()
    other.force_authenticate(kf.editor(f.organisation("Malmö", slug="malmo", verified=True)))
    for client in (anonymous, other):
        assert lesson.title in _titles(client, "/api/v1/lessons/", label="tco-certified")
        assert tender.title in _titles(client, "/api/v1/tenders/", label="tco-certified")
    services.template_update(
        person=author,
        template=template,
        data=services.TemplateData.of(template).with_changes({"visibility": "private"}),
    )
    for client in (anonymous, other):
        assert _titles(client, "/api/v1/lessons/", label="tco-certified") == set()
        assert _titles(client, "/api/v1/tenders/", label="tco-certified") == set()
        assert lesson.title in _titles(client, "/api/v1/lessons/")  # still public, just not by that label
    owner = APIClient()
    owner.force_authenticate(author)
    assert lesson.title in _titles(owner, "/api/v1/lessons/", label="tco-certified")

"""An edit racing a delete never brings the row back (#20 item 9).

A PATCH loads the row, a DELETE commits, then the PATCH saves its stale copy: Django's save() fell
back to an INSERT and the deleted lesson or tender returned (templates answered 500 DoesNotExist;
the losing PATCH 500ed on PostgreSQL with a duplicate key). The race is made deterministic here:
the row is deleted at the moment the PATCH's service starts writing.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction

from knowledge.models import Lesson, PlannedTender, TenderTemplate
from network.visibility import TenantOwned
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(api_client):
    org = f.organisation("Helsinki", slug="helsinki")
    person = kf.editor(org)
    api_client.force_authenticate(person)
    return person, org


def _delete_when_writing(monkeypatch, module: str, function: str, model, pk: int) -> None:
    """Delete the row just before the service's write (after the view has loaded it)."""
    import importlib

    target = importlib.import_module(module)
    original = getattr(target, function)

    def racing(*args, **kwargs):
        model.objects.filter(pk=pk).delete()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, function, racing)


@pytest.mark.parametrize(
    ("make", "url", "module", "function", "model"),
    [
        (kf.lesson, "/api/v1/lessons/{pk}/", "knowledge.services.lessons", "require_edit", Lesson),
        (kf.tender, "/api/v1/tenders/{pk}/", "knowledge.services.tenders", "require_edit", PlannedTender),
        (
            kf.template,
            "/api/v1/templates/{pk}/",
            "knowledge.services.templates",
            "require_edit",
            TenderTemplate,
        ),
    ],
)
def test_a_patch_losing_to_a_delete_answers_404_and_the_row_stays_deleted(
    api_client, owner, monkeypatch, make, url, module, function, model
):
    person, org = owner
    obj = make(person, org)
    _delete_when_writing(monkeypatch, module, function, model, obj.pk)
    response = api_client.patch(url.format(pk=obj.pk), {"title": "Stale edit"}, format="json")
    assert response.status_code == 404, response.content
    assert response.json()["detail"]
    assert not model.objects.filter(pk=obj.pk).exists()
    assert not model.objects.filter(title="Stale edit").exists()


def test_the_html_edit_losing_to_a_delete_is_a_404_page(client, owner, monkeypatch):
    person, org = owner
    lesson = kf.lesson(person, org)
    client.force_login(person)
    _delete_when_writing(monkeypatch, "knowledge.services.lessons", "require_edit", Lesson, lesson.pk)
    data = {"organisation": org.slug, "title": "Stale edit", "visibility": "private", "language": "en"}
    response = client.post(f"/library/lessons/{lesson.pk}/edit/", data)
    assert response.status_code == 404
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_no_tenant_owned_model_resurrects_a_deleted_row():
    """The rule lives in the shared base, so every tenant-owned model has it."""
    models = [m for m in apps.get_models() if issubclass(m, TenantOwned)]
    assert {Lesson, PlannedTender, TenderTemplate} <= set(models)
    for model in models:
        ghost = model(pk=2**40)
        ghost._state.adding = False  # as if loaded before someone deleted it
        before = model.objects.count()
        with pytest.raises(model.DoesNotExist), transaction.atomic():
            ghost.save()
        assert model.objects.count() == before, model

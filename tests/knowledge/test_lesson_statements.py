"""A lesson's related statements are a relation (#18), not a JSON list of ids.

Linking goes through the service (only statements the author may read), the page and the API show
only those the reader may read, and the data migration carries the old id lists over.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from knowledge.models import Lesson
from members.models import Role
from tests import factories
from tests.knowledge import factories as kf
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def test_related_statements_are_a_many_to_many():
    field = Lesson._meta.get_field("related_statements")
    assert field.many_to_many and field.related_model._meta.label == "statements.Statement"
    assert not any(f.name == "related_statement_ids" for f in Lesson._meta.get_fields())


def test_the_api_links_readable_statements_and_refuses_hidden_ones(api_client):
    org = factories.organisation()
    editor = factories.member(org, Role.EDITOR)
    public = sf.open_statement()  # open statements are public
    hidden = sf.draft()  # another organisation's draft
    api_client.force_authenticate(editor)
    body = {"organisation": org.slug, "title": "Market dialogue", "visibility": "public"}
    refused = api_client.post("/api/v1/lessons/", {**body, "related_statements": [hidden.pk]}, format="json")
    assert refused.status_code == 409  # a reference to a row the author cannot read
    assert "related_statements" in refused.json()["errors"]
    assert not Lesson.objects.filter(title="Market dialogue").exists()
    made = api_client.post("/api/v1/lessons/", {**body, "related_statements": [public.pk]}, format="json")
    assert made.status_code == 201, made.content
    lesson = Lesson.objects.get(title="Market dialogue")
    assert list(lesson.related_statements.all()) == [public]
    assert list(public.lessons.all()) == [lesson]


def test_the_page_lists_a_related_statement_only_to_who_may_read_it_from_other_organisation(client):
    org = factories.organisation()
    editor = factories.member(org, Role.EDITOR)
    statement = sf.draft(editor=editor, lead=org)  # a draft: readable by its issuer only
    lesson = kf.lesson(editor, org, visibility="public", related_statements=[statement.pk])
    client.force_login(editor)
    assert statement.title in client.get(lesson.get_absolute_url()).content.decode()
    outsider = factories.member(factories.organisation())
    client.force_login(outsider)
    page = client.get(lesson.get_absolute_url())
    assert page.status_code == 200 and statement.title not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_id_lists_into_the_relation():
    org = factories.organisation()
    statement = sf.draft(lead=org)
    executor = MigrationExecutor(connection)
    before = [("knowledge", "0005_tender_interest_changes")]
    after = [("knowledge", "0006_lesson_related_statements")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldLesson = old.get_model("knowledge", "Lesson")
    OldLesson.objects.create(
        organisation_id=org.pk, title="Kept", related_statement_ids=[statement.pk, 999_999, "x"]
    )
    OldLesson.objects.create(organisation_id=org.pk, title="None linked")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert [s.pk for s in Lesson.objects.get(title="Kept").related_statements.all()] == [statement.pk]
    assert not Lesson.objects.get(title="None linked").related_statements.exists()

"""Statements close themselves at their closing date: computed on read, persisted by a command."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from knowledge.statements import services
from knowledge.statements.models import AuditEntry, Signature, Statement, StatementStatus
from network.models import Notification
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def expire(statement: Statement) -> None:
    """Move the closing date into the past behind the model's back (as time passing would)."""
    Statement.objects.filter(pk=statement.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )


def test_status_is_computed_on_read_on_every_surface(client, api_client, statement, signer):
    expire(statement)
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.CLOSED
    assert api_client.get(f"/api/v1/statements/{statement.slug}/").json()["status"] == "closed"
    listed = api_client.get("/api/v1/statements/", {"status": "open"}).json()
    assert statement.slug not in str(listed)
    assert statement.slug in str(api_client.get("/api/v1/statements/", {"status": "closed"}).json())
    html = client.get(statement.get_absolute_url()).content.decode()
    assert "Sign this statement" not in html


def test_signing_after_the_closing_date_fails_and_stores_nothing(api_client, statement, signer):
    person, org = signer
    expire(statement)
    api_client.force_authenticate(person)
    response = api_client.post(
        f"/api/v1/statements/{statement.slug}/signatures/", {"organisation": org.slug}, format="json"
    )
    assert response.status_code == 409
    assert "closed on" in response.json()["detail"]
    assert not Signature.objects.exists()


def test_command_persists_audits_and_notifies_the_issuers_once(statement):
    issuer_editor = statement.created_by
    other_open = sf.open_statement()
    expire(statement)
    out = io.StringIO()
    call_command("close_statements", stdout=out)
    assert statement.slug in out.getvalue() and other_open.slug not in out.getvalue()
    row = Statement.objects.filter(pk=statement.pk).values("status", "closed_at").get()
    assert row["status"] == StatementStatus.CLOSED and row["closed_at"] is not None
    assert AuditEntry.objects.filter(statement=statement, action="expire").count() == 1
    notes = Notification.objects.filter(kind="statement.closed", recipient=issuer_editor)
    assert notes.count() == 1
    call_command("close_statements", stdout=io.StringIO())  # idempotent
    assert AuditEntry.objects.filter(statement=statement, action="expire").count() == 1
    assert Notification.objects.filter(kind="statement.closed").count() == 1
    assert Statement.objects.get(pk=other_open.pk).status == StatementStatus.OPEN


def test_a_write_on_an_expired_statement_persists_the_closing_first(statement):
    expire(statement)
    services.statement_update(
        person=statement.created_by,
        statement=statement,
        data=services.StatementData.of(statement).with_changes({"contact": "x@example.org"}),
    )
    assert Statement.objects.filter(pk=statement.pk, status=StatementStatus.CLOSED).exists()
    assert AuditEntry.objects.filter(statement=statement, action="expire").count() == 1
    assert Notification.objects.filter(kind="statement.closed").count() == 1


def test_page_dates_distinguish_published_opened_and_closes(client):
    today = timezone.localdate()
    statement = sf.open_statement(
        opens_on=today - datetime.timedelta(days=400), closes_on=today + datetime.timedelta(days=30)
    )
    html = client.get(statement.get_absolute_url()).content.decode()
    assert "Published" in html and "Opened for signature" in html and "Closes" in html
    assert "Opens for signature" not in html
    # Opened long after its nominal opening date: signing opened when it was published.
    assert f'<time datetime="{today.isoformat()}">' in html
    later = sf.open_statement(opens_on=today + datetime.timedelta(days=5))
    html = client.get(later.get_absolute_url()).content.decode()
    assert "Opens for signature" in html
    expire(statement)
    html = client.get(statement.get_absolute_url()).content.decode()
    assert "Closed" in html and "Closes" not in html


def test_signatories_are_told_when_a_statement_opens():
    signer_person, _org = sf.signatory(factories.organisation())
    unverified_signer, _ = sf.signatory(factories.organisation(verified=False))
    plain_member = factories.member(factories.organisation())
    statement = sf.draft()
    services.statement_open(person=statement.created_by, statement=statement)
    recipients = set(
        Notification.objects.filter(kind="statement.opened").values_list("recipient_id", flat=True)
    )
    assert signer_person.pk in recipients
    assert unverified_signer.pk not in recipients and plain_member.pk not in recipients


def test_a_statement_past_its_closing_date_is_listed_after_open_ones(api_client):
    expired = sf.open_statement(title="Expired one")
    still_open = sf.open_statement(title="Still open")
    expire(expired)
    Statement.objects.filter(pk=expired.pk).update(opened_at=timezone.now())  # the newest opened
    slugs = [s["slug"] for s in api_client.get("/api/v1/statements/").json()["results"]]
    assert slugs.index(still_open.slug) < slugs.index(expired.slug)

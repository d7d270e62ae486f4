"""Many simultaneous sign requests for one organisation: exactly one signature, no 500.

Real connections: each thread sends its request through the Django test client on its own database
connection (closed when the thread ends), inside ``transaction=True`` tests so every request
commits for real. The same tests run on PostgreSQL (``DATABASE_URL``) and on SQLite, where the test
database is a file shared by the threads and immediate transactions must keep every request from
failing with "database is locked".
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from knowledge.statements import services
from knowledge.statements.models import AuditAction, AuditEntry, IdempotencyRecord, Signature
from members.models import Role
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 12


def run_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Start every job at the same instant (a barrier) and return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def _client(person) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(person)
    return client


def _post_sign(client: Client, url: str, payload: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return lambda: client.post(url, payload, content_type="application/json", headers=headers)


def test_simultaneous_sign_requests_for_one_organisation_yield_one_signature_and_no_500():
    statement = sf.open_statement()
    org = factories.organisation()
    signatories = [factories.member(org, Role.SIGNATORY) for _ in range(3)]
    url = f"/api/v1/statements/{statement.slug}/signatures/"
    jobs = [
        _post_sign(
            _client(signatories[i % 3]), url, {"organisation": org.slug, "volumes": {"phones": 100 + i}}
        )
        for i in range(THREADS)
    ]
    responses = run_at_once(jobs)

    errors = [r for r in responses if isinstance(r, BaseException)]
    assert not errors, errors
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == THREADS - 1, statuses
    bodies = [r.json() for r in responses]
    assert not any("locked" in str(b).lower() for b in bodies)
    conflicts = [b for r, b in zip(responses, bodies, strict=True) if r.status_code == 409]
    assert all(
        b["code"] == "already_signed" and b["signature"]["organisation"]["slug"] == org.slug
        for b in conflicts
    )
    assert Signature.objects.filter(statement=statement, organisation=org).count() == 1
    assert AuditEntry.objects.filter(statement=statement, action=AuditAction.SIGN).count() == 1
    winner = next(b for r, b in zip(responses, bodies, strict=True) if r.status_code == 201)
    assert Signature.objects.get().volumes == winner["volumes"]


def test_simultaneous_retries_with_one_idempotency_key_all_get_the_first_response():
    statement = sf.open_statement()
    person, org = sf.signatory()
    url = f"/api/v1/statements/{statement.slug}/signatures/"
    key = str(uuid.uuid4())
    payload = {"organisation": org.slug, "volumes": {"phones": 6500}, "volumes_public": True}
    responses = run_at_once([_post_sign(_client(person), url, payload, key) for _ in range(8)])

    assert not [r for r in responses if isinstance(r, BaseException)]
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1, "every retry gets the first body"
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert Signature.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_simultaneous_service_calls_rely_on_the_unique_index_and_raise_already_signed():
    statement = sf.open_statement()
    org = factories.organisation()
    people = [factories.member(org, Role.SIGNATORY) for _ in range(THREADS)]

    def sign(person):
        return lambda: services.statement_sign(person=person, statement=statement, organisation=org)

    results = run_at_once([sign(p) for p in people])
    created = [r for r in results if isinstance(r, Signature)]
    refused = [r for r in results if isinstance(r, services.AlreadySigned)]
    assert len(created) == 1 and len(refused) == THREADS - 1, results
    assert all(r.signature.pk == created[0].pk for r in refused)
    assert Signature.objects.active().count() == 1


def test_sign_and_close_at_once_never_leave_a_signature_after_closing():
    statement = sf.open_statement()
    closer = statement.created_by
    jobs: list[Callable[[], Any]] = [
        lambda: services.statement_close(person=closer, statement=statement),
    ]
    for _ in range(5):
        person, org = sf.signatory()
        jobs.append(
            lambda person=person, org=org: services.statement_sign(
                person=person, statement=statement, organisation=org
            )
        )
    results = run_at_once(jobs)
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, services.StatementConflict)
    ]
    assert not unexpected, unexpected
    statement.refresh_from_db()
    assert statement.status == "closed"
    assert all(s.signed_at <= statement.closed_at for s in Signature.objects.filter(statement=statement))
    close_at = AuditEntry.objects.get(statement=statement, action=AuditAction.CLOSE).pk
    later = AuditEntry.objects.filter(statement=statement, action=AuditAction.SIGN, pk__gt=close_at)
    assert not later.exists(), "a signature was recorded after the statement closed"


def test_database_vendor_is_reported(record_property):
    record_property("vendor", connection.vendor)
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.database("sqlite")
def test_sqlite_writes_start_immediate_transactions():
    """Every outermost ``atomic()`` on SQLite is ``BEGIN IMMEDIATE`` (settings), so the sign
    transaction holds the write lock from its first statement and never upgrades a read lock."""
    assert connection.transaction_mode == "IMMEDIATE"
    executed: list[str] = []
    raw = connection.cursor().connection if connection.connection is None else connection.connection
    raw.set_trace_callback(executed.append)
    try:
        statement = sf.open_statement()
        executed.clear()
        sf.sign(statement)
    finally:
        raw.set_trace_callback(None)
    assert any(sql.startswith("BEGIN IMMEDIATE") for sql in executed), executed[:5]
    assert not any(sql.strip() == "BEGIN" or sql.startswith("BEGIN DEFERRED") for sql in executed)

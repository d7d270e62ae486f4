"""One idempotent signing service for every surface (#18).

The page's confirmation step and the API both call ``services.statement_sign`` with their key; the
service keeps the ledger, so a retry is a replay whichever surface it comes through, and neither
surface orchestrates idempotency itself.
"""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

from knowledge.statements import services
from knowledge.statements.models import AuditAction, AuditEntry, IdempotencyRecord, Signature

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_service_signs_once_per_key_and_marks_the_replay(statement, signer):
    person, org = signer
    key = str(uuid.uuid4())
    first = services.statement_sign(
        person=person, statement=statement, organisation=org, volumes={"phones": 10}, idempotency_key=key
    )
    again = services.statement_sign(
        person=person, statement=statement, organisation=org, volumes={"phones": 10}, idempotency_key=key
    )
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Signature.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.SIGN).count() == 1
    with pytest.raises(services.IdempotencyMismatch):
        services.statement_sign(
            person=person, statement=statement, organisation=org, volumes={"phones": 11}, idempotency_key=key
        )
    assert Signature.objects.get().volumes == {"phones": 10}


def test_a_key_first_used_on_the_page_replays_through_the_api(client, api_client, statement, signer):
    person, org = signer
    key = uuid.uuid4().hex
    client.force_login(person)
    page = client.post(
        f"/statements/{statement.slug}/sign/",
        {"organisation": org.pk, "volume_phones": "700", "step": "confirm", "idempotency_key": key},
    )
    assert page.status_code == 302
    api_client.force_authenticate(person)
    retry = api_client.post(
        f"/api/v1/statements/{statement.slug}/signatures/",
        {"organisation": org.slug, "volumes": {"phones": 700}},
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["volumes"] == {"phones": 700}
    assert Signature.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_a_malformed_key_is_a_form_error_on_the_page_and_a_400_on_the_api(
    client, api_client, statement, signer
):
    person, org = signer
    client.force_login(person)
    page = client.post(
        f"/statements/{statement.slug}/sign/",
        {"organisation": org.pk, "step": "confirm", "idempotency_key": "x" * 300},
    )
    assert page.status_code == 400 and "Idempotency-Key" in page.content.decode()
    api_client.force_authenticate(person)
    api = api_client.post(
        f"/api/v1/statements/{statement.slug}/signatures/",
        {"organisation": org.slug},
        format="json",
        headers={"Idempotency-Key": "x" * 300},
    )
    assert api.status_code == 400 and "idempotency_key" in api.json()["errors"]
    assert not Signature.objects.exists()


def test_no_view_runs_the_idempotency_ledger_itself():
    """Only the service module imports the ledger: an edge that orchestrates it is the old copy."""
    users = []
    for path in sorted((ROOT / "knowledge").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.ImportFrom | ast.Import) else []
            module = getattr(node, "module", "") or ""
            if "idempotency" in names or module.endswith(".idempotency"):
                users.append(str(path.relative_to(ROOT)))
    assert sorted(set(users)) == ["knowledge/statements/services.py"]


def test_a_double_submit_without_a_key_stores_one_signature(statement, signer):
    person, org = signer
    call = {"person": person, "statement": statement, "organisation": org}
    services.statement_sign(**call)
    with pytest.raises(services.AlreadySigned):
        services.statement_sign(**call)
    assert Signature.objects.count() == 1

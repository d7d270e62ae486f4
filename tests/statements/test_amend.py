"""Amending a signature: new figures or disclosure as a new revision, the old kept in the record."""

from __future__ import annotations

import pytest

from knowledge.statements import services
from knowledge.statements.models import AuditEntry, Signature
from members.models import Role
from network.models import Notification
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def amend_url(statement, org) -> str:
    return f"/api/v1/statements/{statement.slug}/signatures/{org.slug}/amend/"


@pytest.fixture
def signed(statement, signer):
    person, org = signer
    signature = services.statement_sign(
        person=person, statement=statement, organisation=org, volumes={"phones": 100}, volumes_public=True
    )
    return person, org, signature


def test_amend_creates_a_revision_and_keeps_the_old_one(statement, signed):
    person, org, first = signed
    second = services.signature_amend(
        person=person, statement=statement, organisation=org, volumes={"phones": 150}, volumes_public=False
    )
    first.refresh_from_db()
    assert second.revision == 2 and second.supersedes_id == first.pk and second.is_active
    assert not first.is_active and first.volumes == {"phones": 100}
    assert second.first_signed_at == first.first_signed_at
    assert second.version_id == first.version_id
    assert Signature.objects.active().filter(statement=statement).count() == 1
    entry = AuditEntry.objects.get(statement=statement, action="amend")
    assert entry.details["before"] == {"volumes": {"phones": 100}, "volumes_public": True}
    assert entry.details["after"] == {"volumes": {"phones": 150}, "volumes_public": False}
    assert Notification.objects.filter(kind="statement.amended").exists()


def test_amending_with_the_same_figures_changes_nothing(statement, signed):
    person, org, first = signed
    again = services.signature_amend(
        person=person, statement=statement, organisation=org, volumes={"phones": 100}, volumes_public=True
    )
    assert again.pk == first.pk and Signature.objects.count() == 1


def test_amend_through_the_api(api_client, statement, signed):
    person, org, _first = signed
    api_client.force_authenticate(person)
    response = api_client.post(
        amend_url(statement, org), {"volumes": {"phones": 250}, "volumes_public": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["volumes"] == {"phones": 250} and response.json()["revision"] == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"volumes": {"phones": -1}, "volumes_public": True},
        {"volumes": {"phones": 10**9}, "volumes_public": True},
        {"volumes": {"toasters": 5}, "volumes_public": True},
        {"volumes": {"phones": "many"}, "volumes_public": True},
        {"volumes_public": True},
    ],
)
def test_bad_volumes_are_refused_and_nothing_is_stored(api_client, statement, signed, payload):
    person, org, first = signed
    api_client.force_authenticate(person)
    response = api_client.post(amend_url(statement, org), payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] and response.json()["errors"]
    assert list(Signature.objects.values_list("pk", "volumes")) == [(first.pk, {"phones": 100})]


def test_amending_a_withdrawn_signature_is_a_conflict(api_client, statement, signed):
    person, org, _first = signed
    services.signature_withdraw(person=person, statement=statement, organisation=org, reason="No budget")
    api_client.force_authenticate(person)
    response = api_client.post(
        amend_url(statement, org), {"volumes": {"phones": 1}, "volumes_public": True}, format="json"
    )
    assert response.status_code == 409 and "sign it instead" in response.json()["detail"]
    assert Signature.objects.count() == 1


def test_amending_on_a_closed_statement_is_a_conflict(api_client, statement, signed):
    person, org, _first = signed
    services.statement_close(person=statement.created_by, statement=statement)
    api_client.force_authenticate(person)
    response = api_client.post(
        amend_url(statement, org), {"volumes": {"phones": 1}, "volumes_public": True}, format="json"
    )
    assert response.status_code == 409
    assert Signature.objects.count() == 1


def test_only_a_signatory_of_the_organisation_amends(api_client, statement, signed):
    _person, org, _first = signed
    api_client.force_authenticate(factories.member(org, Role.ADMIN))
    response = api_client.post(
        amend_url(statement, org), {"volumes": {"phones": 1}, "volumes_public": True}, format="json"
    )
    assert response.status_code == 403
    assert Signature.objects.count() == 1


def test_amend_of_a_draft_from_other_organisation_is_404(api_client, signer):
    person, org = signer
    draft = sf.draft()
    api_client.force_authenticate(person)
    response = api_client.post(
        amend_url(draft, org), {"volumes": {"phones": 1}, "volumes_public": True}, format="json"
    )
    assert response.status_code == 404


def test_amend_page(client, statement, signed):
    person, org, _first = signed
    client.force_login(person)
    page = client.get(statement.get_absolute_url()).content.decode()
    assert f"/statements/{statement.slug}/amend/" in page
    form = client.get(f"/statements/{statement.slug}/amend/")
    assert form.status_code == 200 and 'value="100"' in form.content.decode()
    bad = client.post(f"/statements/{statement.slug}/amend/", {"organisation": org.pk, "volume_phones": "-5"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    response = client.post(
        f"/statements/{statement.slug}/amend/",
        {"organisation": org.pk, "volume_phones": "300", "volume_laptops": "20", "volumes_public": "on"},
    )
    assert response.status_code == 302
    assert Signature.objects.active().get(organisation=org).volumes == {"phones": 300, "laptops": 20}

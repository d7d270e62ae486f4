"""The statements API through DRF's client: statuses, error bodies, anonymous reads, isolation."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from knowledge.statements import services
from knowledge.statements.models import AuditEntry, IdempotencyRecord, Signature, Statement
from members.models import Role
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def sign_url(statement: Statement) -> str:
    return f"/api/v1/statements/{statement.slug}/signatures/"


def post_sign(client, statement, payload, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(sign_url(statement), payload, format="json", headers=headers)


# --- signing ---------------------------------------------------------------------------------


def test_signatory_signs_through_the_api(api_client, statement, signer):
    person, org = signer
    api_client.force_authenticate(person)
    response = post_sign(
        api_client, statement, {"organisation": org.slug, "volumes": {"phones": 6500}, "volumes_public": True}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organisation"]["slug"] == org.slug
    assert body["version"] == 1 and body["volumes"] == {"phones": 6500} and body["active"] is True


def test_second_sign_request_for_the_same_organisation_is_409_with_the_existing_signature(
    api_client, statement, signer
):
    person, org = signer
    api_client.force_authenticate(person)
    assert (
        post_sign(api_client, statement, {"organisation": org.slug, "volumes": {"phones": 1}}).status_code
        == 201
    )
    response = post_sign(api_client, statement, {"organisation": org.slug, "volumes": {"phones": 2}})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_signed" and "already signed" in body["detail"]
    assert body["signature"]["volumes"] == {"phones": 1}
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    ("payload_volumes", "field"),
    [
        ({"phones": -5}, "volumes"),
        ({"phones": 99_000_000}, "volumes"),
        ({"rockets": 1}, "volumes"),
        ("lots", "volumes"),
    ],
)
def test_bad_volumes_are_a_400_with_field_errors_and_nothing_stored(
    api_client, statement, signer, payload_volumes, field
):
    person, org = signer
    api_client.force_authenticate(person)
    response = post_sign(api_client, statement, {"organisation": org.slug, "volumes": payload_volumes})
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"] and body["detail"]
    assert not Signature.objects.exists() and not IdempotencyRecord.objects.exists()


def test_non_signatory_gets_403_and_nothing_is_stored(api_client, statement):
    org = factories.organisation()
    api_client.force_authenticate(factories.member(org, Role.OWNER))
    response = post_sign(api_client, statement, {"organisation": org.slug})
    assert response.status_code == 403
    assert "signatory" in response.json()["detail"]
    assert not Signature.objects.exists()


def test_signing_for_an_organisation_one_is_not_a_member_of_is_403(api_client, statement, signer):
    person, _ = signer
    other = factories.organisation()
    api_client.force_authenticate(person)
    response = post_sign(api_client, statement, {"organisation": other.slug})
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_unverified_organisation_is_400(api_client, statement):
    person, org = sf.signatory(factories.organisation(verified=False))
    api_client.force_authenticate(person)
    response = post_sign(api_client, statement, {"organisation": org.slug})
    assert response.status_code == 400
    assert "not verified" in response.json()["detail"]
    assert not Signature.objects.exists()


def test_unknown_organisation_is_409(api_client, statement, signer):
    """A reference to an organisation the signer cannot find: the state refuses it, not the shape."""
    api_client.force_authenticate(signer[0])
    response = post_sign(api_client, statement, {"organisation": "no-such-org"})
    assert response.status_code == 409 and "organisation" in response.json()["errors"]


def test_closed_statement_is_409(api_client, statement, signer):
    services.statement_close(person=statement.created_by, statement=statement)
    person, org = signer
    api_client.force_authenticate(person)
    response = post_sign(api_client, statement, {"organisation": org.slug})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert not Signature.objects.exists()


def test_anonymous_cannot_sign(api_client, statement, signer):
    response = post_sign(api_client, statement, {"organisation": signer[1].slug})
    assert response.status_code in (401, 403)
    assert not Signature.objects.exists()


def test_signing_an_invisible_draft_is_404(api_client, signer):
    draft = sf.draft()
    person, org = signer
    api_client.force_authenticate(person)
    assert post_sign(api_client, draft, {"organisation": org.slug}).status_code == 404


# --- idempotency ------------------------------------------------------------------------------


def test_retry_with_the_same_key_returns_the_first_response(api_client, statement, signer):
    person, org = signer
    api_client.force_authenticate(person)
    key = str(uuid.uuid4())
    payload = {"organisation": org.slug, "volumes": {"phones": 10}, "comment": "Yes"}
    first = post_sign(api_client, statement, payload, key)
    second = post_sign(api_client, statement, payload, key)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Signature.objects.count() == 1
    assert AuditEntry.objects.filter(action="sign").count() == 1


def test_same_key_with_different_parameters_is_422_and_nothing_changes(api_client, statement, signer):
    person, org = signer
    api_client.force_authenticate(person)
    key = "retry-1"
    assert (
        post_sign(
            api_client, statement, {"organisation": org.slug, "volumes": {"phones": 10}}, key
        ).status_code
        == 201
    )
    response = post_sign(api_client, statement, {"organisation": org.slug, "volumes": {"phones": 11}}, key)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "different request" in response.json()["detail"]
    assert Signature.objects.get().volumes == {"phones": 10}


def test_same_key_on_another_statement_is_refused(api_client, signer):
    person, org = signer
    one, two = sf.open_statement(), sf.open_statement()
    api_client.force_authenticate(person)
    assert post_sign(api_client, one, {"organisation": org.slug}, "k").status_code == 201
    assert post_sign(api_client, two, {"organisation": org.slug}, "k").status_code == 422
    assert not Signature.objects.filter(statement=two).exists()


def test_a_failed_request_does_not_consume_the_key(api_client, statement, signer):
    person, org = signer
    api_client.force_authenticate(person)
    services.statement_close(person=statement.created_by, statement=statement)
    assert post_sign(api_client, statement, {"organisation": org.slug}, "k2").status_code == 409
    services.statement_reopen(person=statement.created_by, statement=statement)
    assert post_sign(api_client, statement, {"organisation": org.slug}, "k2").status_code == 201


def test_keys_are_per_person(api_client, statement, signer):
    person, org = signer
    other, other_org = sf.signatory()
    api_client.force_authenticate(person)
    assert post_sign(api_client, statement, {"organisation": org.slug}, "shared").status_code == 201
    api_client.force_authenticate(other)
    assert post_sign(api_client, statement, {"organisation": other_org.slug}, "shared").status_code == 201
    assert Signature.objects.count() == 2


# --- withdrawal -------------------------------------------------------------------------------


def test_withdraw_through_the_api_keeps_the_record(api_client, statement, signer):
    person, org = signer
    services.statement_sign(person=person, statement=statement, organisation=org)
    api_client.force_authenticate(person)
    url = f"/api/v1/statements/{statement.slug}/signatures/{org.slug}/withdraw/"
    assert api_client.post(url, {}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "Budget cut"}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False and response.json()["withdrawal_reason"] == "Budget cut"
    assert api_client.post(url, {"reason": "again"}, format="json").status_code == 404
    assert Signature.objects.get().withdrawn_by == person
    listing = api_client.get(sign_url(statement)).json()
    assert listing["count"] == 0


# --- lifecycle and versions -------------------------------------------------------------------


def test_editor_creates_a_draft_opens_it_and_edits_make_versions(api_client):
    lead = factories.organisation()
    editor = factories.member(lead, Role.EDITOR)
    sf.ensure_cpv()
    api_client.force_authenticate(editor)
    response = api_client.post(
        "/api/v1/statements/",
        {
            "organisation": lead.slug,
            "title": "Fair laptops",
            "body": "Text",
            "demands": [{"text": "Six years of use", "category": "laptops", "cpv_code": "30213100-6"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert response.json()["status"] == "draft" and response.json()["demands"][0]["cpv_code"] == "30213100-6"
    assert (
        api_client.patch(f"/api/v1/statements/{slug}/", {"body": "Text 2"}, format="json").status_code == 200
    )
    assert api_client.get(f"/api/v1/statements/{slug}/versions/").json()["count"] == 0
    opened = api_client.post(f"/api/v1/statements/{slug}/open/")
    assert opened.status_code == 200 and opened.json()["current_version"] == 1
    assert api_client.post(f"/api/v1/statements/{slug}/open/").status_code == 409
    no_note = api_client.patch(f"/api/v1/statements/{slug}/", {"body": "Text 3"}, format="json")
    assert no_note.status_code == 400 and "change_note" in no_note.json()["errors"]
    edited = api_client.patch(
        f"/api/v1/statements/{slug}/", {"body": "Text 3", "change_note": "Clarified"}, format="json"
    )
    assert edited.json()["current_version"] == 2
    versions = api_client.get(f"/api/v1/statements/{slug}/versions/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["body"] == "Text 2" and versions[0]["change_note"] == "Clarified"
    assert api_client.post(f"/api/v1/statements/{slug}/close/").status_code == 200
    assert api_client.post(f"/api/v1/statements/{slug}/reopen/").status_code == 200


def test_bad_cpv_code_in_a_demand_is_a_clear_400(api_client):
    lead = factories.organisation()
    api_client.force_authenticate(factories.member(lead, Role.EDITOR))
    response = api_client.post(
        "/api/v1/statements/",
        {
            "organisation": lead.slug,
            "title": "T",
            "body": "B",
            "demands": [{"text": "x", "cpv_code": "30213100-1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "check digit" in response.json()["detail"]
    assert not Statement.objects.exists()


def test_creating_for_an_organisation_one_does_not_edit_for_is_403(api_client):
    lead = factories.organisation()
    api_client.force_authenticate(factories.member(lead, Role.SIGNATORY))
    response = api_client.post(
        "/api/v1/statements/", {"organisation": lead.slug, "title": "T", "body": "B"}, format="json"
    )
    assert response.status_code == 403
    assert not Statement.objects.exists()


def test_naming_an_unrelated_organisation_as_issuer_is_refused(api_client):
    lead, stranger = factories.organisation(), factories.organisation()
    api_client.force_authenticate(factories.member(lead, Role.EDITOR))
    response = api_client.post(
        "/api/v1/statements/",
        {"organisation": lead.slug, "issuers": [stranger.slug], "title": "T", "body": "B"},
        format="json",
    )
    assert response.status_code == 400 and "issuers" in response.json()["errors"]


def test_working_group_members_can_be_named_as_co_issuers(api_client):
    lead, peer = factories.organisation(), factories.organisation()
    group = factories.working_group(members=[lead, peer])
    api_client.force_authenticate(factories.member(lead, Role.EDITOR))
    response = api_client.post(
        "/api/v1/statements/",
        {
            "organisation": lead.slug,
            "issuers": [peer.slug],
            "working_group": group.slug,
            "title": "T",
            "body": "B",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert {o["slug"] for o in response.json()["issuers"]} == {lead.slug, peer.slug}


def test_co_issuer_editor_reads_and_opens_the_draft(api_client):
    lead, peer = factories.organisation(), factories.organisation()
    draft = sf.draft(lead, issuers=(peer,))
    peer_editor = factories.member(peer, Role.EDITOR)
    api_client.force_authenticate(peer_editor)
    assert api_client.get(f"/api/v1/statements/{draft.slug}/").status_code == 200
    assert api_client.post(f"/api/v1/statements/{draft.slug}/open/").status_code == 200


def test_signatory_of_an_issuer_cannot_open_or_close(api_client):
    draft = sf.draft()
    api_client.force_authenticate(factories.member(draft.organisation, Role.SIGNATORY))
    assert api_client.post(f"/api/v1/statements/{draft.slug}/open/").status_code == 403
    assert (
        api_client.patch(f"/api/v1/statements/{draft.slug}/", {"title": "X"}, format="json").status_code
        == 403
    )


# --- anonymous reads --------------------------------------------------------------------------


def _signed_statement():
    statement = sf.open_statement()
    sf.sign(
        statement,
        factories.organisation(name="Public City", country="FI"),
        volumes={"phones": 6500},
        public=True,
    )
    sf.sign(
        statement,
        factories.organisation(name="Secret City", country="SE"),
        volumes={"phones": 777_777},
        public=False,
    )
    return statement


def test_anonymous_reads_statement_signatories_and_demand_but_never_hidden_volumes(api_client):
    statement = _signed_statement()
    base = f"/api/v1/statements/{statement.slug}/"
    assert api_client.get(base).json()["title"] == statement.title
    listing = api_client.get("/api/v1/statements/").json()
    assert [s["slug"] for s in listing["results"]] == [statement.slug]
    assert listing["results"][0]["signature_count"] == 2
    signatures = api_client.get(base + "signatures/").json()["results"]
    by_org = {s["organisation"]["name"]: s for s in signatures}
    assert by_org["Public City"]["volumes"] == {"phones": 6500}
    assert by_org["Secret City"]["volumes"] is None
    demand = api_client.get(base + "demand/").json()
    assert demand["signatory_count"] == 2
    assert {c["code"] for c in demand["countries"]} == {"FI", "SE"}
    assert demand["totals"] == [
        {"category": "phones", "label": "Smartphones", "units": 6500, "organisations": 1}
    ]
    exported = api_client.get(base + "signatories.json").json()
    assert {r["organisation"] for r in exported["signatories"]} == {"Public City", "Secret City"}
    csv_text = api_client.get(base + "signatories.csv").content.decode()
    json_text = api_client.get(base + "signatories.json").content.decode()
    for text in (csv_text, json_text, str(signatures), str(demand)):
        assert "777777" not in text.replace(",", "") and "777777" not in text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["organisation"]: r["phones_per_year"] for r in rows} == {
        "Public City": "6500",
        "Secret City": "",
    }


def test_anonymous_never_sees_drafts(api_client):
    draft = sf.draft(visibility_level="private")
    assert api_client.get("/api/v1/statements/").json()["count"] == 0
    for suffix in (
        "",
        "versions/",
        "signatures/",
        "signatories.csv",
        "signatories.json",
        "demand/",
        "audit/",
    ):
        assert api_client.get(f"/api/v1/statements/{draft.slug}/{suffix}").status_code == 404, suffix


def test_public_draft_visibility_is_respected(api_client):
    draft = sf.draft(visibility_level="public")
    assert api_client.get(f"/api/v1/statements/{draft.slug}/").status_code == 200


# --- isolation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", ["", "versions/", "signatures/", "signatories.csv", "signatories.json", "demand/", "audit/"]
)
def test_private_draft_is_404_from_other_organisation(api_client, suffix):
    draft = sf.draft(visibility_level="private")
    outsider_org = factories.organisation()
    api_client.force_authenticate(factories.member(outsider_org, Role.OWNER))
    assert api_client.get(f"/api/v1/statements/{draft.slug}/{suffix}").status_code == 404
    assert api_client.get("/api/v1/statements/").json()["count"] == 0


def test_network_draft_is_visible_to_verified_members_but_not_editable_from_other_organisation(api_client):
    draft = sf.draft(visibility_level="network")
    api_client.force_authenticate(factories.member(factories.organisation(), Role.OWNER))
    assert api_client.get(f"/api/v1/statements/{draft.slug}/").status_code == 200
    assert (
        api_client.patch(f"/api/v1/statements/{draft.slug}/", {"title": "Hijack"}, format="json").status_code
        == 403
    )
    assert api_client.post(f"/api/v1/statements/{draft.slug}/open/").status_code == 403


def test_audit_is_403_from_other_organisation_on_a_visible_statement(api_client, statement):
    api_client.force_authenticate(factories.member(factories.organisation(), Role.OWNER))
    response = api_client.get(f"/api/v1/statements/{statement.slug}/audit/")
    assert response.status_code == 403
    assert api_client.logout() is None
    assert api_client.get(f"/api/v1/statements/{statement.slug}/audit/").status_code in (401, 403)


def test_issuer_members_read_the_audit_trail(api_client, statement, signer):
    person, org = signer
    services.statement_sign(person=person, statement=statement, organisation=org, volumes={"phones": 5})
    api_client.force_authenticate(factories.member(statement.organisation, Role.MEMBER))
    entries = api_client.get(f"/api/v1/statements/{statement.slug}/audit/").json()["results"]
    assert [e["action"] for e in entries] == ["sign", "open"]
    assert entries[0]["organisation"] == org.slug


def test_hidden_volumes_are_shown_to_the_signing_organisation_and_issuers_only(api_client):
    statement = sf.open_statement()
    secret_org = factories.organisation()
    sf.sign(statement, secret_org, volumes={"phones": 4242}, public=False)
    url = f"/api/v1/statements/{statement.slug}/signatures/"
    for person, visible in [
        (factories.member(secret_org, Role.MEMBER), True),
        (factories.member(statement.organisation, Role.MEMBER), True),
        (factories.member(factories.organisation(), Role.OWNER), False),
    ]:
        api_client.force_authenticate(person)
        volumes = api_client.get(url).json()["results"][0]["volumes"]
        assert (volumes == {"phones": 4242}) is visible
        assert (
            "4242"
            not in api_client.get(f"/api/v1/statements/{statement.slug}/signatories.csv").content.decode()
        )


def test_schema_documents_the_statement_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/v1/statements/{slug}/signatures/" in paths
    post = paths["/api/v1/statements/{slug}/signatures/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert {"201", "400", "403", "404", "409", "422"} <= set(post["responses"])

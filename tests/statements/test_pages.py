"""HTML pages: the public statement page, the two-step sign form, withdrawal, the issuer page."""

from __future__ import annotations

import re

import pytest

from knowledge.statements import services
from knowledge.statements.models import AuditEntry, Signature, Statement
from members.models import Role
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def test_index_lists_open_statements_first_with_signatory_counts(client):
    draft = sf.draft(visibility_level="public", title="Zeta draft")
    opened = sf.open_statement(title="Alpha open")
    sf.sign(opened)
    html = client.get("/statements/").content.decode()
    assert html.index("Alpha open") < html.index("Zeta draft")
    assert "1 signatory" in html
    assert draft.title in html


def test_anonymous_reads_the_public_page_without_hidden_volumes(client):
    statement = sf.open_statement()
    sf.sign(statement, factories.organisation(name="Open City"), volumes={"phones": 6500}, public=True)
    sf.sign(statement, factories.organisation(name="Quiet City"), volumes={"phones": 919191}, public=False)
    response = client.get(f"/statements/{statement.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open City" in html and "Quiet City" in html
    assert "6,500" in html and "919,191" not in html and "919191" not in html
    assert "Signatories buy <strong>6,500</strong> smartphones a year" in html
    assert "<svg" in html and "<title id=" in html and "<desc id=" in html
    assert "Signatories over time as a table" in html
    assert "Version 1" in html
    assert "Sign in to sign for your organisation" in html


def test_drafts_are_404_for_anonymous_and_from_other_organisation(client):
    draft = sf.draft()
    assert client.get(f"/statements/{draft.slug}/").status_code == 404
    client.force_login(factories.member(factories.organisation(), Role.OWNER))
    assert client.get(f"/statements/{draft.slug}/").status_code == 404
    assert client.get(f"/statements/{draft.slug}/manage/").status_code == 404
    assert draft.title not in client.get("/statements/").content.decode()


def _review(client, statement, org, **extra):
    data = {
        "organisation": org.pk,
        "volume_phones": "6500",
        "volumes_public": "on",
        "comment": "We are in",
        **extra,
    }
    return client.post(f"/statements/{statement.slug}/sign/", data)


def test_sign_form_confirmation_then_signature(client, statement, signer):
    person, org = signer
    client.force_login(person)
    form = client.get(f"/statements/{statement.slug}/sign/")
    assert form.status_code == 200
    assert '<label for="id_volume_phones">' in form.content.decode()
    review = _review(client, statement, org)
    assert review.status_code == 200
    html = review.content.decode()
    assert "Confirm your signature" in html and "6,500" in html
    assert not Signature.objects.exists(), "nothing is stored before confirmation"
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    confirm = {
        "organisation": org.pk,
        "volume_phones": "6500",
        "volumes_public": "on",
        "comment": "We are in",
    }
    done = client.post(
        f"/statements/{statement.slug}/sign/", {**confirm, "step": "confirm", "idempotency_key": key}
    )
    assert done.status_code == 302 and done["Location"] == f"/statements/{statement.slug}/"
    signature = Signature.objects.get()
    assert (
        signature.volumes == {"phones": 6500}
        and signature.volumes_public
        and signature.comment == "We are in"
    )
    # Double submit of the confirmation: the same key replays, nothing new is stored.
    again = client.post(
        f"/statements/{statement.slug}/sign/",
        {**confirm, "step": "confirm", "idempotency_key": key},
        follow=True,
    )
    assert "already recorded" in again.content.decode()
    assert Signature.objects.count() == 1


def test_sign_form_keeps_input_on_errors(client, statement, signer):
    person, org = signer
    client.force_login(person)
    response = _review(client, statement, org, volume_phones="-3", comment="Keep me")
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and "Keep me" in html
    assert not Signature.objects.exists()


def test_sign_form_is_403_for_non_signatories_and_refuses_other_organisations(client, statement, signer):
    client.force_login(factories.member(factories.organisation(), Role.OWNER))
    assert client.get(f"/statements/{statement.slug}/sign/").status_code == 403
    person, _ = signer
    client.force_login(person)
    other = factories.organisation()
    response = _review(client, statement, other)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Signature.objects.exists()


def test_confirm_after_someone_else_signed_shows_a_clear_message(client, statement, signer):
    person, org = signer
    colleague = factories.member(org, Role.SIGNATORY)
    services.statement_sign(person=colleague, statement=statement, organisation=org)
    client.force_login(person)
    data = {"organisation": org.pk, "step": "confirm", "idempotency_key": "abc"}
    response = client.post(f"/statements/{statement.slug}/sign/", data, follow=True)
    assert "already signed" in response.content.decode()
    assert Signature.objects.count() == 1


def test_withdraw_form(client, statement, signer):
    person, org = signer
    services.statement_sign(person=person, statement=statement, organisation=org)
    client.force_login(person)
    assert client.get(f"/statements/{statement.slug}/withdraw/").status_code == 200
    response = client.post(f"/statements/{statement.slug}/withdraw/", {"organisation": org.pk, "reason": ""})
    assert response.status_code == 200 and Signature.objects.active().exists()
    response = client.post(
        f"/statements/{statement.slug}/withdraw/", {"organisation": org.pk, "reason": "Merged"}
    )
    assert response.status_code == 302
    assert not Signature.objects.active().exists()


def test_issuer_page_shows_audit_and_lifecycle_buttons(client, statement, signer):
    person, org = signer
    services.statement_sign(
        person=person, statement=statement, organisation=org, volumes={"phones": 3}, volumes_public=False
    )
    client.force_login(statement.created_by)
    html = client.get(f"/statements/{statement.slug}/manage/").content.decode()
    assert "Audit trail" in html and "Signed" in html and "Close for signature" in html
    assert "Smartphones: 3" in html  # issuers see undisclosed volumes
    response = client.post(f"/statements/{statement.slug}/close/")
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == "closed"
    assert AuditEntry.objects.filter(statement=statement, action="close").exists()


def test_issuer_page_is_403_for_a_visible_statement_from_other_organisation(client, statement):
    client.force_login(factories.member(factories.organisation(), Role.OWNER))
    assert client.get(f"/statements/{statement.slug}/manage/").status_code == 403
    assert client.post(f"/statements/{statement.slug}/close/").status_code == 403
    statement.refresh_from_db()
    assert statement.status == "open"


def test_create_and_edit_draft_with_demands_formset(client):
    lead = factories.organisation()
    editor = factories.member(lead, Role.EDITOR)
    sf.ensure_cpv()
    client.force_login(editor)
    assert client.get("/statements/new/").status_code == 200
    data = {
        "organisation": lead.pk,
        "title": "Circular monitors",
        "body": "Text",
        "visibility": "private",
        "demands-TOTAL_FORMS": "2",
        "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0",
        "demands-MAX_NUM_FORMS": "30",
        "demands-0-text": "Ten years of spare parts",
        "demands-0-category": "monitors",
        "demands-0-cpv_code": "bad",
        "demands-1-text": "",
    }
    response = client.post("/statements/new/", data)
    assert response.status_code == 200 and "is not a CPV code" in response.content.decode()
    assert "Ten years of spare parts" in response.content.decode()
    data["demands-0-cpv_code"] = ""
    response = client.post("/statements/new/", data)
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert [d.text for d in statement.demands.all()] == ["Ten years of spare parts"]
    edit = client.get(f"/statements/{statement.slug}/edit/")
    assert edit.status_code == 200 and "Ten years of spare parts" in edit.content.decode()

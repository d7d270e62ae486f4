"""The dashboard's "Open for your signature" section for signatories."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from knowledge.statements import services
from knowledge.statements.models import Statement
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def section(html: str) -> str:
    start = html.index('id="open_for_signature"')
    return html[start : html.index("</section>", start)]


def test_signatory_sees_open_statements_until_their_organisation_signs(client):
    person, org = sf.signatory(factories.organisation())
    open_one = sf.open_statement(title="Fair phones please")
    expired = sf.open_statement(title="Expired statement")
    Statement.objects.filter(pk=expired.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    sf.draft(title="Someone else's draft")
    client.force_login(person)
    html = section(client.get("/dashboard/").content.decode())
    assert "Open for your signature" in html and "Fair phones please" in html
    assert "Expired statement" not in html and "Someone else&#x27;s draft" not in html
    services.statement_sign(person=person, statement=open_one, organisation=org)
    html = section(client.get("/dashboard/").content.decode())
    assert "Fair phones please" not in html
    assert "Your organisations have signed every statement open for signature." in html


def test_members_who_cannot_sign_do_not_get_the_section(client):
    sf.open_statement(title="Fair phones please")
    client.force_login(factories.member(factories.organisation()))
    assert "Open for your signature" not in client.get("/dashboard/").content.decode()
    unverified_signer, _ = sf.signatory(factories.organisation(verified=False))
    client.force_login(unverified_signer)
    assert "Open for your signature" not in client.get("/dashboard/").content.decode()

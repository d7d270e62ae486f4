"""The dashboard puts what waits for the person first: statements to sign, requests and reports to
moderate, mentions to answer; each list is read through the visibility policy."""

from __future__ import annotations

import pytest

from members import services as member_services
from members.models import Role
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def page(client, person) -> str:
    client.force_login(person)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_signatory_sees_open_statements_awaiting_the_signature_first(client):
    helsinki = factories.organisation("City of Helsinki")
    me = factories.member(helsinki, Role.SIGNATORY)
    statement = sf.open_statement(
        factories.organisation("City of Malmö"), title="Fair smartphones", visibility_level="network"
    )
    body = page(client, me)
    assert "Needs your action" in body and "Statements awaiting your signature" in body
    assert body.index('id="actions-heading"') < body.index('id="changes-heading"')
    assert "Fair smartphones" in body and "for City of Helsinki" in body
    sf.sign(statement, helsinki)
    body = page(client, me)
    assert "No statement awaits your signature." in body


def test_drafts_from_other_organisation_are_not_offered_for_signature(client):
    helsinki = factories.organisation("City of Helsinki")
    me = factories.member(helsinki, Role.SIGNATORY)
    sf.draft(factories.organisation("City of Oslo"), title="Oslo internal draft")
    body = page(client, me)
    assert "Oslo internal draft" not in body and "No statement awaits your signature." in body


def test_people_who_cannot_sign_have_no_signing_list(client):
    helsinki = factories.organisation("City of Helsinki")
    sf.open_statement(
        factories.organisation("City of Malmö"), title="Fair smartphones", visibility_level="network"
    )
    body = page(client, factories.member(helsinki, Role.EDITOR))
    assert "Statements awaiting your signature" not in body


def test_a_convener_admin_sees_join_requests_to_moderate(client):
    helsinki = factories.organisation("City of Helsinki")
    admin = factories.member(helsinki, Role.ADMIN)
    group = factories.working_group("Ethical ICT", conveners=[helsinki])
    oslo = factories.organisation("City of Oslo")
    member_services.working_group_request_join(
        actor=factories.member(oslo, Role.ADMIN), group=group, organisation=oslo
    )
    body = page(client, admin)
    assert "To moderate" in body and "City of Oslo asks to join “Ethical ICT”" in body
    # An admin of an organisation that does not convene the group sees no such request.
    other = factories.member(factories.organisation("City of Turku"), Role.ADMIN)
    assert "asks to join" not in page(client, other)


def test_the_dashboard_is_in_the_main_navigation(client):
    me = factories.member(factories.organisation("City of Helsinki"))
    body = page(client, me)
    assert '<a href="/dashboard/" aria-current="page">Dashboard</a>' in body

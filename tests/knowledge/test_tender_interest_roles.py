"""Tender interest by role (editors and above, through the policy) with who changed it kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from knowledge import services
from knowledge.models import TenderInterest, TenderInterestChange
from members.models import Role
from tests import factories as f
from tests.knowledge import factories as kf

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender():
    owner_org = f.organisation("Helsinki", slug="helsinki")
    return kf.tender(kf.editor(owner_org), owner_org, visibility="network", joint_procurement_open=True)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SIGNATORY])
def test_members_without_an_editor_role_cannot_express_change_or_withdraw(tender, role):
    peer_org = f.organisation()
    editor = f.member(peer_org, Role.EDITOR)
    services.tender_interest_set(person=editor, tender=tender, organisation=peer_org, note="First")
    person = f.member(peer_org, role)
    for kwargs in ({"note": "Changed"}, {"withdraw": True}):
        with pytest.raises(PermissionDenied):
            services.tender_interest_set(person=person, tender=tender, organisation=peer_org, **kwargs)
    assert TenderInterest.objects.get().note == "First"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN, Role.OWNER])
def test_editors_and_above_speak_for_the_interest_and_every_change_names_who(tender, role):
    peer_org = f.organisation()
    first, second = f.member(peer_org, role), f.member(peer_org, Role.EDITOR)
    services.tender_interest_set(person=first, tender=tender, organisation=peer_org, note="We buy 500")
    services.tender_interest_set(person=second, tender=tender, organisation=peer_org, note="We buy 800")
    services.tender_interest_set(person=second, tender=tender, organisation=peer_org, note="We buy 800")
    assert TenderInterest.objects.get().person == second
    services.tender_interest_set(person=first, tender=tender, organisation=peer_org, withdraw=True)
    assert not TenderInterest.objects.exists()
    changes = list(
        TenderInterestChange.objects.order_by("at", "pk").values_list("action", "person_id", "note")
    )
    assert changes == [
        ("expressed", first.pk, "We buy 500"),
        ("changed", second.pk, "We buy 800"),
        ("withdrawn", first.pk, ""),
    ]


def test_history_is_shown_to_the_owner_and_to_the_interested_organisation_only(api_client, client, tender):
    peer_org = f.organisation("Malmo", slug="malmo")
    editor = f.member(peer_org, Role.EDITOR)
    services.tender_interest_set(person=editor, tender=tender, organisation=peer_org, note="Count us in")
    url = f"/api/v1/tenders/{tender.pk}/interest/history/"
    api_client.force_authenticate(kf.editor(tender.organisation))
    assert [(c["organisation"]["slug"], c["action"]) for c in api_client.get(url).data] == [
        ("malmo", "expressed")
    ]
    api_client.force_authenticate(f.member(peer_org))
    assert len(api_client.get(url).data) == 1
    api_client.force_authenticate(f.member(f.organisation()))
    assert api_client.get(url).data == []
    client.force_login(kf.editor(tender.organisation))
    page = client.get(tender.get_absolute_url()).content.decode()
    assert "Who changed the interest" in page and editor.display_name in page


def test_interest_history_of_a_private_tender_from_other_organisation_is_404(api_client):
    owner_org = f.organisation()
    private = kf.tender(kf.editor(owner_org), owner_org, visibility="private")
    api_client.force_authenticate(f.member(f.organisation(), Role.EDITOR))
    assert api_client.get(f"/api/v1/tenders/{private.pk}/interest/history/").status_code == 404

"""Bad input gets a clear JSON error with the right status, and nothing is stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from members import services
from members.models import Invitation, Membership, Organisation, Role
from tests.members.factories import api_as, member, organisation, person

pytestmark = pytest.mark.django_db


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"], body
    return body


# --- organisations ------------------------------------------------------------------------------


def test_duplicate_name_ignoring_case_is_a_field_error_of_a_conflict():
    """A name another organisation has is the network's state, not bad input: 409, with the field."""
    organisation("City of Helsinki", slug="helsinki")
    api = api_as(person())
    body = _error(api.post("/api/v1/organisations/", {"name": "city of HELSINKI", "country": "FI"}), 409)
    assert "already taken" in body["errors"]["name"][0]
    assert Organisation.objects.count() == 1 and Membership.objects.count() == 0


def test_duplicate_slug_is_a_field_error_of_a_conflict():
    organisation("City of Helsinki", slug="helsinki")
    api = api_as(person())
    body = _error(
        api.post("/api/v1/organisations/", {"name": "Helsinki Region", "slug": "helsinki", "country": "FI"}),
        409,
    )
    assert "helsinki" in body["errors"]["slug"][0]
    assert Organisation.objects.count() == 1


def test_reserved_slug_is_refused_as_bad_input():
    """``new`` is never an address, whatever exists: a rule of the input (400), not of the state."""
    body = _error(
        api_as(person()).post("/api/v1/organisations/", {"name": "New", "slug": "new", "country": "FI"}), 400
    )
    assert "slug" in body["errors"]
    assert not Organisation.objects.exists()


def test_slug_is_derived_with_a_random_part_when_not_given():
    organisation("Vantaa", slug="city-of-vantaa")
    api = api_as(person())
    response = api.post("/api/v1/organisations/", {"name": "City of Vantaa", "country": "FI"})
    assert response.status_code == 201
    assert re.fullmatch(r"city-of-vantaa-[a-z2-9]{8}", response.json()["slug"]), response.json()["slug"]


@pytest.mark.parametrize("country", ["XX", "Finland", "", "F1"])
def test_bad_country_code(country):
    body = _error(
        api_as(person()).post("/api/v1/organisations/", {"name": "City of Espoo", "country": country}), 400
    )
    assert "country" in body["errors"]
    assert not Organisation.objects.exists()


def test_unknown_volume_category_and_negative_units():
    api = api_as(person())
    body = _error(
        api.post(
            "/api/v1/organisations/",
            {"name": "City of Espoo", "country": "FI", "annual_volumes": {"toasters": 5}},
            format="json",
        ),
        400,
    )
    assert "toasters" in body["errors"]["annual_volumes"][0]
    body = _error(
        api.post(
            "/api/v1/organisations/",
            {"name": "City of Espoo", "country": "FI", "annual_volumes": {"laptops": -1}},
            format="json",
        ),
        400,
    )
    assert "annual_volumes" in body["errors"]
    assert not Organisation.objects.exists()


def test_anonymous_cannot_create():
    response = api_as(None).post("/api/v1/organisations/", {"name": "City of Espoo", "country": "FI"})
    assert response.status_code in (401, 403)
    assert not Organisation.objects.exists()


def test_patch_by_editor_is_forbidden_and_by_admin_allowed():
    org = organisation("City of Oulu", slug="oulu")
    editor, admin = member(org, Role.EDITOR), member(org, Role.ADMIN)
    body = _error(api_as(editor).patch("/api/v1/organisations/oulu/", {"description": "x"}), 403)
    assert "owners and admins" in body["detail"]
    response = api_as(admin).patch(
        "/api/v1/organisations/oulu/", {"description": "Northern city", "verified": False, "country": "fi"}
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.description == "Northern city" and org.verified is True  # verified is staff-only


def test_patch_to_an_existing_name_keeps_the_old_one():
    organisation("City of Turku", slug="turku")
    org = organisation("City of Oulu", slug="oulu")
    body = _error(
        api_as(member(org, Role.OWNER)).patch("/api/v1/organisations/oulu/", {"name": "CITY OF TURKU"}), 409
    )
    assert "name" in body["errors"]
    org.refresh_from_db()
    assert org.name == "City of Oulu"


def test_only_staff_verify():
    org = organisation("City of Lahti", slug="lahti", verified=False)
    owner = member(org, Role.OWNER)
    body = _error(api_as(owner).post("/api/v1/organisations/lahti/verify/", {}), 403)
    assert "staff" in body["detail"]
    org.refresh_from_db()
    assert org.verified is False


def test_bad_verified_domain_is_refused():
    org = organisation("City of Lahti", slug="lahti", verified=False)
    staff = person(is_staff=True)
    body = _error(
        api_as(staff).post(
            "/api/v1/organisations/lahti/verify/", {"verified_domains": ["not a domain"]}, format="json"
        ),
        400,
    )
    assert "verified_domains" in body["errors"]
    org.refresh_from_db()
    assert org.verified is False


# --- invitations --------------------------------------------------------------------------------


def test_non_admin_inviting_is_forbidden():
    org = organisation("City of Oulu", slug="oulu")
    for role in (Role.SIGNATORY, Role.EDITOR, Role.MEMBER):
        body = _error(
            api_as(member(org, role)).post(
                "/api/v1/organisations/oulu/invitations/", {"email": "new@oulu.example"}
            ),
            403,
        )
        assert "owners and admins" in body["detail"]
    assert not Invitation.objects.exists()


def test_outsider_inviting_is_forbidden_and_listing_too():
    organisation("City of Oulu", slug="oulu")
    outsider = member(organisation("City of Turku"), Role.OWNER)
    _error(api_as(outsider).post("/api/v1/organisations/oulu/invitations/", {"email": "x@oulu.example"}), 403)
    _error(api_as(outsider).get("/api/v1/organisations/oulu/invitations/"), 403)
    assert not Invitation.objects.exists()


def test_inviting_someone_already_a_member():
    org = organisation("City of Oulu", slug="oulu")
    admin = member(org, Role.ADMIN)
    member(org, Role.MEMBER, email="pekka@oulu.example")
    body = _error(
        api_as(admin).post("/api/v1/organisations/oulu/invitations/", {"email": "PEKKA@oulu.example"}), 409
    )
    assert "already a member" in body["errors"]["email"][0]
    assert not Invitation.objects.exists()


def test_inviting_twice_while_pending_is_refused():
    org = organisation("City of Oulu", slug="oulu")
    api = api_as(member(org, Role.OWNER))
    assert api.post("/api/v1/organisations/oulu/invitations/", {"email": "a@oulu.example"}).status_code == 201
    body = _error(api.post("/api/v1/organisations/oulu/invitations/", {"email": "a@oulu.example"}), 409)
    assert "pending invitation" in body["errors"]["email"][0]
    assert Invitation.objects.count() == 1


def test_bad_email_and_role():
    org = organisation("City of Oulu", slug="oulu")
    api = api_as(member(org, Role.OWNER))
    assert (
        "email"
        in _error(api.post("/api/v1/organisations/oulu/invitations/", {"email": "nope"}), 400)["errors"]
    )
    body = _error(
        api.post("/api/v1/organisations/oulu/invitations/", {"email": "a@b.example", "role": "king"}), 400
    )
    assert "role" in body["errors"]
    assert not Invitation.objects.exists()


def test_admin_cannot_invite_an_owner():
    org = organisation("City of Oulu", slug="oulu")
    body = _error(
        api_as(member(org, Role.ADMIN)).post(
            "/api/v1/organisations/oulu/invitations/", {"email": "boss@oulu.example", "role": "owner"}
        ),
        403,
    )
    assert "owner" in body["detail"]
    assert not Invitation.objects.exists()


def _invite(org, email="guest@oulu.example", role=Role.SIGNATORY) -> Invitation:
    owner = Membership.objects.filter(organisation=org, role=Role.OWNER).first()
    inviter = owner.person if owner else member(org, Role.OWNER)
    return services.invitation_create(actor=inviter, organisation=org, email=email, role=role)


def test_accepting_an_expired_invitation():
    org = organisation("City of Oulu", slug="oulu")
    invitation = _invite(org)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    guest = person("guest@oulu.example")
    body = _error(api_as(guest).post(f"/api/v1/invitations/{invitation.key}/accept/"), 409)
    assert "expired" in body["detail"]
    assert not Membership.objects.filter(person=guest).exists()


def test_accepting_a_revoked_invitation():
    org = organisation("City of Oulu", slug="oulu")
    invitation = _invite(org)
    owner = Membership.objects.get(organisation=org, role=Role.OWNER).person
    assert (
        api_as(owner).post(f"/api/v1/organisations/oulu/invitations/{invitation.pk}/revoke/").json()["status"]
        == "revoked"
    )
    guest = person("guest@oulu.example")
    body = _error(api_as(guest).post(f"/api/v1/invitations/{invitation.key}/accept/"), 409)
    assert "revoked" in body["detail"]
    assert not Membership.objects.filter(person=guest).exists()


def test_accepting_someone_elses_invitation():
    org = organisation("City of Oulu", slug="oulu")
    invitation = _invite(org)
    intruder = person("intruder@example.org")
    body = _error(api_as(intruder).post(f"/api/v1/invitations/{invitation.key}/accept/"), 403)
    assert "another e-mail address" in body["detail"]
    assert not Membership.objects.filter(person=intruder).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accepting_with_an_unverified_address_is_refused():
    org = organisation("City of Oulu", slug="oulu")
    invitation = _invite(org)
    guest = person("guest@oulu.example", verified_email=False)
    _error(api_as(guest).post(f"/api/v1/invitations/{invitation.key}/accept/"), 403)
    assert not Membership.objects.filter(person=guest).exists()


def test_unknown_invitation_key_is_404():
    _error(api_as(person()).post("/api/v1/invitations/not-a-real-key/accept/"), 404)


def test_accepting_twice_is_idempotent_and_a_used_invitation_refuses_others():
    org = organisation("City of Oulu", slug="oulu")
    invitation = _invite(org)
    guest = person("guest@oulu.example")
    first = api_as(guest).post(f"/api/v1/invitations/{invitation.key}/accept/")
    second = api_as(guest).post(f"/api/v1/invitations/{invitation.key}/accept/")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert Membership.objects.filter(person=guest, organisation=org).count() == 1
    # someone else who owns the same verified address (a second account is impossible, so a
    # different guest with the invited address added and verified later) cannot reuse it
    other = person("other@example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=guest).delete()
    EmailAddress.objects.create(user=other, email="guest@oulu.example", verified=True)
    body = _error(api_as(other).post(f"/api/v1/invitations/{invitation.key}/accept/"), 409)
    assert "already been used" in body["detail"]


def test_revoking_an_accepted_invitation_is_refused():
    org = organisation("City of Oulu", slug="oulu")
    invitation = _invite(org)
    services.invitation_accept(actor=person("guest@oulu.example"), key=invitation.key)
    owner = Membership.objects.get(organisation=org, role=Role.OWNER).person
    body = _error(api_as(owner).post(f"/api/v1/organisations/oulu/invitations/{invitation.pk}/revoke/"), 409)
    assert "already accepted" in body["detail"]


# --- memberships --------------------------------------------------------------------------------


def test_removing_the_last_owner():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    membership = Membership.objects.get(person=owner)
    body = _error(api_as(owner).delete(f"/api/v1/organisations/oulu/members/{membership.pk}/"), 409)
    assert "at least one owner" in body["detail"]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_demoting_the_last_owner():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    membership = Membership.objects.get(person=owner)
    body = _error(
        api_as(owner).patch(f"/api/v1/organisations/oulu/members/{membership.pk}/", {"role": "admin"}), 409
    )
    assert "at least one owner" in body["errors"]["role"][0]
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_with_two_owners_one_may_step_down():
    org = organisation("City of Oulu", slug="oulu")
    first, second = member(org, Role.OWNER), member(org, Role.OWNER)
    membership = Membership.objects.get(person=first)
    response = api_as(first).patch(f"/api/v1/organisations/oulu/members/{membership.pk}/", {"role": "admin"})
    assert response.status_code == 200 and response.json()["role"] == "admin"
    # and now the second is the last one
    last = Membership.objects.get(person=second)
    _error(api_as(second).delete(f"/api/v1/organisations/oulu/members/{last.pk}/"), 409)


def test_admin_cannot_demote_or_remove_an_owner():
    org = organisation("City of Oulu", slug="oulu")
    member(org, Role.OWNER)
    owner = member(org, Role.OWNER)
    admin = member(org, Role.ADMIN)
    membership = Membership.objects.get(person=owner)
    _error(
        api_as(admin).patch(f"/api/v1/organisations/oulu/members/{membership.pk}/", {"role": "member"}), 403
    )
    _error(api_as(admin).delete(f"/api/v1/organisations/oulu/members/{membership.pk}/"), 403)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_member_cannot_change_roles_but_can_leave():
    org = organisation("City of Oulu", slug="oulu")
    member(org, Role.OWNER)
    someone = member(org, Role.MEMBER)
    colleague = member(org, Role.MEMBER)
    target = Membership.objects.get(person=colleague)
    _error(api_as(someone).patch(f"/api/v1/organisations/oulu/members/{target.pk}/", {"role": "admin"}), 403)
    _error(api_as(someone).delete(f"/api/v1/organisations/oulu/members/{target.pk}/"), 403)
    own = Membership.objects.get(person=someone)
    assert api_as(someone).delete(f"/api/v1/organisations/oulu/members/{own.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_membership_of_other_organisation_is_404():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    other_org = organisation("City of Turku", slug="turku")
    victim = Membership.objects.get(person=member(other_org, Role.OWNER))
    # addressed through our own organisation: not found
    _error(api_as(owner).delete(f"/api/v1/organisations/oulu/members/{victim.pk}/"), 404)
    # addressed through theirs: we are not members, so we cannot see it either
    _error(api_as(owner).delete(f"/api/v1/organisations/turku/members/{victim.pk}/"), 404)
    assert Membership.objects.filter(pk=victim.pk).exists()


def test_bad_role_value():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    target = Membership.objects.get(person=member(org))
    body = _error(
        api_as(owner).patch(f"/api/v1/organisations/oulu/members/{target.pk}/", {"role": "emperor"}), 400
    )
    assert "role" in body["errors"]

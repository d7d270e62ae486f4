"""Services: last-owner rule under concurrency, domain join, invitation e-mail, working groups."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from members import services
from members.models import GroupMembership, Invitation, Membership, Role
from network.models import Notification
from tests.members.factories import member, organisation, person, working_group


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    """Both requests see two owners before either commits; the row lock makes the second re-check."""
    org = organisation("City of Oulu", slug="oulu")
    first, second = member(org, Role.OWNER), member(org, Role.OWNER)
    targets = [(first, Membership.objects.get(person=second)), (second, Membership.objects.get(person=first))]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, membership):
        try:
            barrier.wait(timeout=5)
            services.membership_update_role(actor=actor, membership=membership, role=Role.MEMBER)
            outcomes.append("done")
        except ValidationError as exc:
            outcomes.append("refused" if "owner" in str(exc) else repr(exc))
        except PermissionDenied:
            outcomes.append("forbidden")  # the other one already demoted this actor
        finally:
            connections.close_all()

    threads = [threading.Thread(target=demote, args=pair) for pair in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) in (["done", "refused"], ["done", "forbidden"]), outcomes
    assert Membership.objects.filter(organisation=org, role=Role.OWNER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_owners_leaving_at_once_leave_one_owner():
    org = organisation("City of Oulu", slug="oulu")
    owners = [member(org, Role.OWNER), member(org, Role.OWNER)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def leave(actor):
        try:
            barrier.wait(timeout=5)
            services.membership_remove(actor=actor, membership=Membership.objects.get(person=actor))
            outcomes.append("left")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=leave, args=(o,)) for o in owners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["left", "refused"]
    assert Membership.objects.filter(organisation=org, role=Role.OWNER).count() == 1


@pytest.mark.django_db
def test_domain_join_matches_the_whole_domain_only():
    hel = organisation("City of Helsinki", verified_domains=["hel.fi"])
    organisation("Elsewhere", verified_domains=["el.fi", "shel.fi"])
    organisation("Unverified Helsinki", verified=False, verified_domains=["hel.fi"])
    two = organisation("Helsinki Region", verified_domains=["hel.fi", "hsy.fi"])
    p = person("aino@HEL.fi")
    joined = services.membership_join_by_domain(person=p, email="aino@HEL.fi")
    assert {m.organisation_id for m in joined} == {hel.pk, two.pk}
    assert set(Membership.objects.filter(person=p).values_list("role", flat=True)) == {Role.MEMBER}
    # again: nothing new, existing roles untouched
    Membership.objects.filter(person=p, organisation=hel).update(role=Role.ADMIN)
    assert services.membership_join_by_domain(person=p, email="aino@hel.fi") == []
    assert Membership.objects.get(person=p, organisation=hel).role == Role.ADMIN


@pytest.mark.django_db
def test_domain_join_query_count_does_not_grow_with_organisations(django_assert_max_num_queries):
    for n in range(30):
        organisation(f"Town {n}", verified_domains=[f"town{n}.example"])
    p = person("x@town7.example")
    with django_assert_max_num_queries(6):
        joined = services.membership_join_by_domain(person=p, email="x@town7.example")
    assert len(joined) == 1


@pytest.mark.django_db
def test_domain_join_on_email_confirmation_signal():
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    org = organisation("City of Helsinki", verified_domains=["hel.fi"])
    p = person("first@example.org")
    address = EmailAddress.objects.create(user=p, email="first@hel.fi", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Membership.objects.filter(person=p, organisation=org, role=Role.MEMBER).exists()


@pytest.mark.django_db
def test_invitation_email_is_sent_after_commit_with_the_accept_link(django_capture_on_commit_callbacks):
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER, name="Olli Owner")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(
            actor=owner, organisation=org, email="Guest@Oulu.example", role=Role.EDITOR
        )
        assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["guest@oulu.example"]
    assert "City of Oulu" in message.subject
    assert f"/invitations/{invitation.key}/" in message.body
    assert f"/api/v1/invitations/{invitation.key}/accept/" in message.body
    assert "Olli Owner" in message.body and "Editor" in message.body


@pytest.mark.django_db
def test_rolled_back_invitation_sends_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.invitation_create(actor=owner, organisation=org, email="a@oulu.example")
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Invitation.objects.exists()


@pytest.mark.django_db
def test_accepting_tells_the_inviter():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    invitation = services.invitation_create(actor=owner, organisation=org, email="g@oulu.example")
    guest = person("g@oulu.example", name="Greta Guest")
    services.invitation_accept(actor=guest, key=invitation.key)
    note = Notification.objects.get(recipient=owner)
    assert "Greta Guest" in note.title and note.url == org.get_absolute_url()


@pytest.mark.django_db
def test_accepting_when_already_member_keeps_the_existing_role():
    org = organisation("City of Oulu", slug="oulu")
    owner = member(org, Role.OWNER)
    invitation = services.invitation_create(
        actor=owner, organisation=org, email="g@oulu.example", role=Role.MEMBER
    )
    guest = person("g@oulu.example")
    Membership.objects.create(
        person=guest, organisation=org, role=Role.ADMIN
    )  # joined meanwhile by domain/admin
    membership = services.invitation_accept(actor=guest, key=invitation.key)
    assert membership.role == Role.ADMIN
    assert Membership.objects.filter(person=guest).count() == 1


@pytest.mark.django_db
def test_organisation_create_makes_the_creator_owner_and_unverified():
    p = person()
    org = services.organisation_create(actor=p, name="  Region Stockholm ", country="se", kind="region")
    assert org.name == "Region Stockholm" and org.country == "SE"
    assert re.fullmatch(r"region-stockholm-[a-z2-9]{8}", org.slug), org.slug
    assert org.verified is False
    assert Membership.objects.get(person=p, organisation=org).role == Role.OWNER


@pytest.mark.django_db
def test_working_group_join_approve_decline_cycle():
    convener = organisation("Federal Institute", slug="fisd")
    group = working_group("Ethical ICT", conveners=[convener])
    chair = member(convener, Role.ADMIN)
    applicant_org = organisation("City of Ghent", slug="ghent")
    applicant = member(applicant_org, Role.OWNER)

    request = services.working_group_request_join(
        actor=applicant, group=group, organisation=applicant_org, note="Hi"
    )
    again = services.working_group_request_join(actor=applicant, group=group, organisation=applicant_org)
    assert request.pk == again.pk and again.status == GroupMembership.Status.PENDING
    assert Notification.objects.filter(recipient=chair, kind="working_group.join_requested").count() == 1

    with pytest.raises(PermissionDenied):
        services.working_group_decide(actor=applicant, group=group, organisation=applicant_org, approve=True)
    declined = services.working_group_decide(
        actor=chair, group=group, organisation=applicant_org, approve=False
    )
    assert declined.status == GroupMembership.Status.DECLINED
    with pytest.raises(ValidationError, match="already declined"):
        services.working_group_decide(actor=chair, group=group, organisation=applicant_org, approve=True)

    services.working_group_request_join(actor=applicant, group=group, organisation=applicant_org)  # ask again
    approved = services.working_group_decide(
        actor=chair, group=group, organisation=applicant_org, approve=True
    )
    assert approved.status == GroupMembership.Status.APPROVED and approved.decided_by == chair
    assert Notification.objects.filter(recipient=applicant, kind="working_group.decided").count() == 2
    with pytest.raises(ValidationError, match="already a member"):
        services.working_group_request_join(actor=applicant, group=group, organisation=applicant_org)


@pytest.mark.django_db
def test_unverified_organisations_neither_convene_nor_join():
    org = organisation(verified=False)
    owner = member(org, Role.OWNER)
    with pytest.raises(ValidationError):
        services.working_group_create(actor=owner, convener=org, name="Something")
    group = working_group(conveners=[organisation()])
    with pytest.raises(ValidationError):
        services.working_group_request_join(actor=owner, group=group, organisation=org)
    assert not GroupMembership.objects.filter(organisation=org).exists()


@pytest.mark.django_db
def test_verifying_a_domain_joins_people_who_verified_their_address_before():
    org = organisation("City of Espoo", slug="espoo", verified=False)
    owner = member(org, Role.OWNER, email="boss@espoo.example")
    early = person("early@Espoo.example")
    unverified_address = person("pending@espoo.example", verified_email=False)
    elsewhere = person("someone@notespoo.example")
    staff = person(is_staff=True)
    services.organisation_verify(actor=staff, organisation=org, verified_domains=["espoo.example"])
    members = dict(Membership.objects.filter(organisation=org).values_list("person__email", "role"))
    assert members == {"boss@espoo.example": Role.OWNER, early.email: Role.MEMBER}
    assert unverified_address.email not in members and elsewhere.email not in members
    assert owner.pk  # the owner kept their role

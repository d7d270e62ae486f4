"""Signing and withdrawing through the services: the rules, the audit trail, the notifications."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from knowledge.statements import services
from knowledge.statements.models import AuditAction, AuditEntry, Signature, StatementStatus
from members.models import Role
from network.models import Notification
from tests import factories
from tests.statements import factories as sf

pytestmark = pytest.mark.django_db


def test_signatory_signs_for_their_verified_organisation_and_the_current_version_is_recorded(
    statement, signer
):
    person, org = signer
    signature = services.statement_sign(
        person=person, statement=statement, organisation=org, volumes={"phones": 6500}, volumes_public=True
    )
    assert signature.is_active
    assert signature.version == statement.current_version
    assert signature.version.number == 1
    assert signature.signed_by == person
    assert signature.volumes == {"phones": 6500}
    entry = AuditEntry.objects.get(statement=statement, action=AuditAction.SIGN)
    assert entry.organisation == org and entry.actor == person and entry.details["version"] == 1


def test_issuer_staff_are_notified_in_app_and_by_email_after_commit(
    signer, django_capture_on_commit_callbacks
):
    lead = factories.organisation()
    owner = factories.member(lead, Role.OWNER)
    plain_member = factories.member(lead, Role.MEMBER)
    statement = sf.open_statement(lead)
    person, org = signer
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_sign(person=person, statement=statement, organisation=org)
    notes = Notification.objects.filter(kind="statement.signed")
    assert {n.recipient_id for n in notes} == {owner.pk, statement.created_by_id}
    assert not notes.filter(recipient=plain_member).exists()
    assert org.name in notes.first().title
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, statement.created_by.email])


def test_a_member_without_the_signatory_role_cannot_sign_and_nothing_is_stored(statement):
    org = factories.organisation()
    for role in (Role.OWNER, Role.ADMIN, Role.EDITOR, Role.MEMBER):
        person = factories.member(org, role)
        with pytest.raises(PermissionDenied):
            services.statement_sign(person=person, statement=statement, organisation=org)
    assert not Signature.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.SIGN).exists()


def test_signatory_of_other_organisation_cannot_sign_for_us(statement, signer):
    person, _ = signer
    ours = factories.organisation()
    with pytest.raises(PermissionDenied):
        services.statement_sign(person=person, statement=statement, organisation=ours)
    assert not Signature.objects.exists()


def test_unverified_organisation_cannot_sign(statement):
    person, org = sf.signatory(factories.organisation(verified=False))
    with pytest.raises(ValidationError) as exc:
        services.statement_sign(person=person, statement=statement, organisation=org)
    assert "organisation" in exc.value.message_dict
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "volumes",
    [
        {"phones": -1},
        {"phones": 10_000_001},
        {"phones": 12.5},
        {"phones": "many"},
        {"spaceships": 3},
        ["phones"],
    ],
)
def test_negative_absurd_or_unknown_volumes_are_refused(statement, signer, volumes):
    person, org = signer
    with pytest.raises(ValidationError) as exc:
        services.statement_sign(person=person, statement=statement, organisation=org, volumes=volumes)
    assert "volumes" in exc.value.message_dict
    assert not Signature.objects.exists()


def test_draft_and_closed_statements_cannot_be_signed(signer):
    person, org = signer
    draft = sf.draft()
    with pytest.raises(services.StatementConflict):
        services.statement_sign(person=person, statement=draft, organisation=org)
    closed = sf.open_statement()
    services.statement_close(person=closed.created_by, statement=closed)
    with pytest.raises(services.StatementConflict):
        services.statement_sign(person=person, statement=closed, organisation=org)
    assert not Signature.objects.exists()


def test_signing_respects_opening_and_closing_dates(signer):
    person, org = signer
    today = timezone.localdate()
    later = sf.open_statement(opens_on=today + datetime.timedelta(days=3))
    with pytest.raises(services.StatementConflict, match="opens on"):
        services.statement_sign(person=person, statement=later, organisation=org)
    past = sf.open_statement(closes_on=today + datetime.timedelta(days=1))
    type(past).objects.filter(pk=past.pk).update(closes_on=today - datetime.timedelta(days=1))
    past.refresh_from_db()
    with pytest.raises(services.StatementConflict, match="closed on"):
        services.statement_sign(person=person, statement=past, organisation=org)
    assert not Signature.objects.exists()


def test_second_signature_of_the_same_organisation_is_a_conflict_carrying_the_first(statement, signer):
    person, org = signer
    colleague = factories.member(org, Role.SIGNATORY)
    first = services.statement_sign(
        person=person, statement=statement, organisation=org, volumes={"phones": 10}
    )
    with pytest.raises(services.AlreadySigned) as exc:
        services.statement_sign(
            person=colleague, statement=statement, organisation=org, volumes={"phones": 99}
        )
    assert exc.value.signature.pk == first.pk
    assert exc.value.status == 409
    assert Signature.objects.filter(statement=statement).count() == 1
    assert Signature.objects.get().volumes == {"phones": 10}


def test_the_database_refuses_a_second_active_signature_even_without_the_service(statement, signer):
    person, org = signer
    first = services.statement_sign(person=person, statement=statement, organisation=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            statement=statement, organisation=org, signed_by=person, version=statement.current_version
        )
    # A withdrawn row does not count: the index is partial.
    Signature.objects.filter(pk=first.pk).update(withdrawn_at=timezone.now(), withdrawn_by=person)
    Signature.objects.create(
        statement=statement, organisation=org, signed_by=person, version=statement.current_version
    )
    assert Signature.objects.active().count() == 1


def test_withdrawal_keeps_who_when_why_and_allows_signing_again(
    statement, signer, django_capture_on_commit_callbacks
):
    person, org = signer
    first = services.statement_sign(person=person, statement=statement, organisation=org)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.signature_withdraw(
            person=person, statement=statement, organisation=org, reason="Council decision"
        )
    assert withdrawn.pk == first.pk
    assert withdrawn.withdrawn_by == person and withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_reason == "Council decision"
    assert Notification.objects.filter(kind="statement.withdrawn").exists()
    again = services.statement_sign(person=person, statement=statement, organisation=org)
    assert again.pk != first.pk
    assert Signature.objects.filter(statement=statement, organisation=org).count() == 2
    assert Signature.objects.active().get() == again
    actions = list(
        AuditEntry.objects.filter(statement=statement).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditAction.OPEN, AuditAction.SIGN, AuditAction.WITHDRAW, AuditAction.SIGN]


def test_withdrawal_needs_a_reason_a_signatory_and_an_active_signature(statement, signer):
    person, org = signer
    with pytest.raises(services.NoActiveSignature):
        services.signature_withdraw(person=person, statement=statement, organisation=org, reason="x")
    services.statement_sign(person=person, statement=statement, organisation=org)
    with pytest.raises(ValidationError):
        services.signature_withdraw(person=person, statement=statement, organisation=org, reason="  ")
    editor = factories.member(org, Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.signature_withdraw(person=editor, statement=statement, organisation=org, reason="no")
    assert Signature.objects.active().count() == 1


def test_closing_and_reopening_are_audited_and_only_for_issuer_editors(statement):
    outsider = factories.member(factories.organisation(), Role.OWNER)
    with pytest.raises(PermissionDenied):
        services.statement_close(person=outsider, statement=statement)
    signatory_of_lead = factories.member(statement.organisation, Role.SIGNATORY)
    with pytest.raises(PermissionDenied):
        services.statement_close(person=signatory_of_lead, statement=statement)
    services.statement_close(person=statement.created_by, statement=statement)
    with pytest.raises(services.StatementConflict):
        services.statement_close(person=statement.created_by, statement=statement)
    reopened = services.statement_reopen(person=statement.created_by, statement=statement)
    assert reopened.status == StatementStatus.OPEN
    actions = list(
        AuditEntry.objects.filter(statement=statement).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditAction.OPEN, AuditAction.CLOSE, AuditAction.REOPEN]

"""A person with data in every place the platform keeps data about people, built through the
real services where there is one (the rest as plain rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType

from forums import services as forum_services
from knowledge.statements import services as statement_services
from members import services as member_services
from members.models import GroupMembership, Invitation, Role
from network.events import services as event_services
from network.notifications import notify, set_preferences
from tests import factories
from tests.events import factories as event_factories
from tests.knowledge import factories as knowledge_factories
from tests.statements import factories as statement_factories


@dataclass
class PrivacyWorld:
    anna: Any
    helsinki: Any
    espoo: Any
    other_owner: Any
    bob: Any
    statement: Any
    thread: Any


def build() -> PrivacyWorld:
    helsinki = factories.organisation("City of Helsinki", verified_domains=["hel.fi"])
    espoo = factories.organisation("City of Espoo")
    other_owner = factories.member(helsinki, Role.OWNER, email="boss@hel.fi", name="Helena Boss")
    espoo_owner = factories.member(espoo, Role.OWNER, email="boss@espoo.fi")
    anna = factories.member(helsinki, Role.ADMIN, email="anna@hel.fi", name="Anna Virtanen")
    EmailAddress.objects.create(user=anna, email="anna.private@example.org", verified=True)
    from members.models import Membership

    Membership.objects.create(person=anna, organisation=espoo, role=Role.SIGNATORY)
    bob = factories.member(helsinki, Role.EDITOR, email="bob@hel.fi", name="Bob Berg")

    # Knowledge: lesson, template (published), planned tender with interest, attachment.
    template = knowledge_factories.template(anna, helsinki, visibility="network")
    knowledge_factories.lesson(anna, helsinki, visibility="network")
    knowledge_factories.tender(anna, helsinki, visibility="network")
    from knowledge.resources import ResourceData, resource_create

    resource_create(
        person=anna,
        organisation=helsinki,
        data=ResourceData(title="Model clause", url="https://example.org/c"),
    )

    from knowledge.models import Attachment
    from knowledge.services import templates as template_services
    from knowledge.services import tenders as tender_services

    template_services.template_publish(person=anna, template=template, change_note="First")
    Attachment.objects.create(
        template=template,
        file="attachments/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=anna,
    )
    espoo_tender = knowledge_factories.tender(espoo_owner, espoo, visibility="network", title="Espoo laptops")
    tender_services.tender_interest_set(
        person=anna, tender=espoo_tender, organisation=helsinki, note="Count us in"
    )

    # Statements: Anna drafts and opens one for Helsinki; signs and withdraws for Espoo, signs again.
    statement = statement_factories.draft(helsinki, editor=anna)
    statement = statement_services.statement_open(person=anna, statement=statement)
    statement_services.statement_sign(
        person=anna, statement=statement, organisation=espoo, volumes={"phones": 300}, volumes_public=True
    )
    statement_services.signature_withdraw(
        person=anna, statement=statement, organisation=espoo, reason="Budget"
    )
    statement_services.statement_sign(
        person=anna, statement=statement, organisation=espoo, volumes={"phones": 250}, volumes_public=True
    )
    statement_factories.sign(statement)  # another organisation signs too

    # Forums: a thread, posts, a reaction, a mention, a report, a subscription, read state.
    group = factories.working_group("Ethical ICT", conveners=[helsinki], members=[espoo])
    forum = forum_services.group_forum_ensure(group=group)
    forum_services.forum_create(organisation=helsinki, name="Helsinki buyers", created_by=anna)
    thread = forum_services.thread_create(person=anna, forum=forum, title="Fair phones", body="Hello all")
    bob_post, _ = forum_services.post_create(person=bob, thread=thread, body="Hi @anna, welcome")
    forum_services.post_create(person=anna, thread=thread, body="My own words, Anna V.")
    forum_services.reaction_toggle(person=anna, post=bob_post, code="thumbs_up")
    forum_services.post_report(person=anna, post=bob_post, reason="Off topic")
    forum_services.thread_subscribe(person=anna, thread=thread)
    forum_services.thread_mark_read(person=anna, thread=thread)
    forum_services.post_create(person=bob, thread=thread, body="@Anna Virtanen see this")
    forum_services.post_remove(person=anna, post=bob_post)  # Anna moderates (convener admin)

    # Events: Anna hosts one (and adds an outcome) and registers for another.
    hosted = event_factories.event(helsinki, person=anna, title="Market dialogue")
    from network.events.models import EventOutcome

    EventOutcome.objects.create(event=hosted, kind="thread", object_ref=str(thread.pk), added_by=anna)
    from network.events.models import CoHostInvitation

    CoHostInvitation.objects.create(event=hosted, organisation=espoo, invited_by=anna, answered_by=anna)
    other_event = event_factories.event(espoo, title="Espoo dialogue")
    event_services.registration_register(person=anna, event=other_event)

    # Members: invitations sent, accepted and addressed to her other address; group requests.
    invitation = member_services.invitation_create(
        actor=anna, organisation=helsinki, email="newbie@hel.fi", role=Role.MEMBER
    )
    Invitation.objects.create(organisation=espoo, email="anna.private@example.org", invited_by=other_owner)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=anna)
    GroupMembership.objects.filter(group=group).update(requested_by=anna, decided_by=anna)

    from forums.models import PostReport
    from knowledge.statements.models import IdempotencyRecord
    from members.models import DataExport
    from members.sso import services as sso_services

    PostReport.objects.update(resolved_by=anna)
    IdempotencyRecord.objects.create(
        key="k1", person=anna, endpoint="/api/v1/x/", fingerprint="f", response_status=201, response_body="{}"
    )
    DataExport.objects.create(person=anna, status="failed")
    sso_services.identity_provider_configure(
        actor=anna,
        organisation=helsinki,
        issuer="https://login.hel.fi",
        client_id="c",
        client_secret="s",
        domains=["hel.fi"],
    )

    from network.accessibility.services import feedback_submit

    feedback_submit(
        data={
            "message": "The chart has no text alternative",
            "name": "Anna Virtanen",
            "email": "anna@hel.fi",
        },
        person=anna,
    )

    # Account machinery: sessions, MFA, a linked sign-in, an admin log entry, notifications.
    UserSession.objects.create(user=anna, ip="192.0.2.10", user_agent="Firefox", session_key="k" * 32)
    Authenticator.objects.create(user=anna, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    SocialAccount.objects.create(
        user=anna, provider="org-1", uid="anna-sub", extra_data={"email": "anna@hel.fi"}
    )
    LogEntry.objects.create(
        user=anna,
        content_type=ContentType.objects.get_for_model(template),
        object_id=str(template.pk),
        object_repr="Laptops",
        action_flag=ADDITION,
    )
    notify([anna], kind="forum.reply", title="Bob replied", actor=bob)
    notify([bob], kind="forum.mention", title="Anna Virtanen mentioned you", actor=anna)
    set_preferences(anna, {"mentions": "digest"})
    return PrivacyWorld(anna, helsinki, espoo, other_owner, bob, statement, thread)

"""Co-hosting with consent: invitations to co-host an event, accepted or declined by the invitee.

``Event.hosts`` holds the lead host and the co-hosts that **accepted**; every read (pages, API,
feeds, iCalendar, edit rights through :func:`selectors.is_host`, private-event reads through
``Event.visibility_co_owners``) follows it, so an organisation that has not accepted is nowhere
shown as a host and gains nothing. Only owners and admins of the invited organisation answer
(``visibility.can_manage``); an unverified lead host cannot name co-hosts at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import EDITOR_ROLES, MANAGER_ROLES, Organisation, Person
from network import visibility
from network.events.models import CoHostInvitation, Event
from network.notifications import notify

Status = CoHostInvitation.Status


class InvitationConflict(Exception):
    """The invitation was already answered or withdrawn: nothing changed (HTTP 409)."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _managers(organisation_id: int):
    return Person.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=MANAGER_ROLES,
    ).distinct()


def _editors(organisation_id: int):
    return Person.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=EDITOR_ROLES,
    ).distinct()


def invitation_url(invitation: CoHostInvitation) -> str:
    return reverse("events:cohost_invitation", kwargs={"pk": invitation.pk})


def sync_co_hosts(*, person: Any, event: Event, wanted: Iterable[Organisation]) -> list[CoHostInvitation]:
    """Make the event's co-hosts ``wanted``: invite the new ones, drop the ones no longer named.

    Call inside the event's transaction. Returns the invitations sent (new or renewed).
    """
    wanted_by_pk = {o.pk: o for o in wanted if o.pk != event.organisation_id}
    if wanted_by_pk and not event.organisation.verified:
        raise ValidationError(
            {
                "co_hosts": _(
                    "%(org)s is not verified yet, so it cannot name co-hosts. Network staff verify "
                    "organisations."
                )
                % {"org": event.organisation.name}
            }
        )
    current = {o.pk for o in event.hosts.all()} - {event.organisation_id}
    removed = current - set(wanted_by_pk)
    if removed:
        event.hosts.remove(*removed)
    CoHostInvitation.objects.filter(event=event, status__in=[Status.PENDING, Status.ACCEPTED]).exclude(
        organisation_id__in=list(wanted_by_pk)
    ).update(status=Status.WITHDRAWN, answered_at=None, answered_by=None)
    sent = []
    existing = {i.organisation_id: i for i in CoHostInvitation.objects.filter(event=event)}
    now = timezone.now()
    for pk, org in wanted_by_pk.items():
        if pk in current:
            continue
        invitation = existing.get(pk)
        if invitation is not None and invitation.status == Status.PENDING:
            continue
        if invitation is None:
            invitation = CoHostInvitation(event=event, organisation=org)
        invitation.status = Status.PENDING
        invitation.invited_by = person if getattr(person, "pk", None) else None
        invitation.invited_at = now
        invitation.answered_by, invitation.answered_at = None, None
        invitation.save()
        sent.append(invitation)
        notify(
            _managers(pk),
            kind="event.cohost_invited",
            title=_("%(lead)s invites %(org)s to co-host “%(title)s”")
            % {"lead": event.organisation.name, "org": org.name, "title": event.title},
            body=_("Accept to appear as a host and run the event with them, or decline."),
            url=invitation_url(invitation),
            actor=person,
        )
    return sent


def _answer(person: Any, invitation: CoHostInvitation, status: str) -> CoHostInvitation:
    if not visibility.can_manage(person, invitation.organisation_id):
        raise PermissionDenied(
            _("Only owners and admins of %(org)s can answer this invitation.")
            % {"org": invitation.organisation.name}
        )
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=invitation.event_id)
        locked = (
            CoHostInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        )
        if locked.status != Status.PENDING:
            raise InvitationConflict(
                _("This invitation is already answered or withdrawn (%(s)s). Nothing was changed.")
                % {"s": locked.get_status_display()}
            )
        locked.status = status
        locked.answered_by = person
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_by", "answered_at"])
        if status == Status.ACCEPTED:
            event.hosts.add(locked.organisation)
            event.sequence += 1  # calendar clients refresh the hosts line
            event.save(update_fields=["sequence", "updated_at"])
        notify(
            _editors(event.organisation_id),
            kind="event.cohost_answered",
            title=(
                _("%(org)s accepted to co-host “%(title)s”")
                if status == Status.ACCEPTED
                else _("%(org)s declined to co-host “%(title)s”")
            )
            % {"org": locked.organisation.name, "title": event.title},
            url=event.get_absolute_url(),
            actor=person,
        )
    return locked


def cohost_invitation_accept(*, person: Any, invitation: CoHostInvitation) -> CoHostInvitation:
    return _answer(person, invitation, Status.ACCEPTED)


def cohost_invitation_decline(*, person: Any, invitation: CoHostInvitation) -> CoHostInvitation:
    return _answer(person, invitation, Status.DECLINED)


# --- reads -----------------------------------------------------------------------------------


def invitations_for(person: Any):
    """Pending invitations to the organisations ``person`` belongs to (members see; managers act)."""
    org_ids = visibility.viewer_for(person).organisation_ids
    return (
        CoHostInvitation.objects.filter(organisation_id__in=org_ids, status=Status.PENDING)
        .select_related("event", "event__organisation", "organisation")
        .order_by("-invited_at", "-pk")
    )


def invitation_for(person: Any, pk: Any) -> CoHostInvitation:
    """An invitation to one of the person's organisations; anything else is a 404."""
    from django.http import Http404

    org_ids = visibility.viewer_for(person).organisation_ids
    try:
        return (
            CoHostInvitation.objects.select_related("event", "event__organisation", "organisation")
            .filter(organisation_id__in=org_ids)
            .get(pk=int(pk))
        )
    except (CoHostInvitation.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def pending_for_event(event: Event) -> list[CoHostInvitation]:
    """Invitations still waiting for an answer (the hosts' view)."""
    return list(
        CoHostInvitation.objects.filter(event=event, status=Status.PENDING)
        .select_related("organisation")
        .order_by("organisation__name")
    )

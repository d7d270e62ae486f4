"""Events test data, created through the real service (so hosts, slugs and rules are real)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from members.models import Membership, Organisation, Role
from network.events import services
from network.events.models import Event
from tests import factories

_seq = itertools.count(1)


def host_editor(org: Organisation):
    """An editor of ``org`` (creates one if the organisation has none yet)."""
    membership = (
        Membership.objects.filter(organisation=org, role__in=[Role.EDITOR, Role.ADMIN, Role.OWNER])
        .select_related("person")
        .first()
    )
    return membership.person if membership else factories.member(org, Role.EDITOR)


def event(
    org: Organisation,
    *,
    visibility: str = "network",
    capacity: int | None = None,
    days: int = 7,
    hours: int = 2,
    title: str | None = None,
    **extra,
) -> Event:
    n = next(_seq)
    starts = extra.pop("starts_at", timezone.now() + timedelta(days=days))
    accept = extra.pop("accept_co_hosts", True)
    ev = services.event_create(
        person=extra.pop("person", None) or host_editor(org),
        organisation=org,
        data=services.EventData(
            title=title or f"Market dialogue {n}",
            starts_at=starts,
            ends_at=extra.pop("ends_at", starts + timedelta(hours=hours)),
            time_zone=extra.pop("time_zone", "Europe/Helsinki"),
            place=extra.pop("place", "City Hall, Helsinki"),
            capacity=capacity,
            visibility=visibility,
            audience=extra.pop("audience", ["buyers", "suppliers"]),
            **extra,
        ),
    )
    if accept:
        accept_invitations(ev)
    return ev


def accept_invitations(ev: Event) -> None:
    """Each invited co-host's admin accepts (co-hosting needs consent; most tests start after it)."""
    from network.events import cohosts
    from network.events.models import CoHostInvitation

    for invitation in CoHostInvitation.objects.filter(event=ev, status="pending").select_related(
        "organisation"
    ):
        admin = factories.member(invitation.organisation, Role.ADMIN)
        cohosts.cohost_invitation_accept(person=admin, invitation=invitation)


def past_event(org: Organisation, **extra) -> Event:
    """An event that is over (created in the future, then moved back: the service refuses nothing)."""
    ev = event(org, **extra)
    Event.objects.filter(pk=ev.pk).update(
        starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=30, hours=-2)
    )
    ev.refresh_from_db()
    return ev

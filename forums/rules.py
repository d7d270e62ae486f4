"""Who may post in and moderate a forum (reading is :mod:`network.visibility`'s job alone).

Reading a public working group's forum is open to anyone, but taking part is for its member
organisations; the network forum is for members of verified organisations; an organisation's own
forum is for its members.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from forums.models import Forum
from network import visibility


def can_post_in(person: Any, forum: Forum) -> bool:
    """Whether the person may start threads, post and react (never in an archived forum)."""
    viewer = visibility.viewer_for(person)
    if viewer.is_anonymous or forum.archived_at is not None or not visibility.can_read(person, forum):
        return False
    if forum.organisation_id is not None and forum.organisation_id in viewer.organisation_ids:
        return True
    if forum.kind == Forum.Kind.GROUP:
        return forum.working_group_id in viewer.group_ids
    if forum.kind == Forum.Kind.NETWORK:
        return viewer.verified_member or viewer.is_staff
    return False


def can_moderate(person: Any, forum: Forum) -> bool:
    """Conveners' managers for a working group's forum; the owning organisation's owners and
    admins for every forum; network staff everywhere (the network forum has no owner but them)."""
    viewer = visibility.viewer_for(person)
    if viewer.is_anonymous:
        return False
    if viewer.is_staff:
        return True
    if forum.organisation_id is not None and visibility.can_manage(person, forum.organisation_id):
        return True
    if forum.kind == Forum.Kind.GROUP and forum.working_group is not None:
        return visibility.can_convene(person, forum.working_group)
    return False


def posting_organisation_id(person: Any, forum: Forum) -> int | None:
    """The organisation a person speaks for in a forum: the forum's owner if they belong to it, else
    one of their organisations in the working group, else any of theirs."""
    viewer = visibility.viewer_for(person)
    if forum.organisation_id is not None and forum.organisation_id in viewer.organisation_ids:
        return forum.organisation_id
    if forum.kind == Forum.Kind.GROUP and forum.working_group_id:
        from members.models import GroupMembership

        in_group = set(
            GroupMembership.objects.filter(
                group_id=forum.working_group_id,
                organisation_id__in=viewer.organisation_ids,
                status=GroupMembership.Status.APPROVED,
            ).values_list("organisation_id", flat=True)
        ) | set(
            forum.working_group.conveners.filter(pk__in=viewer.organisation_ids).values_list("pk", flat=True)
        )
        if in_group:
            return min(in_group)
    return min(viewer.organisation_ids) if viewer.organisation_ids else None


def moderated_forums_q(person: Any) -> Q:
    """The forums a person moderates, as a filter on :class:`Forum` (the moderation queue's scope):
    the network forum for staff, their managed organisations' forums, and the forums of the working
    groups those organisations convene."""
    from members.models import MANAGER_ROLES

    viewer = visibility.viewer_for(person)
    if viewer.is_anonymous:
        return Q(pk__in=[])
    managed = [org for org, role in viewer.roles.items() if role in MANAGER_ROLES]
    rule = Q(organisation_id__in=managed) | Q(kind=Forum.Kind.GROUP, working_group__conveners__in=managed)
    if viewer.is_staff:
        rule |= Q(kind=Forum.Kind.NETWORK)
    return rule

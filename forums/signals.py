"""Membership changes → open sockets re-check what they may read.

A person's thread sockets must stop when they lose access (their organisation leaves a working
group, they leave an organisation, a group loses a convener). Rather than have every members
service remember to tell the forums, these receivers watch the rows that define access and, after
commit, send ``access.recheck`` to the person groups of everyone affected.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from members.models import GroupMembership, Membership, Organisation, WorkingGroup


def _recheck_org(organisation_id: int | None) -> None:
    from forums.services import recheck_access_for_organisation

    if organisation_id:
        recheck_access_for_organisation(organisation_id)


@receiver(post_save, sender=GroupMembership, dispatch_uid="forums.groupmembership.saved")
@receiver(post_delete, sender=GroupMembership, dispatch_uid="forums.groupmembership.deleted")
def group_membership_changed(sender, instance: GroupMembership, **kwargs) -> None:
    _recheck_org(instance.organisation_id)


@receiver(post_save, sender=Membership, dispatch_uid="forums.membership.saved")
@receiver(post_delete, sender=Membership, dispatch_uid="forums.membership.deleted")
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    from forums.services import recheck_access_for_people

    recheck_access_for_people([instance.person_id])


@receiver(post_save, sender=Organisation, dispatch_uid="forums.organisation.saved")
def organisation_changed(sender, instance: Organisation, created: bool, **kwargs) -> None:
    if not created:  # verification can be withdrawn, which closes the network forum
        _recheck_org(instance.pk)


@receiver(m2m_changed, sender=WorkingGroup.conveners.through, dispatch_uid="forums.conveners.changed")
def conveners_changed(sender, instance, action: str, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if isinstance(instance, WorkingGroup):
        org_ids = set(pk_set or []) or set(instance.conveners.values_list("pk", flat=True))
        for org_id in org_ids:
            _recheck_org(org_id)
    else:
        _recheck_org(instance.pk)

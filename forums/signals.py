"""Membership changes → open sockets re-check what they may read; working groups → their forums.

A working group gets its forum when it gets its first convener (``members.services.
working_group_create`` adds the convener right after saving the group; the admin does the same), and
the forum's name and visibility follow the group whenever the group is saved. Doing this here rather
than in ``members.services`` keeps the members app free of forum imports (members sits below forums)
and also covers groups created in the admin.

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
def organisation_changed(sender, instance: Organisation, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if instance.verified:  # the first verified organisation's members find the network forum
        from forums.services import network_forum_ensure

        network_forum_ensure()
    if not created:  # verification can be withdrawn, which closes the network forum
        _recheck_org(instance.pk)


@receiver(post_save, sender=WorkingGroup, dispatch_uid="forums.workinggroup.saved")
def working_group_saved(sender, instance: WorkingGroup, created: bool, raw: bool = False, **kwargs) -> None:
    """The forum follows its group's name and visibility (public group → public forum)."""
    if raw or created:
        return
    from forums.models import Forum
    from forums.services import group_forum_ensure

    if Forum.objects.filter(working_group=instance).exists():
        group_forum_ensure(group=instance)


@receiver(m2m_changed, sender=WorkingGroup.conveners.through, dispatch_uid="forums.conveners.changed")
def conveners_changed(sender, instance, action: str, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if action == "post_add":
        _ensure_group_forums(
            [instance]
            if isinstance(instance, WorkingGroup)
            else WorkingGroup.objects.filter(pk__in=pk_set or [])
        )
    if isinstance(instance, WorkingGroup):
        org_ids = set(pk_set or []) or set(instance.conveners.values_list("pk", flat=True))
        for org_id in org_ids:
            _recheck_org(org_id)
    else:
        _recheck_org(instance.pk)


def _ensure_group_forums(groups) -> None:
    from forums.models import Forum
    from forums.services import group_forum_ensure

    for group in groups:
        if not Forum.objects.filter(working_group=group).exists():
            group_forum_ensure(group=group)

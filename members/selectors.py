"""Reads about organisations, people and working groups, scoped by who is asking.

The rules for *these* objects (content objects use :mod:`network.visibility`):

* **Organisations** form a public directory: verified organisations are listed to everyone,
  unverified ones only to their own members and to network staff (an unverified organisation
  is a claim nobody has checked yet, so it is not shown to the network). Anything else is a 404.
* **Member lists** (names, e-mail addresses, roles) are for members of that organisation and
  staff. Other people see the organisation's profile but get 403 on its member list, because the
  organisation itself is visible to them.
* **Invitations** are for the organisation's owners and admins (and staff) only.
* **Working groups** follow :func:`network.visibility.working_groups_visible_q`: public groups to
  anyone, network groups to members of verified organisations and to the groups' own members.

Every helper takes a person (or ``None``), never a request, so the API, HTML views and other
apps reuse them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from members.models import GroupMembership, Invitation, Membership, Organisation, WorkingGroup
from network import visibility


def organisations_visible_q(person: Any) -> Q:
    viewer = visibility.viewer_for(person)
    if viewer.is_staff:
        return Q()
    rule = Q(verified=True)
    if viewer.organisation_ids:
        rule |= Q(pk__in=viewer.organisation_ids)
    return rule


def organisation_list(
    person: Any, *, country: str = "", kind: str = "", q: str = "", verified: bool | None = None
) -> QuerySet[Organisation]:
    """The directory as this person sees it, with member counts, in two queries or fewer."""
    qs = Organisation.objects.filter(organisations_visible_q(person))
    if country:
        qs = qs.filter(country=country.upper())
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if verified is not None:
        qs = qs.filter(verified=verified)
    return qs.annotate(member_count=Count("memberships", distinct=True)).order_by("name")


def organisation_for(person: Any, slug: str) -> Organisation:
    """One organisation by slug, or ``Organisation.DoesNotExist`` (a 404) when not visible."""
    return (
        Organisation.objects.filter(organisations_visible_q(person))
        .annotate(member_count=Count("memberships", distinct=True))
        .get(slug=slug)
    )


def organisations_nameable(person: Any) -> QuerySet[Organisation]:
    """Organisations a request of this person may name by slug: the directory's rule, so an
    organisation hidden from the person answers exactly like a missing one (no 403 naming it)."""
    return Organisation.objects.filter(organisations_visible_q(person))


def organisation_for_write(person: Any, slug: str | None) -> Organisation:
    """The organisation a create acts for: the one named, or the person's only one.

    Both refusals are state rules (409, :func:`network.validation.conflict`), never a 400 the
    schema did not announce: an omitted slug is valid input that only someone editing for several
    organisations must give, and a slug naming no organisation the person can see is a reference
    to a row they cannot find (hidden and missing answer alike, so nothing is disclosed). Whether
    the person may create in the organisation stays the caller's policy check (a 403).
    """
    from django.utils.translation import gettext as _

    from network import validation

    if not slug:
        candidates = visibility.editor_organisation_ids(person) or sorted(
            visibility.viewer_for(person).organisation_ids
        )
        if len(candidates) == 1:
            return Organisation.objects.get(pk=candidates[0])
        raise validation.conflict({"organisation": _("Name the organisation (its slug).")})
    organisation = organisations_nameable(person).filter(slug=slug).first()
    if organisation is None:
        raise validation.conflict({"organisation": _("No organisation “%(s)s”.") % {"s": slug}})
    return organisation


def can_see_members(person: Any, organisation: Organisation) -> bool:
    viewer = visibility.viewer_for(person)
    return viewer.is_staff or organisation.pk in viewer.organisation_ids


def member_list(organisation: Organisation) -> QuerySet[Membership]:
    """Memberships with their people, owners first; one query whatever the size."""
    from django.db.models import Case, IntegerField, Value, When

    from members.models import Role

    order = Case(
        *[When(role=r, then=Value(i)) for i, r in enumerate(Role.values)], output_field=IntegerField()
    )
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("person")
        .annotate(role_order=order)
        .order_by("role_order", "person__name", "person__email")
    )


def invitation_list(organisation: Organisation, *, pending_only: bool = False) -> QuerySet[Invitation]:
    qs = Invitation.objects.filter(organisation=organisation).select_related("invited_by", "accepted_by")
    if pending_only:
        from django.utils import timezone

        qs = qs.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
    return qs.order_by("-created_at")


def working_groups_for(person: Any) -> QuerySet[WorkingGroup]:
    """Working groups visible to ``person``, with conveners and approved member organisations."""
    viewer = visibility.viewer_for(person)
    rule = Q() if viewer.is_staff else visibility.working_groups_visible_q(viewer)
    approved = GroupMembership.objects.filter(status=GroupMembership.Status.APPROVED).select_related(
        "organisation"
    )
    return (
        WorkingGroup.objects.filter(rule)
        .prefetch_related(
            "conveners",
            Prefetch("memberships", queryset=approved, to_attr="approved_memberships"),
        )
        .order_by("name")
    )


def working_group_for(person: Any, slug: str) -> WorkingGroup:
    return working_groups_for(person).get(slug=slug)


def pending_requests(group: WorkingGroup) -> QuerySet[GroupMembership]:
    return (
        GroupMembership.objects.filter(group=group, status=GroupMembership.Status.PENDING)
        .select_related("organisation", "requested_by")
        .order_by("created_at")
    )


def managed_organisations(person: Any) -> QuerySet[Organisation]:
    """Organisations where ``person`` is owner or admin (for join requests, group creation)."""
    return Organisation.objects.filter(pk__in=visibility.manager_organisation_ids(person)).order_by("name")


def editable_organisations(person: Any) -> QuerySet[Organisation]:
    """Organisations where ``person`` creates and edits content (the policy's editor roles)."""
    return Organisation.objects.filter(pk__in=visibility.editor_organisation_ids(person)).order_by("name")


def signable_organisations(person: Any) -> QuerySet[Organisation]:
    """Verified organisations ``person`` may sign joint statements for."""
    return Organisation.objects.filter(pk__in=visibility.signatory_organisation_ids(person)).order_by("name")


def memberships_of(person: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(person=person).select_related("organisation").order_by("organisation__name")
    )


def verification_queue(*, verified: bool | None = False, q: str = "") -> QuerySet[Organisation]:
    """Organisations for network staff to verify (or review), with their owners' e-mail domains to
    compare against the domains claimed. Staff-only: callers check ``is_staff``."""
    from django.db.models import Count, Prefetch

    qs = Organisation.objects.annotate(member_count=Count("memberships")).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("person").filter(role__in=["owner", "admin"]),
            to_attr="managers",
        )
    )
    if verified is not None:
        qs = qs.filter(verified=verified)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(website__icontains=q))
    return qs.order_by("-created_at", "name")

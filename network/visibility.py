"""The visibility policy: the one place that decides who may read and write what.

Every read path (HTML views, the API, search, WebSocket subscriptions, exports, feeds,
notifications) asks this module; nothing else decides. The rule (DESIGN.md):

============  =====================================================================
visibility    who can read
============  =====================================================================
``private``   members of the owning organisation
``group``     members of the owning organisation and of organisations in the named
              working groups (approved members and conveners)
``network``   every signed-in member of a *verified* organisation
``public``    anyone, signed in or not
============  =====================================================================

Helpers take a person (or ``None``/anonymous), never a request, so consumers, tasks and search can
reuse them. What a person can see is resolved once into a :class:`Viewer` and cached on the person
object for the life of that object; pass ``fresh=True`` where membership may have changed since
(long-lived WebSocket connections re-check with a fresh viewer).

Models opt in by inheriting :class:`TenantOwned` (owner organisation + visibility + shared working
groups) and using :class:`VisibleQuerySet` as their manager. A model whose rows become public by
state (an open statement) declares ``visibility_public_when = Q(...)``; a model whose visibility
follows a parent (a thread follows its forum) declares ``visibility_parent = "forum"``. A model
owned jointly by several organisations (a statement's co-issuers) names the many-to-many field to
them in ``visibility_co_owners``: their members read it as the owner's members do. A model whose
``network`` rows network staff must read even without a verified organisation of their own (the
forums, which staff moderate) declares ``visibility_staff_reads_network = True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from members.models import Organisation, Person


class Role(models.TextChoices):
    """A person's role in an organisation (``members.Membership.role``)."""

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    SIGNATORY = "signatory", _("Signatory")
    EDITOR = "editor", _("Editor")
    MEMBER = "member", _("Member")


#: Roles that may manage the organisation (members, invitations, profile).
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})
#: Roles that may create and edit the organisation's content.
EDITOR_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
#: Roles that may sign joint statements on the organisation's behalf.
SIGNATORY_ROLES = frozenset({Role.SIGNATORY})


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private: my organisation")
    GROUP = "group", _("Working groups: my organisation and the groups named")
    NETWORK = "network", _("Network: members of verified organisations")
    PUBLIC = "public", _("Public: anyone")


@dataclass(frozen=True)
class Viewer:
    """What one person can see, resolved once: their organisations and working groups."""

    person_id: int | None
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    roles: dict[int, str] = field(default_factory=dict)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    verified_member: bool = False
    is_staff: bool = False
    verified_organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None

    def role_in(self, organisation_id: int) -> str | None:
        return self.roles.get(organisation_id)

    def has_role(self, organisation_id: int, roles: Iterable[str]) -> bool:
        return self.roles.get(organisation_id) in set(roles)


ANONYMOUS = Viewer(person_id=None)
_CACHE_ATTR = "_visibility_viewer"


def viewer_for(person: Person | Any | None, *, fresh: bool = False) -> Viewer:
    """Resolve (and cache on the person object) what ``person`` can see."""
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return ANONYMOUS
    if not fresh:
        cached = getattr(person, _CACHE_ATTR, None)
        if cached is not None:
            return cached
    from members.models import GroupMembership, Membership, WorkingGroup

    memberships = list(
        Membership.objects.filter(person_id=person.pk).values_list(
            "organisation_id", "role", "organisation__verified"
        )
    )
    org_ids = frozenset(m[0] for m in memberships)
    group_ids: frozenset[int] = frozenset()
    if org_ids:
        group_ids = frozenset(
            GroupMembership.objects.filter(
                organisation_id__in=org_ids, status=GroupMembership.Status.APPROVED
            ).values_list("group_id", flat=True)
        ) | frozenset(WorkingGroup.objects.filter(conveners__in=org_ids).values_list("id", flat=True))
    viewer = Viewer(
        person_id=person.pk,
        organisation_ids=org_ids,
        roles={m[0]: m[1] for m in memberships},
        group_ids=group_ids,
        verified_member=any(m[2] for m in memberships),
        verified_organisation_ids=frozenset(m[0] for m in memberships if m[2]),
        is_staff=bool(person.is_staff),
    )
    setattr(person, _CACHE_ATTR, viewer)
    return viewer


def viewers_for(persons: Iterable[Any]) -> list[Viewer]:
    """:func:`viewer_for` with ``fresh=True`` for many people at once, in three queries whatever
    their number (sockets re-check their readers' access in batches). Same rule, same
    :class:`Viewer`, cached on each person object as :func:`viewer_for` does."""
    from members.models import GroupMembership, Membership, WorkingGroup

    persons = list(persons)
    known = [p for p in persons if p is not None and getattr(p, "is_authenticated", False) and p.is_active]
    known_ids = {id(p) for p in known}
    memberships: dict[int, list[tuple[int, str, bool]]] = {}
    for person_id, org_id, role, verified in Membership.objects.filter(
        person_id__in={p.pk for p in known}
    ).values_list("person_id", "organisation_id", "role", "organisation__verified"):
        memberships.setdefault(person_id, []).append((org_id, role, verified))
    all_orgs = {m[0] for rows in memberships.values() for m in rows}
    groups_of: dict[int, set[int]] = {}
    if all_orgs:
        for org_id, group_id in GroupMembership.objects.filter(
            organisation_id__in=all_orgs, status=GroupMembership.Status.APPROVED
        ).values_list("organisation_id", "group_id"):
            groups_of.setdefault(org_id, set()).add(group_id)
        for org_id, group_id in WorkingGroup.conveners.through.objects.filter(
            organisation_id__in=all_orgs
        ).values_list("organisation_id", "workinggroup_id"):
            groups_of.setdefault(org_id, set()).add(group_id)
    viewers = []
    for person in persons:
        if id(person) not in known_ids:
            viewers.append(ANONYMOUS)
            continue
        rows = memberships.get(person.pk, [])
        org_ids = frozenset(m[0] for m in rows)
        viewer = Viewer(
            person_id=person.pk,
            organisation_ids=org_ids,
            roles={m[0]: m[1] for m in rows},
            group_ids=frozenset(g for o in org_ids for g in groups_of.get(o, ())),
            verified_member=any(m[2] for m in rows),
            verified_organisation_ids=frozenset(m[0] for m in rows if m[2]),
            is_staff=bool(person.is_staff),
        )
        setattr(person, _CACHE_ATTR, viewer)
        viewers.append(viewer)
    return viewers


def read_rule_key(viewer: Viewer) -> tuple[Any, ...]:
    """What :func:`visible_q` reads of a viewer: two viewers with the same key see the same rows."""
    return (
        viewer.is_anonymous,
        viewer.organisation_ids,
        viewer.verified_member,
        viewer.is_staff,
        viewer.group_ids,
    )


def forget(person: Any) -> None:
    """Drop the cached viewer after a membership change made through this object."""
    if person is not None and hasattr(person, _CACHE_ATTR):
        delattr(person, _CACHE_ATTR)


# --- read rule ------------------------------------------------------------------------------


def visible_q(viewer: Viewer, model: type[models.Model], prefix: str = "") -> Q:
    """The read rule for ``model`` as a filter; ``prefix`` applies it through a relation."""
    parent = getattr(model, "visibility_parent", None)
    if parent:
        parent_model = model._meta.get_field(parent).related_model
        return visible_q(viewer, parent_model, prefix=f"{prefix}{parent}__")
    p = prefix
    rule = Q(**{f"{p}visibility": Visibility.PUBLIC})
    public_when: Q | None = getattr(model, "visibility_public_when", None)
    if public_when is not None:
        rule |= _prefixed(public_when, p)
    if viewer.is_anonymous:
        return rule
    if viewer.organisation_ids:
        rule |= Q(**{f"{p}organisation_id__in": viewer.organisation_ids})
        co_owners = getattr(model, "visibility_co_owners", None)
        if co_owners:
            through = model._meta.get_field(co_owners).remote_field.through
            owned = through.objects.filter(organisation_id__in=viewer.organisation_ids)
            rule |= Q(**{f"{p}pk__in": owned.values(f"{model._meta.model_name}_id")})
    if viewer.verified_member or (
        viewer.is_staff and getattr(model, "visibility_staff_reads_network", False)
    ):
        rule |= Q(**{f"{p}visibility": Visibility.NETWORK})
    if viewer.group_ids:
        through = model._meta.get_field("shared_groups").remote_field.through
        source = f"{model._meta.model_name}_id"
        shared = through.objects.filter(workinggroup_id__in=viewer.group_ids).values(source)
        rule |= Q(**{f"{p}visibility": Visibility.GROUP, f"{p}pk__in": shared})
    return rule


def _prefixed(q: Q, prefix: str) -> Q:
    if not prefix:
        return q
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])
        for child in q.children
    ]
    return clone


def can_read(person: Any, obj: models.Model) -> bool:
    """Single-object form of :func:`visible_q`, answered without a query where possible."""
    parent = getattr(type(obj), "visibility_parent", None)
    if parent:
        return can_read(person, getattr(obj, parent))
    viewer = viewer_for(person)
    if obj.visibility == Visibility.PUBLIC:
        return True
    public_when = getattr(type(obj), "visibility_public_when", None)
    if public_when is not None and type(obj)._default_manager.filter(pk=obj.pk).filter(public_when).exists():
        return True
    if viewer.is_anonymous:
        return False
    if obj.organisation_id in viewer.organisation_ids:
        return True
    co_owners = getattr(type(obj), "visibility_co_owners", None)
    if co_owners and getattr(obj, co_owners).filter(pk__in=viewer.organisation_ids).exists():
        return True
    if obj.visibility == Visibility.NETWORK:
        return viewer.verified_member or (
            viewer.is_staff and getattr(type(obj), "visibility_staff_reads_network", False)
        )
    if obj.visibility == Visibility.GROUP and viewer.group_ids:
        return obj.shared_groups.filter(pk__in=viewer.group_ids).exists()
    return False


# --- write rules -----------------------------------------------------------------------------


def can_edit(person: Any, obj: models.Model) -> bool:
    """Owners, admins and editors of the owning organisation edit its content."""
    return viewer_for(person).has_role(obj.organisation_id, EDITOR_ROLES)


def can_create_in(person: Any, organisation: Organisation | int) -> bool:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return viewer_for(person).has_role(org_id, EDITOR_ROLES)


def can_manage(person: Any, organisation: Organisation | int) -> bool:
    """Owners and admins manage the organisation: its profile, members and invitations.

    Network staff manage every organisation (support, verification): the one staff rule for
    organisations, so call sites never add their own ``or is_staff``.
    """
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    viewer = viewer_for(person)
    return viewer.is_staff or viewer.has_role(org_id, MANAGER_ROLES)


#: Roles that speak for an organisation's interest in a peer's planned tender: interest is a
#: commitment to talk about joint procurement, so editors and above, not every member.
INTEREST_ROLES = EDITOR_ROLES


def can_express_interest_for(person: Any, organisation: Organisation | int) -> bool:
    """Expressing, changing or withdrawing the organisation's interest in a planned tender."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return viewer_for(person).has_role(org_id, INTEREST_ROLES)


def can_sign_for(person: Any, organisation: Organisation | int) -> bool:
    """Only a ``signatory`` of the organisation signs on its behalf."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return viewer_for(person).has_role(org_id, SIGNATORY_ROLES)


def can_convene(person: Any, group: Any) -> bool:
    """Managers of a convening organisation run the working group (approvals, moderation); staff too."""
    viewer = viewer_for(person)
    if viewer.is_staff:
        return True
    convener_ids = {o.pk for o in group.conveners.all()}
    return any(viewer.has_role(org_id, MANAGER_ROLES) for org_id in convener_ids)


def _organisation_ids_with(person: Any, roles: frozenset[str]) -> list[int]:
    viewer = viewer_for(person)
    return sorted(org_id for org_id, role in viewer.roles.items() if role in roles)


def editor_organisation_ids(person: Any) -> list[int]:
    """Organisations where ``person`` creates and edits content (owner, admin, editor)."""
    return _organisation_ids_with(person, EDITOR_ROLES)


def manager_organisation_ids(person: Any) -> list[int]:
    """Organisations ``person`` manages by role (owner, admin); staff hold no role by being staff."""
    return _organisation_ids_with(person, MANAGER_ROLES)


def signatory_organisation_ids(person: Any) -> list[int]:
    """Verified organisations ``person`` may sign for (the signatory role)."""
    viewer = viewer_for(person)
    return [
        o for o in _organisation_ids_with(person, SIGNATORY_ROLES) if o in viewer.verified_organisation_ids
    ]


def working_groups_visible_q(viewer: Viewer) -> Q:
    """Working groups: public ones to anyone, network ones to verified members and to their members."""
    rule = Q(visibility="public")
    if viewer.verified_member:
        rule |= Q(visibility="network")
    if viewer.group_ids:
        rule |= Q(pk__in=viewer.group_ids)
    return rule


def sharing_groups_q(organisation_ids: Iterable[int]) -> Q:
    """Working groups content of these organisations may be shared with (visibility ``group``):
    the groups they are approved members of or convene. A filter on ``WorkingGroup`` (use
    ``.distinct()``); the one rule for every type's "shared with working groups" choice."""
    ids = list(organisation_ids)
    return Q(memberships__organisation_id__in=ids, memberships__status="approved") | Q(conveners__in=ids)


# --- model plumbing ---------------------------------------------------------------------------


class VisibleQuerySet(models.QuerySet):
    """Queryset with the one read-scoping method every tenant-owned model uses."""

    def visible_to(self, person: Any) -> VisibleQuerySet:
        return self.filter(visible_q(viewer_for(person), self.model))

    def editable_by(self, person: Any) -> VisibleQuerySet:
        org_ids = editor_organisation_ids(person)
        field = getattr(self.model, "visibility_parent", None)
        prefix = f"{field}__" if field else ""
        return self.filter(**{f"{prefix}organisation_id__in": org_ids})


class TenantOwned(models.Model):
    """Owner organisation + visibility + shared working groups, for every tenant-owned model."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_set",
        verbose_name=_("organisation"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE, db_index=True
    )
    shared_groups = models.ManyToManyField(
        "members.WorkingGroup",
        blank=True,
        related_name="%(app_label)s_%(class)s_shared",
        verbose_name=_("shared with working groups"),
        help_text=_("With visibility “working groups”: the groups whose member organisations may read it."),
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An existing row is updated in place, never inserted again.

        Django's ``save()`` falls back to an INSERT when its UPDATE matches no row, so an edit racing
        a delete (a PATCH that loaded the row before a DELETE committed) used to bring the deleted
        lesson or tender back, or fail on a duplicate key. Here such a save raises ``DoesNotExist``,
        which every surface answers as 404 (``network.api.errors``, ``network.middleware``)."""
        if not self._state.adding and self.pk is not None and not kwargs.get("force_insert"):
            kwargs["force_update"] = True
        try:
            super().save(*args, **kwargs)
        except DatabaseError as exc:
            if kwargs.get("force_update") and "did not affect any rows" in str(exc):
                raise self.DoesNotExist(f"{type(self).__name__} {self.pk} was deleted meanwhile") from exc
            raise


# --- personal data (GDPR rights) ------------------------------------------------------------


def can_handle_personal_data(person: Any, subject: Any) -> bool:
    """Exporting or erasing a person's data is for that person alone, signed in: not their
    organisation's owner, not network staff (they act through the database under their own rules)."""
    viewer = viewer_for(person)
    return not viewer.is_anonymous and subject is not None and viewer.person_id == subject.pk

"""Writes about organisations, people, invitations and working groups.

HTML views, the API and signal receivers call these functions and hold no business rules of their
own, so every surface behaves the same. Each function is keyword-only, named ``<entity>_<verb>``,
checks the actor's permission itself (``PermissionDenied`` → 403) and reports bad input as Django
``ValidationError`` with field messages (→ 400 in the API, form errors in HTML).

Membership changes that could leave an organisation without an owner lock the organisation row
(``select_for_update``) before counting owners, so two concurrent demotions cannot both pass the
"another owner remains" check. SQLite runs every transaction ``IMMEDIATE`` (see settings), which
serialises writers the same way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import (
    MANAGER_ROLES,
    GroupMembership,
    Invitation,
    Membership,
    Organisation,
    Person,
    Role,
    WorkingGroup,
)
from network import validation, visibility
from network.notifications import notify
from network.slugs import unguessable_slug

#: Fields a manager may change on their organisation's profile (verification is staff-only).
ORGANISATION_EDITABLE_FIELDS = (
    "name",
    "slug",
    "country",
    "kind",
    "website",
    "description",
    "people_served",
    "annual_volumes",
    "cpv_interests",
)
INVITATION_VALID_DAYS = 14
#: Slugs taken by pages (``/organisations/new/``, ``/working-groups/new/``).
RESERVED_SLUGS = frozenset({"new", "edit", "members", "invitations", "requests"})


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _require_signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def _require_manager(actor: Any, organisation: Organisation) -> None:
    _require_signed_in(actor)
    if not visibility.can_manage(actor, organisation):
        raise PermissionDenied(
            _("Only owners and admins of %(org)s can do this.") % {"org": organisation.name}
        )


def _new_slug(name: str, model: type[Organisation] | type[WorkingGroup]) -> str:
    """An address for a new organisation or group: its name plus a random part (network/slugs.py).

    Counting up (``city-of-vantaa-2``) told the creator that another organisation or group, perhaps
    an unverified one they cannot see, already had the name (#20 item 6), and made the address of a
    hidden one guessable from its name. The random part never collides with a reserved word.
    """
    fallback = "organisation" if model is Organisation else "group"
    return unguessable_slug(name, model=model, fallback=fallback, max_length=80)


def _name_rivals(model: type, instance: Any, actor: Any) -> Any:
    """Rows whose name would collide with ``instance``'s, among those ``actor`` may see.

    Names are compared only with what the actor can see, so refusing a name never confirms that a
    hidden (unverified) organisation has it. Verified organisations are visible to everyone, and the
    database keeps their names unique (``organisation_verified_name_ci_unique``); two unverified
    claims may share a name until staff verify one of them. Groups are created and renamed only by
    managers of verified organisations, who see every group, so their check hides nothing.
    """
    from members import selectors

    others = model.objects.exclude(pk=instance.pk) if instance.pk else model.objects.all()
    if model is Organisation:
        others = others.filter(selectors.organisations_visible_q(actor))
    return others.filter(name__iexact=instance.name.strip())


def _check_unique_name_and_slug(model: type, instance: Any, *, actor: Any) -> None:
    """Case-insensitive name and slug uniqueness, reported as field errors (not integrity errors).

    A name or address another row already has is a state rule (:func:`network.validation.conflict`,
    the API's 409): the same input is fine once the other is renamed. A reserved word (``new``) is
    never an address, a rule of the input itself (400)."""
    errors: dict[str, list[ValidationError]] = {}
    if _name_rivals(model, instance, actor).exists():
        message = _("“%(name)s” is already taken (names are compared ignoring case).")
        errors["name"] = [validation.conflicting(message % {"name": instance.name})]
    others = model.objects.exclude(pk=instance.pk) if instance.pk else model.objects.all()
    taken = _("The address “%(slug)s” is already taken; choose another.") % {"slug": instance.slug}
    if instance.slug in RESERVED_SLUGS:
        errors["slug"] = [ValidationError(taken)]
    elif others.filter(slug__iexact=instance.slug).exists():
        errors["slug"] = [validation.conflicting(taken)]
    if errors:
        raise ValidationError(errors)


def _save_unique(instance: Any) -> None:
    """Save; a concurrent insert of the same name/slug becomes a field error (a state rule, 409)
    instead of a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise validation.conflict(
            {
                "name": _(
                    "An organisation or group with this name or address was just created; choose another."
                )
            }
        ) from exc


# --- organisations -----------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, actor: Person, name: str, country: str, slug: str = "", **fields: Any
) -> Organisation:
    """Create an organisation; its creator becomes the owner. It starts unverified (staff verify)."""
    _require_signed_in(actor)
    unknown = set(fields) - set(ORGANISATION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    name = (name or "").strip()
    org = Organisation(
        name=name,
        slug=(slug or "").strip().lower() or _new_slug(name, Organisation),
        country=(country or "").upper(),
        verified=False,
        **fields,
    )
    org.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique_name_and_slug(Organisation, org, actor=actor)
    _save_unique(org)
    Membership.objects.create(person=actor, organisation=org, role=Role.OWNER)
    visibility.forget(actor)
    return org


@transaction.atomic
def organisation_update(*, actor: Person, organisation: Organisation, **fields: Any) -> Organisation:
    """Owners and admins (and staff) edit the profile; ``verified``/domains stay staff-only."""
    _require_manager(actor, organisation)
    forbidden = set(fields) - set(ORGANISATION_EDITABLE_FIELDS)
    if forbidden:
        raise ValidationError(
            {f: _("Only network staff can change this (use verification).") for f in sorted(forbidden)}
        )
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for key, value in fields.items():
        if key == "country" and isinstance(value, str):
            value = value.upper()
        if key in ("name", "slug") and isinstance(value, str):
            value = value.strip()
        setattr(org, key, value)
    org.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique_name_and_slug(Organisation, org, actor=actor)
    _save_unique(org)
    return org


@transaction.atomic
def organisation_verify(
    *,
    actor: Person,
    organisation: Organisation,
    verified: bool = True,
    verified_domains: list[str] | None = None,
    reason: str = "",
) -> Organisation:
    """Network staff confirm that an organisation is the public buyer it claims to be (or withdraw
    it). The decision and its reason go into the admin's history of the organisation (one audit
    trail whether staff used the admin or the verification page) and the organisation's managers
    are told."""
    _require_signed_in(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only network staff verify organisations."))
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1000 characters.")})
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if verified and _name_rivals(Organisation, org, actor).filter(verified=True).exists():
        raise validation.conflict(
            {
                "name": _(
                    "A verified organisation is already called “%(name)s”; rename this one before "
                    "verifying it."
                )
                % {"name": org.name}
            }
        )
    changed = org.verified != verified
    org.verified = verified
    org.verified_at = (org.verified_at or timezone.now()) if verified else None
    if verified_domains is not None:
        org.verified_domains = list(verified_domains)
    org.full_clean(validate_unique=False, validate_constraints=False)  # normalises the domains
    org.save(update_fields=["verified", "verified_at", "verified_domains"])
    if org.verified and org.verified_domains:
        _join_existing_people_by_domain(org)
    _record_verification(actor, org, verified=verified, reason=reason)
    if changed:
        notify(
            _org_managers(org),
            kind="organisation.verified" if verified else "organisation.unverified",
            title=(_("%(org)s is verified") if verified else _("%(org)s is no longer verified"))
            % {"org": org.name},
            body=reason,
            url=org.get_absolute_url(),
            actor=actor,
        )
    return org


def _record_verification(actor: Person, org: Organisation, *, verified: bool, reason: str) -> None:
    from django.contrib.admin.models import CHANGE, LogEntry

    what = "Verified" if verified else "Verification withdrawn"
    domains = ", ".join(org.verified_domains) or "-"
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[org],
        action_flag=CHANGE,
        change_message=f"{what} (domains: {domains})" + (f": {reason}" if reason else ""),
        single_object=True,
    )


def _join_existing_people_by_domain(org: Organisation) -> int:
    """People who verified an address on the domain *before* staff verified it join now, as members."""
    from django.db.models import Q

    on_domain = Q()
    for domain in org.verified_domains:
        on_domain |= Q(email__iendswith=f"@{domain}")
    person_ids = set(
        EmailAddress.objects.filter(on_domain, verified=True, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    person_ids -= set(Membership.objects.filter(organisation=org).values_list("person_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(person_id=pk, organisation=org, role=Role.MEMBER) for pk in sorted(person_ids)],
        ignore_conflicts=True,
    )
    return len(person_ids)


# --- memberships -------------------------------------------------------------------------------


def _lock_membership(organisation: Organisation, membership_id: int) -> Membership:
    """Lock the organisation (the mutex for its owner count), then the membership."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    try:
        return (
            Membership.objects.select_for_update()
            .select_related("person", "organisation")
            .get(pk=membership_id, organisation=organisation)
        )
    except Membership.DoesNotExist as exc:
        raise ValidationError(
            _("This person is not a member of %(org)s.") % {"org": organisation.name}
        ) from exc


def _other_owner_exists(membership: Membership) -> bool:
    return (
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


LAST_OWNER_MESSAGE = _(
    "An organisation needs at least one owner: make someone else owner before this owner leaves or changes role."
)


@transaction.atomic
def membership_update_role(*, actor: Person, membership: Membership, role: str) -> Membership:
    """Managers change roles; only owners grant or take away the owner role; one owner always stays."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(r)s”.") % {"r": role}})
    organisation = membership.organisation
    _require_manager(actor, organisation)
    locked = _lock_membership(organisation, membership.pk)
    if locked.role == role:
        return locked
    touches_owner = Role.OWNER in (locked.role, role)
    if touches_owner and not (
        visibility.viewer_for(actor).role_in(organisation.pk) == Role.OWNER or actor.is_staff
    ):
        raise PermissionDenied(_("Only an owner can grant or take away the owner role."))
    if locked.role == Role.OWNER and not _other_owner_exists(locked):
        raise validation.conflict({"role": LAST_OWNER_MESSAGE})  # state: another owner first
    locked.role = role
    locked.save(update_fields=["role"])
    membership.role = role
    for changed in (locked.person, membership.person, actor):
        visibility.forget(changed)
    return locked


@transaction.atomic
def membership_remove(*, actor: Person, membership: Membership) -> None:
    """Managers remove members; anyone may leave; only owners remove owners; one owner always stays."""
    organisation = membership.organisation
    _require_signed_in(actor)
    leaving = membership.person_id == actor.pk
    if not leaving:
        _require_manager(actor, organisation)
    locked = _lock_membership(organisation, membership.pk)
    if (
        locked.role == Role.OWNER
        and not leaving
        and not (visibility.viewer_for(actor).role_in(organisation.pk) == Role.OWNER or actor.is_staff)
    ):
        raise PermissionDenied(_("Only an owner can remove another owner."))
    if locked.role == Role.OWNER and not _other_owner_exists(locked):
        raise validation.conflict({"role": LAST_OWNER_MESSAGE})  # state: another owner first
    locked.delete()
    for changed in (locked.person, membership.person, actor):
        visibility.forget(changed)


@transaction.atomic
def membership_join_by_domain(*, person: Person, email: str) -> list[Membership]:
    """Make ``person`` a ``member`` of every verified organisation owning ``email``'s domain.

    One query finds the candidate organisations (JSON containment on PostgreSQL; a quoted-text
    match on SQLite, confirmed exactly in Python), one finds existing memberships, one inserts.
    """
    domain = email_domain(email)
    if not domain:
        return []
    candidates = Organisation.objects.filter(verified=True)
    if connection.features.supports_json_field_contains:
        candidates = candidates.filter(verified_domains__contains=[domain])
    else:
        candidates = candidates.filter(verified_domains__icontains=f'"{domain}"')
    orgs = [o for o in candidates.only("pk", "verified_domains") if domain in (o.verified_domains or [])]
    if not orgs:
        return []
    existing = set(
        Membership.objects.filter(person=person, organisation__in=orgs).values_list(
            "organisation_id", flat=True
        )
    )
    new = [Membership(person=person, organisation=o, role=Role.MEMBER) for o in orgs if o.pk not in existing]
    Membership.objects.bulk_create(new, ignore_conflicts=True)
    visibility.forget(person)
    return new


# --- invitations ---------------------------------------------------------------------------------


def invitation_accept_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("members:invitation", kwargs={"key": invitation.key})


def _send_invitation_email(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "accept_url": invitation_accept_url(invitation),
        "api_url": settings.SITE_URL + f"/api/v1/invitations/{invitation.key}/accept/",
        "signup_url": settings.SITE_URL + reverse("account_signup"),
    }
    subject = render_to_string("members/email/invitation_subject.txt", context).strip()
    body = render_to_string("members/email/invitation_message.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_create(
    *, actor: Person, organisation: Organisation, email: str, role: str = Role.MEMBER
) -> Invitation:
    """An owner/admin invites an address with a role; the e-mail goes out after commit."""
    _require_manager(actor, organisation)
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(r)s”.") % {"r": role}})
    if role == Role.OWNER and visibility.viewer_for(actor).role_in(organisation.pk) != Role.OWNER:
        raise PermissionDenied(_("Only an owner can invite another owner."))
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=actor)
    invitation.full_clean(exclude=["key", "invited_by", "organisation"])
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # serialise double submits
    already_member = Membership.objects.filter(organisation=organisation).filter(
        person__in=EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
    ) | Membership.objects.filter(organisation=organisation, person__email__iexact=email)
    if already_member.exists():
        raise validation.conflict(
            {
                "email": _("%(email)s is already a member of %(org)s.")
                % {"email": email, "org": organisation.name}
            }
        )
    pending = Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise validation.conflict(
            {
                "email": _("%(email)s already has a pending invitation; revoke it to invite again.")
                % {"email": email}
            }
        )
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_VALID_DAYS)
    invitation.save()
    pk = invitation.pk
    transaction.on_commit(lambda: _send_invitation_email(pk))
    return invitation


class InvitationError(ValidationError):
    """An invitation that cannot be accepted (expired, revoked, used): a state rule (409, pages show
    the message); ``reason`` says which."""

    def __init__(self, message: Any, code: str) -> None:
        super().__init__(message, code=validation.CONFLICT)
        self.reason = code


@transaction.atomic
def invitation_accept(*, actor: Person, key: str) -> Membership:
    """Accept with a signed-in person whose *verified* address is the invited one. Idempotent.

    Raises ``Invitation.DoesNotExist`` for an unknown key (404), ``PermissionDenied`` when the
    invitation was sent to another address (403) and ``InvitationError`` when it is no longer valid.
    """
    _require_signed_in(actor)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(key=key)
    verified = EmailAddress.objects.filter(user=actor, email__iexact=invitation.email, verified=True).exists()
    if not verified:
        raise PermissionDenied(
            _(
                "This invitation was sent to another e-mail address. Sign in with that address "
                "(verified) to accept it."
            )
        )
    if invitation.accepted_at:
        if invitation.accepted_by_id == actor.pk:
            membership = Membership.objects.filter(person=actor, organisation=invitation.organisation).first()
            if membership is not None:
                return membership  # a double submit: same answer, nothing new
        raise InvitationError(_("This invitation has already been used."), code="accepted")
    if invitation.revoked_at:
        raise InvitationError(_("This invitation was revoked by the organisation."), code="revoked")
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _("This invitation expired on %(date)s; ask %(org)s for a new one.")
            % {"date": invitation.expires_at.date().isoformat(), "org": invitation.organisation.name},
            code="expired",
        )
    membership, created = Membership.objects.get_or_create(
        person=actor, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    visibility.forget(actor)
    if created and invitation.invited_by_id:
        notify(
            [invitation.invited_by],
            kind="invitation.accepted",
            title=_("%(who)s joined %(org)s")
            % {"who": actor.display_name, "org": invitation.organisation.name},
            url=invitation.organisation.get_absolute_url(),
            actor=actor,
        )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Person, invitation: Invitation) -> Invitation:
    """Managers revoke a pending invitation; revoking twice is harmless."""
    _require_manager(actor, invitation.organisation)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at:
        raise InvitationError(
            _("This invitation was already accepted; remove the member instead."), code="accepted"
        )
    if not locked.revoked_at:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


# --- people --------------------------------------------------------------------------------------


def person_update_profile(*, person: Person, **fields: Any) -> Person:
    allowed = {"name", "title", "email_notifications"}
    bad = set(fields) - allowed
    if bad:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(bad)})
    for key, value in fields.items():
        setattr(person, key, value)
    person.full_clean(exclude=["password", "email"])
    person.save(update_fields=list(fields))
    return person


# --- working groups ------------------------------------------------------------------------------


@transaction.atomic
def working_group_create(
    *,
    actor: Person,
    convener: Organisation,
    name: str,
    slug: str = "",
    description: str = "",
    visibility_level: str = WorkingGroup.Visibility.NETWORK,
) -> WorkingGroup:
    """Managers of a verified organisation start a working group, which it convenes."""
    _require_manager(actor, convener)
    if not convener.verified:  # staff verify it later: a state, not the input (409)
        raise validation.conflict(
            {
                "convener": _(
                    "Only verified organisations convene working groups; %(org)s is not verified yet."
                )
                % {"org": convener.name}
            }
        )
    name = (name or "").strip()
    group = WorkingGroup(
        name=name,
        slug=(slug or "").strip().lower() or _new_slug(name, WorkingGroup),
        description=description,
        visibility=visibility_level,
    )
    group.full_clean(validate_unique=False, validate_constraints=False)
    _check_unique_name_and_slug(WorkingGroup, group, actor=actor)
    _save_unique(group)
    group.conveners.add(convener)
    visibility.forget(actor)
    return group


def _group_managers(group: WorkingGroup) -> list[Person]:
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__organisation__in=group.conveners.all(),
            memberships__role__in=MANAGER_ROLES,
        ).distinct()
    )


def _org_managers(organisation: Organisation) -> list[Person]:
    return list(
        Person.objects.filter(
            is_active=True, memberships__organisation=organisation, memberships__role__in=MANAGER_ROLES
        ).distinct()
    )


@transaction.atomic
def working_group_request_join(
    *, actor: Person, group: WorkingGroup, organisation: Organisation, note: str = ""
) -> GroupMembership:
    """An organisation's manager asks to join; conveners' managers are told. Repeating is harmless."""
    _require_manager(actor, organisation)
    # The organisation's state, not the input's shape: the API answers these 409.
    if not organisation.verified:
        raise validation.conflict(
            {
                "organisation": _(
                    "Only verified organisations join working groups; %(org)s is not verified yet."
                )
                % {"org": organisation.name}
            }
        )
    if group.conveners.filter(pk=organisation.pk).exists():
        raise validation.conflict(
            {"organisation": _("%(org)s convenes this group.") % {"org": organisation.name}}
        )
    WorkingGroup.objects.select_for_update().filter(pk=group.pk).first()
    gm, created = GroupMembership.objects.get_or_create(
        group=group, organisation=organisation, defaults={"requested_by": actor, "note": note}
    )
    if gm.status == GroupMembership.Status.APPROVED:
        raise validation.conflict(
            {"organisation": _("%(org)s is already a member of this group.") % {"org": organisation.name}}
        )
    if not created and gm.status == GroupMembership.Status.PENDING:
        return gm  # double submit
    if not created:  # declined before: ask again
        gm.status, gm.requested_by, gm.note = GroupMembership.Status.PENDING, actor, note
        gm.decided_by, gm.decided_at = None, None
        gm.save(update_fields=["status", "requested_by", "note", "decided_by", "decided_at"])
    notify(
        _group_managers(group),
        kind="working_group.join_requested",
        title=_("%(org)s asks to join %(group)s") % {"org": organisation.name, "group": group.name},
        body=note,
        url=group.get_absolute_url(),
        actor=actor,
    )
    return gm


@transaction.atomic
def working_group_decide(
    *, actor: Person, group: WorkingGroup, organisation: Organisation, approve: bool
) -> GroupMembership:
    """A convener's manager approves or declines a pending request."""
    _require_signed_in(actor)
    if not visibility.can_convene(actor, group):
        raise PermissionDenied(
            _("Only the conveners of %(group)s decide on requests.") % {"group": group.name}
        )
    gm = GroupMembership.objects.select_for_update().filter(group=group, organisation=organisation).first()
    if gm is None:
        raise ValidationError(
            validation.conflicting(
                _("%(org)s has not asked to join this group.") % {"org": organisation.name}
            )
        )
    target = GroupMembership.Status.APPROVED if approve else GroupMembership.Status.DECLINED
    if gm.status == target:
        return gm  # double submit
    if gm.status != GroupMembership.Status.PENDING:
        raise ValidationError(
            validation.conflicting(
                _("This request was already %(status)s.") % {"status": gm.get_status_display().lower()}
            )
        )
    gm.status, gm.decided_by, gm.decided_at = target, actor, timezone.now()
    gm.save(update_fields=["status", "decided_by", "decided_at"])
    title = (_("%(org)s joined %(group)s") if approve else _("%(group)s declined the request of %(org)s")) % {
        "org": organisation.name,
        "group": group.name,
    }
    notify(
        _org_managers(organisation),
        kind="working_group.decided",
        title=title,
        url=group.get_absolute_url(),
        actor=actor,
    )
    return gm

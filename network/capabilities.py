"""Capabilities: what a viewer may *do* with one object and which guarded fields they may *see*.

The read rule lives in :mod:`network.visibility`; this module is the other half of the policy.
Every "may this person sign / edit / see the meeting link" question is answered here, once, and
templates, serializers, exports, feeds and iCalendar read the answer from a capabilities object
instead of re-deciding it (the online link leaked through the public ``.ics`` because the rule had
been copied into the template and the serializer but not into the calendar).

Each type has one selector returning a frozen dataclass:

* :func:`content_capabilities` — templates, lessons, planned tenders, resources… (``can_edit``,
  ``can_delete``);
* :func:`event_capabilities` / :func:`event_capabilities_many` — ``is_host``,
  ``sees_online_url``, ``sees_attendees``, ``may_register_as_guest``;
* :func:`statement_capabilities` — ``can_manage``, ``is_issuer``, ``can_sign``,
  ``can_withdraw``, ``sees_audit`` and :meth:`StatementCapabilities.sees_volumes`.

The module reads objects through their own relations (duck-typed), so the network's fabric imports
no app's models. Staff (Django ``is_staff``) manage organisations and working groups but do not
author tenant content: a staff bypass is decided here, never at a call site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from network.visibility import EDITOR_ROLES, Viewer, Visibility, signatory_organisation_ids, viewer_for

# --- generic tenant content ------------------------------------------------------------------


def owner_ids(obj: Any) -> set[int]:
    """The owning organisation plus co-owners named by ``visibility_co_owners`` (hosts, issuers)."""
    ids = {obj.organisation_id}
    co_owners = getattr(type(obj), "visibility_co_owners", None)
    if co_owners:
        ids |= {o.pk for o in getattr(obj, co_owners).all()}
    return ids


def edits_for(viewer: Viewer, organisation_ids: Iterable[int]) -> bool:
    """Whether the viewer holds an editor role (owner, admin, editor) in any of the organisations."""
    return any(viewer.has_role(org_id, EDITOR_ROLES) for org_id in organisation_ids)


@dataclass(frozen=True)
class ContentCapabilities:
    """Write capabilities on one piece of tenant content (a template, lesson, tender, resource)."""

    can_edit: bool
    can_delete: bool


def content_capabilities(person: Any, obj: Any) -> ContentCapabilities:
    """Editors of the owning organisation (or a co-owner) edit and delete its content."""
    editor = edits_for(viewer_for(person), owner_ids(obj))
    return ContentCapabilities(can_edit=editor, can_delete=editor)


# --- events ------------------------------------------------------------------------------------

_UNSET: Any = object()


@dataclass(frozen=True)
class EventCapabilities:
    """What a viewer may do with an event and which of its guarded fields they see."""

    is_host: bool
    sees_online_url: bool
    sees_attendees: bool
    may_register_as_guest: bool

    @property
    def can_edit(self) -> bool:
        return self.is_host


def guests_may_register(event: Any) -> bool:
    """People without an account register as guests for public events only."""
    return event.visibility == Visibility.PUBLIC


def _confirmed(registration: Any) -> bool:
    return registration is not None and registration.status == "confirmed"


def _event_caps(viewer: Viewer, event: Any, registration: Any, host_ids: set[int]) -> EventCapabilities:
    host = edits_for(viewer, host_ids)
    return EventCapabilities(
        is_host=host,
        sees_online_url=bool(event.online_url) and (host or _confirmed(registration)),
        sees_attendees=host,
        may_register_as_guest=viewer.is_anonymous and guests_may_register(event),
    )


def event_capabilities(person: Any, event: Any, *, registration: Any = _UNSET) -> EventCapabilities:
    """The capabilities for one event; pass ``registration`` when the caller already fetched it."""
    viewer = viewer_for(person)
    if registration is _UNSET:
        registration = None
        if not viewer.is_anonymous:
            registration = event.registrations.active().filter(person_id=viewer.person_id).first()
    return _event_caps(viewer, event, registration, owner_ids(event))


def event_capabilities_many(person: Any, events: Iterable[Any]) -> dict[int, EventCapabilities]:
    """Capabilities for a list or feed of events in one registration query (keyed by event pk)."""
    events = list(events)
    viewer = viewer_for(person)
    registrations: dict[int, Any] = {}
    if not viewer.is_anonymous and events:
        model = type(events[0]).registrations.rel.related_model
        for reg in model.objects.active().filter(
            person_id=viewer.person_id, event_id__in=[e.pk for e in events]
        ):
            registrations[reg.event_id] = reg
    return {e.pk: _event_caps(viewer, e, registrations.get(e.pk), owner_ids(e)) for e in events}


# --- joint statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementCapabilities:
    """What a viewer may do with a joint statement and which undisclosed figures they see."""

    can_manage: bool
    is_issuer: bool
    can_sign: bool
    can_withdraw: bool
    viewer_organisation_ids: frozenset[int]

    @property
    def can_amend(self) -> bool:
        """Amending the volumes of a signature is open to whoever may withdraw it."""
        return self.can_withdraw

    @property
    def sees_audit(self) -> bool:
        return self.is_issuer

    @property
    def sees_private_volumes(self) -> bool:
        """Every signature's undisclosed volumes (issuers); own ones: :meth:`sees_volumes`."""
        return self.is_issuer

    def sees_volumes(self, signature: Any, *, public_only: bool = False) -> bool:
        """Public volumes to anyone; undisclosed ones to issuers and the signing organisation.

        ``public_only`` is the exports' rule: an export is for anyone who may read the statement,
        so it never carries undisclosed figures, whoever downloads it.
        """
        if signature.volumes_public:
            return True
        if public_only:
            return False
        return self.is_issuer or signature.organisation_id in self.viewer_organisation_ids


#: What anyone sees (an anonymous reader, the exports, the network's demand and the statement's
#: totals): disclosed volumes only. ``PUBLIC_READER.sees_volumes(signature)`` is the public rule.
PUBLIC_READER = StatementCapabilities(
    can_manage=False, is_issuer=False, can_sign=False, can_withdraw=False, viewer_organisation_ids=frozenset()
)


def statement_capabilities(
    person: Any, statement: Any, *, signed_organisation_ids: Iterable[int] | None = None
) -> StatementCapabilities:
    """Capabilities on one statement; ``signed_organisation_ids`` saves a query when known."""
    viewer = viewer_for(person)
    issuers = owner_ids(statement)
    signable = set(signatory_organisation_ids(person))
    if signed_organisation_ids is None:
        signed: set[int] = set()
        if signable:
            signed = set(
                statement.signatures.filter(
                    withdrawn_at__isnull=True, organisation_id__in=signable
                ).values_list("organisation_id", flat=True)
            )
    else:
        signed = set(signed_organisation_ids)
    is_open = statement.status == "open"
    return StatementCapabilities(
        can_manage=edits_for(viewer, issuers),
        is_issuer=bool(viewer.organisation_ids & issuers),
        can_sign=is_open and bool(signable - signed),
        can_withdraw=is_open and bool(signable & signed),
        viewer_organisation_ids=viewer.organisation_ids,
    )

"""Reads about events: who may read, host and register; lists, attendees and outcomes.

Every read goes through :meth:`EventQuerySet.visible_to` or :func:`can_read_event`; both are the
visibility policy plus the co-host rule. Outcomes are resolved through the linked model's own
``visible_to`` so an outcome never reveals what the viewer may not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from members.models import Organisation, WorkingGroup
from members.selectors import organisations_visible_q
from network import capabilities, content, visibility
from network.events.models import Event, EventOutcome, Registration
from network.feeds import FeedFilters, filter_by_cpv_and_country


def host_ids(event: Event) -> set[int]:
    """Host organisation ids (uses a ``hosts`` prefetch when there is one)."""
    return {o.pk for o in event.hosts.all()} | {event.organisation_id}


def can_read_event(person: Any, event: Event) -> bool:
    """The policy's answer (co-hosts included through ``Event.visibility_co_owners``)."""
    return visibility.can_read(person, event)


def is_host(person: Any, event: Event) -> bool:
    """Editors, admins and owners of any host organisation run the event (the policy's rule)."""
    return capabilities.edits_for(visibility.viewer_for(person), capabilities.owner_ids(event))


def event_capabilities(person: Any, event: Event, **kwargs: Any) -> capabilities.EventCapabilities:
    """What ``person`` may do with ``event`` and see of it (online link, attendees)."""
    return capabilities.event_capabilities(person, event, **kwargs)


def event_capabilities_many(person: Any, events: Any) -> dict[int, capabilities.EventCapabilities]:
    """Capabilities for a page or feed of events, keyed by pk, in one registration query."""
    return capabilities.event_capabilities_many(person, events)


def events_for(person: Any) -> QuerySet[Event]:
    """Events the person may read, with what list pages show, in a bounded number of queries."""
    return (
        Event.objects.visible_to(person)
        .select_related("organisation", "working_group")
        .prefetch_related(Prefetch("hosts", queryset=Organisation.objects.order_by("name")), "cpv_codes")
        .annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            )
        )
    )


def event_for(person: Any, slug: str) -> Event:
    """One readable event or 404 (another tenant's private event looks exactly like a missing one)."""
    event = events_for(person).filter(slug=slug).first()
    if event is None:
        raise Http404
    return event


def hostable_organisations(person: Any) -> QuerySet[Organisation]:
    """Organisations the person may create events for (editor roles)."""
    return Organisation.objects.filter(pk__in=visibility.editor_organisation_ids(person)).order_by("name")


def visible_working_groups(person: Any) -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.filter(visibility.working_groups_visible_q(visibility.viewer_for(person)))


def registration_of(person: Any, event: Event) -> Registration | None:
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return event.registrations.active().filter(person_id=person.pk).first()


def waiting_position(registration: Registration) -> int | None:
    """1-based place on the waiting list, or None when not waitlisted."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = (
        Registration.objects.waitlisted()
        .filter(event_id=registration.event_id)
        .filter(
            Q(position__lt=registration.position) | Q(position=registration.position, pk__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


def attendees(event: Event) -> QuerySet[Registration]:
    """Confirmed, then waitlisted, then pending guests (callers check :func:`is_host` first)."""
    return (
        event.registrations.exclude(status=Registration.Status.CANCELLED)
        .select_related("person", "organisation")
        .order_by("status", "position", "created_at", "pk")
    )


def hosted_by(organisation: Organisation | int) -> Q:
    """Events an organisation (co-)hosts, as a subquery: a join would multiply annotated counts."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return Q(organisation_id=org_id) | Q(
        pk__in=Event.hosts.through.objects.filter(organisation_id=org_id).values("event_id")
    )


def feed_organisation(person: Any, slug: str) -> tuple[Organisation, QuerySet[Event]]:
    # The directory's rule: an unverified organisation exists only for its members and staff, so its
    # feed answers like a missing one instead of confirming it (200 with its name in X-WR-CALNAME).
    organisation = Organisation.objects.filter(organisations_visible_q(person), slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation, events_for(person).filter(hosted_by(organisation))


def feed_working_group(person: Any, slug: str) -> tuple[WorkingGroup, QuerySet[Event]]:
    group = visible_working_groups(person).filter(slug=slug).first()
    if group is None:
        raise Http404
    return group, events_for(person).filter(working_group=group)


# --- outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedOutcome:
    outcome: EventOutcome
    title: str
    url: str | None


def _outcome_model(kind: str):
    """The model and lookups the content registry declares for an outcome kind (None: not one)."""
    try:
        content_type = content.get(kind)
    except KeyError:
        return None, ()
    if not content_type.outcome_lookups:
        return None, ()
    return content_type.model_class(), content_type.outcome_lookups


def _lookup_q(model, lookups: tuple[str, ...], refs: list[str]) -> Q | None:
    q = Q()
    names = {f.name for f in model._meta.get_fields()}
    for field in lookups:
        if field == "pk":
            ids = [int(r) for r in refs if r.isdigit()]
            if ids:
                q |= Q(pk__in=ids)
        elif field in names:
            q |= Q(**{f"{field}__in": refs})
    return q or None


def _readable(model, person: Any):
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(person)
    return manager.none()  # a model without a read rule is never shown


def resolve_object(person: Any, kind: str, ref: str):
    """The object an outcome would link to, if it exists and ``person`` may read it."""
    model, lookups = _outcome_model(kind)
    if model is None:
        return None
    q = _lookup_q(model, lookups, [ref])
    if q is None:
        return None
    return _readable(model, person).filter(q).first()


def outcomes_for(person: Any, event: Event) -> list[ResolvedOutcome]:
    """The event's outcomes the viewer may follow: one query per kind, unreadable ones dropped."""
    outcomes = list(event.outcomes.all())
    by_kind: dict[str, list[EventOutcome]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.kind, []).append(outcome)
    resolved: dict[int, ResolvedOutcome] = {}
    for kind, items in by_kind.items():
        model, lookups = _outcome_model(kind)
        if model is None:
            continue
        q = _lookup_q(model, lookups, [o.object_ref for o in items])
        if q is None:
            continue
        objects = list(_readable(model, person).filter(q))
        index: dict[str, Any] = {}
        for obj in objects:
            index[str(obj.pk)] = obj
            if getattr(obj, "slug", None):
                index[obj.slug] = obj
        for outcome in items:
            obj = index.get(outcome.object_ref)
            if obj is None:
                continue
            title = getattr(obj, "title", None) or getattr(obj, "name", None) or str(obj)
            url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
            resolved[outcome.pk] = ResolvedOutcome(outcome=outcome, title=str(title), url=url)
    return [resolved[o.pk] for o in outcomes if o.pk in resolved]


def public_events(filters: FeedFilters) -> QuerySet[Event]:
    """Public events as an anonymous visitor reads them (the Atom feed), under the feed filters."""
    qs = Event.objects.visible_to(None).filter(visibility="public")
    qs = filter_by_cpv_and_country(qs, filters, country="hosts__country")
    return qs.select_related("organisation").prefetch_related("hosts", "cpv_codes")

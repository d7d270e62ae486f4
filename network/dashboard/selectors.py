"""What is new for one person, read live (no cache, so a signature shows on the next request).

Every section reads through ``Model.objects.visible_to(person)`` (or the events/forums selectors
built on it), so the dashboard never shows what the viewer may not read. Each section costs one or
two queries whatever the number of rows (``LIMIT`` per section). Models of other capabilities are
looked up with ``apps.get_model``: the fabric imports no app's models at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.models import GroupMembership, Organisation, WorkingGroup
from network import visibility
from network.models import Notification

DEFAULT_DAYS = 14
MAX_DAYS = 90
LIMIT = 8
OPEN_TENDER_STATUSES = ("planning", "market_consultation")


@dataclass(frozen=True)
class Item:
    title: str
    url: str | None = None
    when: datetime | None = None
    detail: str = ""
    who: str = ""


@dataclass
class Section:
    key: str
    title: str
    items: list[Item]
    empty: str = ""
    hint: str = ""


@dataclass
class Dashboard:
    days: int
    since: datetime
    organisations: list[Organisation]
    groups: list[WorkingGroup]
    sections: list[Section]
    #: What waits for this person, first on the page: to sign, to moderate, to answer.
    actions: list[Section]
    unread_notifications: int
    unread_threads: int | None
    recent_notifications: list[Notification]
    drafts: list[Item] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return sum(len(section.items) for section in self.actions)


@dataclass(frozen=True)
class Scope:
    person: Any
    viewer: visibility.Viewer
    since: datetime
    now: datetime
    org_ids: frozenset[int]
    group_ids: frozenset[int]
    network_org_ids: frozenset[int]  # my organisations plus fellow members of my working groups


def _model(label: str):
    """The model of another app (every app is installed; the fabric does not import app models)."""
    return apps.get_model(label, require_ready=True)


def _scope(person: Any, days: int) -> Scope:
    viewer = visibility.viewer_for(person)
    now = timezone.now()
    fellows: set[int] = set()
    if viewer.group_ids:
        fellows = set(
            GroupMembership.objects.filter(
                group_id__in=viewer.group_ids, status=GroupMembership.Status.APPROVED
            ).values_list("organisation_id", flat=True)
        )
    return Scope(
        person=person,
        viewer=viewer,
        since=now - timedelta(days=days),
        now=now,
        org_ids=viewer.organisation_ids,
        group_ids=viewer.group_ids,
        network_org_ids=frozenset(viewer.organisation_ids | fellows),
    )


# --- sections ---------------------------------------------------------------------------------


def template_versions(s: Scope) -> Section | None:
    """New templates and versions published in my organisations and working groups."""
    Version = _model("knowledge.TemplateVersion")
    rows = (
        Version.objects.visible_to(s.person)
        .filter(published_at__gte=s.since)
        .filter(
            Q(template__organisation_id__in=s.network_org_ids) | Q(template__shared_groups__in=s.group_ids)
        )
        .select_related("template", "template__organisation")
        .order_by("-published_at", "-pk")
        .distinct()[:LIMIT]
    )
    items = [
        Item(
            title=_("%(title)s, version %(n)s") % {"title": v.template.title, "n": v.number},
            url=v.template.get_absolute_url(),
            when=v.published_at,
            detail=(v.change_note or "")[:200],
            who=v.template.organisation.name,
        )
        for v in rows
    ]
    return Section("templates", _("New templates and versions"), items, _("No new template versions."))


def template_forks(s: Scope) -> Section | None:
    """Other organisations forking my organisations' templates."""
    Template = _model("knowledge.TenderTemplate")
    if not s.org_ids:
        return None
    rows = (
        Template.objects.visible_to(s.person)
        .filter(created_at__gte=s.since, forked_from__template__organisation_id__in=s.org_ids)
        .exclude(organisation_id__in=s.org_ids)
        .select_related("organisation", "forked_from__template")
        .order_by("-created_at", "-pk")[:LIMIT]
    )
    items = [
        Item(
            title=t.title,
            url=t.get_absolute_url(),
            when=t.created_at,
            detail=_("Forked from “%(source)s”") % {"source": t.forked_from.template.title},
            who=t.organisation.name,
        )
        for t in rows
    ]
    return Section("forks", _("Forks of your templates"), items, _("Nobody forked your templates lately."))


def statement_signatures(s: Scope) -> Section | None:
    """Signatures on statements my organisations issued (read live: shows on the next request)."""
    Statement = _model("statements.Statement")
    Signature = _model("statements.Signature")
    if not s.org_ids:
        return None
    issued = Statement.objects.visible_to(s.person).filter(issuers__in=s.org_ids).values("pk")
    rows = (
        Signature.objects.filter(statement_id__in=issued, signed_at__gte=s.since, withdrawn_at__isnull=True)
        .select_related("organisation", "statement")
        .order_by("-signed_at", "-pk")[:LIMIT]
    )
    items = [
        Item(
            title=_("%(org)s signed “%(statement)s”")
            % {"org": sig.organisation.name, "statement": sig.statement.title},
            url=sig.statement.get_absolute_url(),
            when=sig.signed_at,
            who=sig.organisation.name,
        )
        for sig in rows
    ]
    return Section(
        "signatures", _("Signatures on your statements"), items, _("No new signatures on your statements.")
    )


def open_for_signature(s: Scope) -> Section | None:
    """Statements open for signature today that an organisation I sign for has not signed yet.

    Shown only to signatories of verified organisations (the people who can act on it); the
    statements come from the same selector as the statement pages (open today, readable).
    """
    from knowledge.statements.selectors import statements_open_for_signature

    rows = statements_open_for_signature(s.person)
    if rows is None:
        return None
    items = [
        Item(
            title=st.title,
            url=st.get_absolute_url(),
            when=st.opened_at,
            detail=_("closes %(d)s") % {"d": st.closes_on.isoformat()} if st.closes_on else "",
            who=", ".join(o.name for o in st.issuers.all()),
        )
        for st in rows[:LIMIT]
    ]
    return Section(
        "open_for_signature",
        _("Open for your signature"),
        items,
        _("Your organisations have signed every statement open for signature."),
    )


def cohost_invitations(s: Scope) -> Section | None:
    """Invitations to co-host an event waiting for my organisations' answer (shown only when any)."""
    from network.events import cohosts

    rows = list(cohosts.invitations_for(s.person)[:LIMIT])
    if not rows:
        return None
    items = [
        Item(
            title=_("%(lead)s invites %(org)s to co-host “%(title)s”")
            % {"lead": i.event.organisation.name, "org": i.organisation.name, "title": i.event.title},
            url=cohosts.invitation_url(i),
            when=i.invited_at,
        )
        for i in rows
    ]
    return Section("cohost_invitations", _("Invitations to co-host"), items)


def new_threads(s: Scope) -> Section | None:
    Thread = _model("forums.Thread")
    if not (s.org_ids or s.group_ids):
        return None
    rows = (
        Thread.objects.visible_to(s.person)
        .filter(created_at__gte=s.since)
        .filter(Q(forum__organisation_id__in=s.org_ids) | Q(forum__working_group_id__in=s.group_ids))
        .select_related("forum", "author_organisation")
        .order_by("-created_at", "-pk")[:LIMIT]
    )
    items = [
        Item(
            title=t.title,
            url=t.get_absolute_url(),
            when=t.created_at,
            detail=t.forum.name,
            who=t.author_organisation.name if t.author_organisation else "",
        )
        for t in rows
    ]
    return Section("threads", _("New threads"), items, _("No new threads in your forums."))


def mentions(s: Scope) -> Section | None:
    Mention = _model("forums.Mention")
    Post = _model("forums.Post")
    readable = Post.objects.visible_to(s.person).filter(created_at__gte=s.since, removed_at__isnull=True)
    rows = (
        Mention.objects.filter(person_id=s.person.pk, post__in=readable)
        .select_related("post", "post__thread", "post__author")
        .order_by("-post__created_at", "-pk")[:LIMIT]
    )
    items = [
        Item(
            title=_("%(who)s mentioned you in “%(thread)s”")
            % {
                "who": m.post.author.display_name if m.post.author else _("Someone"),
                "thread": m.post.thread.title,
            },
            url=m.post.get_absolute_url(),
            when=m.post.created_at,
        )
        for m in rows
    ]
    return Section("mentions", _("Mentions"), items, _("Nobody mentioned you lately."))


def joint_tenders(s: Scope) -> Section | None:
    """Planned tenders of others, open to joint procurement, in my organisations' CPV interests."""
    Tender = _model("knowledge.PlannedTender")
    if not s.org_ids:
        return None
    prefixes: set[str] = set()
    for interests in Organisation.objects.filter(pk__in=s.org_ids).values_list("cpv_interests", flat=True):
        prefixes.update(str(p).split("-")[0].strip() for p in (interests or []) if str(p).strip())
    title = _("Planned tenders open to joint procurement")
    if not prefixes:
        return Section(
            "tenders",
            title,
            [],
            hint=_("Add CPV interests to your organisation's profile to see matching tenders."),
        )
    match = Q()
    for prefix in sorted(prefixes):
        match |= Q(cpv_codes__code__startswith=prefix)
    ids = (
        Tender.objects.visible_to(s.person)
        .filter(joint_procurement_open=True, status__in=OPEN_TENDER_STATUSES)
        .exclude(organisation_id__in=s.org_ids)
        .filter(match)
        .values("pk")
    )
    rows = (
        Tender.objects.filter(pk__in=ids)
        .select_related("organisation")
        .order_by("planned_year", "planned_quarter", "pk")[:LIMIT]
    )
    items = [
        Item(title=t.title, url=t.get_absolute_url(), detail=t.planned_publication, who=t.organisation.name)
        for t in rows
    ]
    return Section("tenders", title, items, _("No matching tenders open to joint procurement."))


def upcoming_events(s: Scope) -> Section | None:
    from network.events import selectors as events

    registered = Q(registrations__person_id=s.person.pk) & ~Q(registrations__status="cancelled")
    ids = (
        events.events_for(s.person)
        .upcoming()
        .filter(Q(hosts__in=s.network_org_ids) | Q(working_group_id__in=s.group_ids) | registered)
        .values("pk")
    )
    rows = events.events_for(s.person).filter(pk__in=ids).order_by("starts_at", "pk")[:LIMIT]
    items = [
        Item(
            title=e.title,
            url=e.get_absolute_url(),
            when=e.starts_at,
            detail=e.place or _("Online"),
            who=", ".join(h.name for h in e.hosts.all()),
        )
        for e in rows
    ]
    return Section("events", _("Upcoming events"), items, _("No upcoming events in your network."))


# --- what needs the person's action (shown first) --------------------------------------------


def to_sign(s: Scope) -> Section | None:
    """Open statements an organisation I sign for has not signed yet (no time window: they wait)."""
    Statement = _model("statements.Statement")
    Signature = _model("statements.Signature")
    from members.models import SIGNATORY_ROLES

    sign_for = {org_id for org_id in s.org_ids if s.viewer.has_role(org_id, SIGNATORY_ROLES)}
    if not sign_for:
        return None
    names = dict(Organisation.objects.filter(pk__in=sign_for, verified=True).values_list("pk", "name"))
    if not names:
        return None
    today = timezone.localdate()
    statements = list(
        Statement.objects.visible_to(s.person)
        .filter(status="open")
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .order_by(F("closes_on").asc(nulls_last=True), "-pk")[: LIMIT * 2]
    )
    signed = set(
        Signature.objects.active()
        .filter(statement__in=statements, organisation_id__in=names)
        .values_list("statement_id", "organisation_id")
    )
    items = []
    for st in statements:
        waiting = [
            name
            for org_id, name in sorted(names.items(), key=lambda kv: kv[1])
            if (st.pk, org_id) not in signed
        ]
        if not waiting:
            continue
        detail = _("for %(orgs)s") % {"orgs": ", ".join(waiting)}
        if st.closes_on:
            detail += " · " + _("closes %(date)s") % {"date": date_format(st.closes_on, "DATE_FORMAT")}
        items.append(Item(title=st.title, url=st.get_absolute_url(), detail=detail))
    return Section(
        "to-sign",
        _("Statements awaiting your signature"),
        items[:LIMIT],
        _("No statement awaits your signature."),
    )


def to_moderate(s: Scope) -> Section | None:
    """Join requests to working groups my organisations convene, and reported posts in forums I
    moderate (for owners and admins only)."""
    from members.models import MANAGER_ROLES

    managed = {org_id for org_id in s.org_ids if s.viewer.has_role(org_id, MANAGER_ROLES)}
    if not managed and not s.viewer.is_staff:
        return None
    items: list[Item] = []
    requests = (
        GroupMembership.objects.filter(status=GroupMembership.Status.PENDING, group__conveners__in=managed)
        .select_related("group", "organisation")
        .order_by("created_at", "pk")
        .distinct()[:LIMIT]
    )
    for req in requests:
        items.append(
            Item(
                title=_("%(org)s asks to join “%(group)s”")
                % {"org": req.organisation.name, "group": req.group.name},
                url=req.group.get_absolute_url(),
                when=req.created_at,
                detail=_("Join request"),
            )
        )
    Report = _model("forums.PostReport")
    Post = _model("forums.Post")
    from forums.rules import can_moderate

    reports = (
        Report.objects.filter(resolved_at__isnull=True, post__in=Post.objects.visible_to(s.person))
        .select_related("post__thread__forum__working_group")
        .order_by("created_at", "pk")[: LIMIT * 3]
    )
    for report in reports:
        forum = report.post.thread.forum
        if not can_moderate(s.person, forum):
            continue
        items.append(
            Item(
                title=_("A post in “%(thread)s” was reported") % {"thread": report.post.thread.title},
                url=report.post.get_absolute_url(),
                when=report.created_at,
                detail=report.reason[:200],
            )
        )
    return Section("to-moderate", _("To moderate"), items[:LIMIT], _("Nothing waits for moderation."))


def to_answer(s: Scope) -> Section | None:
    """Posts that mention me (the mentions section of the last days, shown as something to answer)."""
    section = mentions(s)
    if section is None:
        return None
    return Section(
        "to-answer", _("Mentions to answer"), section.items, _("Nobody is waiting for your answer.")
    )


ACTIONS = (to_sign, to_moderate, to_answer)


#: Sections that belong to no content type, as (order, section) among the types' sections.
GENERAL_SECTIONS: tuple = ()


def sections_in_order() -> list:
    """The general sections and every content type's declared sections, by their order."""
    from network import content

    entries = [*GENERAL_SECTIONS]
    for ct in content.dashboard_types():
        entries += [fn if isinstance(fn, tuple) else (ct.dashboard_order, fn) for fn in ct.dashboard]
    return [fn for _order, fn in sorted(entries, key=lambda e: e[0])]


def drafts(s: Scope) -> list[Item]:
    items: list[Item] = []
    Template = _model("knowledge.TenderTemplate")
    for t in Template.objects.editable_by(s.person).filter(status="draft").order_by("-updated_at")[:LIMIT]:
        items.append(
            Item(title=t.title, url=t.get_absolute_url(), when=t.updated_at, detail=_("Template draft"))
        )
    Statement = _model("statements.Statement")
    rows = Statement.objects.editable_by(s.person).filter(status="draft").order_by("-updated_at")[:LIMIT]
    for st in rows:
        items.append(
            Item(title=st.title, url=st.get_absolute_url(), when=st.updated_at, detail=_("Statement draft"))
        )
    return items


def unread_threads(person: Any) -> int:
    from forums import selectors as forum_selectors

    return forum_selectors.threads_for(person).filter(unread__gt=0).count()


def dashboard_for(person: Any, *, days: int = DEFAULT_DAYS) -> Dashboard:
    days = max(1, min(int(days), MAX_DAYS))
    scope = _scope(person, days)
    sections = [section for fn in sections_in_order() if (section := fn(scope)) is not None]
    actions = [section for fn in ACTIONS if (section := fn(scope)) is not None]
    notes = Notification.objects.for_person(person)
    return Dashboard(
        days=days,
        since=scope.since,
        organisations=list(Organisation.objects.filter(pk__in=scope.org_ids).order_by("name")),
        groups=list(WorkingGroup.objects.filter(pk__in=scope.group_ids).order_by("name")),
        sections=sections,
        actions=actions,
        unread_notifications=notes.unread().count(),
        unread_threads=unread_threads(person),
        recent_notifications=list(notes.unread()[:5]),
        drafts=drafts(scope),
    )


__all__ = ["Dashboard", "Item", "Section", "dashboard_for"]

"""Writes of the forums: threads, posts, reactions, read state, moderation, reports.

Every function here checks the rule it enforces (the HTML views, the API and the sockets all call
these), writes in one transaction, and rings the thread's doorbell only after commit
(:func:`forums.payloads.send_post_event`).

Sequence numbers: ``post_create`` locks the thread row (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the ``IMMEDIATE`` transaction mode in settings takes the database write lock at ``BEGIN``)
and takes ``thread.last_seq + 1`` in the same transaction that stores the post, so concurrent
writers queue on the lock and numbers come out 1, 2, 3… with no gap and no duplicate. The unique
``(thread, seq)`` constraint backs this up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from forums import payloads
from forums.models import (
    Forum,
    Mention,
    ModerationAction,
    Post,
    PostReport,
    Reaction,
    ReadState,
    Subscription,
    Thread,
)
from forums.rules import can_moderate, can_post_in, posting_organisation_id
from network import markdown, ratelimit, sharing, validation, visibility
from network.notifications import notify
from network.realtime import person_group
from network.slugs import unguessable_slug

MAX_MENTIONS = 20
_MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.\-]*)(?:[ \t]+([^\W\d_][\w\-]*))?")


class ThreadLocked(PermissionDenied):
    """The thread is closed to new posts (locked, or its forum archived): visible, but no new
    posts (API: 409)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This thread is locked: no new posts can be added."))


class ForumArchived(ThreadLocked):
    """The forum is archived: its threads stay readable, nothing new is added (API: 409)."""

    def __init__(self) -> None:
        super().__init__(
            _("This forum is archived: its threads stay readable, but no new threads or posts can be added.")
        )


class TooManyReports(PermissionDenied):
    """More reports in an hour than anyone honestly files (API: 429)."""

    def __init__(self) -> None:
        super().__init__(_("You have sent many reports in a short time. Please wait a while and try again."))


#: Slugs the forum URLs use for their own pages.
RESERVED_SLUGS = frozenset({"new", "t", "p", "moderation", "manage", "network-forum"})
#: At most this many reports per person per hour.
REPORTS_PER_HOUR = ratelimit.REPORT.limit  # declared in network.ratelimit


# --- forums -----------------------------------------------------------------------------------


def _unique_forum_slug(base: str) -> str:
    """A slug the system chose (``network``, a group's slug) as it is, counted up if taken."""
    base = (slugify(base)[:70] or "forum").strip("-") or "forum"
    candidate, n = base, 1
    while candidate in RESERVED_SLUGS or Forum.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def forum_create(
    *,
    organisation: Any,
    name: str,
    kind: str = Forum.Kind.ORGANISATION,
    visibility_level: str = visibility.Visibility.PRIVATE,
    description: str = "",
    slug: str = "",
    working_group: Any = None,
    created_by: Any = None,
) -> Forum:
    """Store a forum without asking who wants it: the system's own path (group and network forums,
    the demo, tests). People go through :func:`organisation_forum_create`."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the forum a name.")})
    return Forum.objects.create(
        organisation=organisation,
        name=name,
        kind=kind,
        visibility=visibility_level,
        description=description,
        # A name-derived slug gets a random part: a private forum's name is never guessable from,
        # or revealed by, the slug another organisation's forum gets (#20 item 6).
        slug=_unique_forum_slug(slug)
        if slug
        else unguessable_slug(name, model=Forum, fallback="forum", max_length=80),
        working_group=working_group,
        created_by=created_by,
    )


@dataclass
class ForumData:
    """An organisation's forum as a write gives it (the page's form, the API). The model's fields
    hold the rules; ``shared_groups`` as ``None`` leaves an existing forum's groups as they are."""

    name: str = ""
    description: str = ""
    visibility: str = visibility.Visibility.PRIVATE
    shared_groups: list[Any] | None = None

    @classmethod
    def of(cls, forum: Forum) -> ForumData:
        """What ``forum`` holds now: a partial edit (the API's PATCH) replaces some of it."""
        return cls(name=forum.name, description=forum.description, visibility=forum.visibility)

    def with_changes(self, changes: dict[str, Any]) -> ForumData:
        return replace(self, **{k: v for k, v in changes.items() if k in self.__dataclass_fields__})


def _name_taken(forum: Forum) -> dict[str, list[Any]]:
    """What the model does not say itself: a name already used by the organisation's forums."""
    organisation = forum.organisation
    taken = Forum.objects.filter(
        organisation=organisation, kind=Forum.Kind.ORGANISATION, name__iexact=forum.name
    )
    if forum.name and taken.exclude(pk=forum.pk).exists():
        # another forum has the name: a state rule (the API's 409), not a problem of the input
        return {
            "name": [
                validation.conflicting(
                    _("%(org)s already has a forum called “%(name)s”.")
                    % {"org": organisation.name, "name": forum.name}
                )
            ]
        }
    return {}


def _validate_forum(forum: Forum, data: ForumData) -> list[Any] | None:
    """Set ``data`` on ``forum`` and run the model's rules, the name's and the sharing rule
    (:func:`network.sharing.resolve`) together."""
    forum.name = (data.name or "").strip()
    forum.description = (data.description or "").strip()
    forum.visibility = data.visibility or visibility.Visibility.PRIVATE
    errors = _name_taken(forum)
    groups = sharing.resolve(forum, data.shared_groups, errors)
    validation.full_clean(forum, exclude=["slug", "working_group"], errors=errors, constraints=False)
    return groups


@transaction.atomic
def organisation_forum_create(*, actor: Any, organisation: Any, data: ForumData) -> Forum:
    """An organisation's owners and admins open a forum of their own: private by default, or shared
    with working groups the organisation belongs to (visibility ``group``)."""
    if not visibility.can_manage(actor, organisation):
        raise PermissionDenied(
            _("Only the owners and admins of %(org)s create its forums.") % {"org": organisation.name}
        )
    candidate = Forum(organisation=organisation, kind=Forum.Kind.ORGANISATION, created_by=actor)
    groups = _validate_forum(candidate, data)
    try:
        with transaction.atomic():
            forum = forum_create(
                organisation=organisation,
                name=candidate.name,
                description=candidate.description,
                visibility_level=candidate.visibility,
                created_by=actor,
            )
    except IntegrityError:  # the same name, created a moment ago by a colleague: a state rule (409)
        raise validation.conflict(
            {
                "name": _("%(org)s already has a forum called “%(name)s”.")
                % {"org": organisation.name, "name": candidate.name}
            }
        ) from None
    if groups:
        forum.shared_groups.set(groups)
    return forum


def can_manage_forum(person: Any, forum: Forum) -> bool:
    """Renaming, sharing and archiving: the owning organisation's managers, for its own forums."""
    return forum.kind == Forum.Kind.ORGANISATION and visibility.can_manage(person, forum.organisation_id)


@transaction.atomic
def forum_update(*, actor: Any, forum: Forum, data: ForumData) -> Forum:
    """Rename, describe or re-share an organisation's forum (its owners and admins);
    ``ForumData.of(forum)`` keeps what is not changed. Refused input changes nothing."""
    _require_read(actor, forum)
    if not can_manage_forum(actor, forum):
        raise PermissionDenied(_("Only the owning organisation's owners and admins change this forum."))
    old_name, old_level = forum.name, forum.visibility
    changed = validation.candidate(forum, {})
    groups = _validate_forum(changed, data)
    forum.name, forum.description, forum.visibility = changed.name, changed.description, changed.visibility
    renamed = forum.name != old_name
    new_name = forum.name
    widened_or_narrowed = forum.visibility != old_level or groups is not None
    forum.save(update_fields=["name", "description", "visibility"])
    if groups is not None:
        forum.shared_groups.set(groups)
    if renamed:
        _log(forum=forum, actor=actor, action="rename", reason=f"{old_name} → {new_name}")
    if widened_or_narrowed:
        _recheck_forum_sockets(forum)
    return forum


@transaction.atomic
def forum_archive(*, actor: Any, forum: Forum, archived: bool = True, reason: str = "") -> Forum:
    """Archive (or reopen) a forum: threads stay readable, no new threads or posts. Repeating is
    harmless. Organisation forums: their owners and admins; group forums follow their group and the
    network forum stays open."""
    _require_read(actor, forum)
    if not can_manage_forum(actor, forum):
        raise PermissionDenied(_("Only the owning organisation's owners and admins archive this forum."))
    if forum.is_archived == archived:
        return forum
    forum.archived_at = timezone.now() if archived else None
    forum.save(update_fields=["archived_at"])
    _log(forum=forum, actor=actor, action="archive" if archived else "unarchive", reason=reason)
    return forum


def network_forum() -> Forum:
    """The one network-wide forum. A migration creates it; this recreates it if a database was
    emptied since (a flushed test database, a restore of data without it)."""
    return network_forum_ensure()


@transaction.atomic
def network_forum_ensure(*, organisation: Any = None, name: str = "", description: str = "") -> Forum:
    """The one network-wide forum (visibility ``network``), owned by the platform and moderated by
    network staff. ``organisation`` is accepted for old callers and ignored."""
    forum = Forum.objects.filter(kind=Forum.Kind.NETWORK).first()
    if forum is not None:
        return forum
    try:
        with transaction.atomic():
            return forum_create(
                organisation=None,
                name=name or _("Network forum"),
                kind=Forum.Kind.NETWORK,
                visibility_level=visibility.Visibility.NETWORK,
                description=description
                or _(
                    "Open to every member of a verified organisation: introductions, planned tenders, questions."
                ),
                slug="network",
            )
    except IntegrityError:  # created concurrently
        return Forum.objects.get(kind=Forum.Kind.NETWORK)


@transaction.atomic
def group_forum_ensure(*, group: Any) -> Forum:
    """A working group's forum: shared with the group's organisations, or public with the group.

    Owned by the group's first convener (whose managers moderate along with the other conveners').
    Called when a group gets its first convener and whenever the group changes (forums.signals),
    so the forum's visibility always follows the group's.
    """
    forum = Forum.objects.filter(working_group=group).first()
    level = visibility.Visibility.PUBLIC if group.visibility == "public" else visibility.Visibility.GROUP
    if forum is None:
        convener = group.conveners.order_by("pk").first()
        if convener is None:
            raise ValidationError(_("A working group needs a convener before it can have a forum."))
        forum = forum_create(
            organisation=convener,
            name=group.name,
            kind=Forum.Kind.GROUP,
            visibility_level=level,
            description=group.description,
            slug=group.slug,
            working_group=group,
        )
    elif forum.visibility != level or forum.name != group.name:
        forum.visibility, forum.name = level, group.name
        forum.save(update_fields=["visibility", "name"])
        _recheck_forum_sockets(forum)
    forum.shared_groups.set([group])
    return forum


def _recheck_forum_sockets(forum: Forum) -> None:
    for thread_id in forum.threads.values_list("pk", flat=True):
        payloads.send_access_recheck(payloads.thread_group(thread_id))


# --- threads and posts ------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    """A post's text by the ``Post`` model's own rules (required, at most 20,000 characters)."""
    return validation.clean_field(Post, "body", (body or "").strip())


def _require_read(person: Any, obj: Any) -> None:
    if not visibility.can_read(person, obj):
        raise Http404


def thread_create(*, person: Any, forum: Forum, title: str, body: str, client_id: str = "") -> Thread:
    """A new thread with its first post. With ``client_id``, a retried request returns the thread
    the first attempt created instead of a second one."""
    _require_read(person, forum)
    if forum.is_archived:
        raise ForumArchived()
    if not can_post_in(person, forum):
        raise PermissionDenied(_("You cannot start threads in this forum."))
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    for model, name, value in ((Thread, "title", title), (Post, "body", body)):
        try:
            validation.clean_field(model, name, value)
        except ValidationError as exc:
            validation.merge(errors, exc)
    if errors:  # the title's and the first post's problems together
        raise ValidationError(errors)
    client_id = (client_id or "").strip()[:64]
    with transaction.atomic():
        if client_id:
            first = Post.objects.filter(
                thread__forum=forum, author=person, client_id=client_id, seq=1
            ).select_related("thread")
            if first:
                return first[0].thread
        ratelimit.POST.check(person.pk)  # one limit for pages, API and socket
        now = timezone.now()
        thread = Thread.objects.create(
            forum=forum,
            title=title,
            author=person,
            author_organisation_id=posting_organisation_id(person, forum),
            created_at=now,
            last_activity_at=now,
        )
        post_create(person=person, thread=thread, body=body, client_id=client_id)
        thread.refresh_from_db()
    return thread


def post_create(
    *, person: Any, thread: Thread, body: str, reply_to: Post | int | None = None, client_id: str = ""
) -> tuple[Post, bool]:
    """Add a post; returns ``(post, created)``. A retry with the same ``client_id`` returns the post
    stored the first time (``created`` False) and sends nothing again. Past the posting limit
    (:data:`network.ratelimit.POST`, whatever the surface) raises ``RateLimited``."""
    body = _clean_body(body)
    client_id = (client_id or "").strip()[:64]
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        locked.forum = thread.forum if thread.forum_id == locked.forum_id else locked.forum
        _require_read(person, locked)
        if client_id:
            existing = Post.objects.filter(thread=locked, author=person, client_id=client_id).first()
            if existing is not None:
                return existing, False
        ratelimit.POST.check(person.pk)  # one limit for pages, API and socket (a retry is free)
        if locked.forum.is_archived:
            raise ForumArchived()
        if not can_post_in(person, locked.forum):
            raise PermissionDenied(_("You cannot post in this forum."))
        if locked.locked and not can_moderate(person, locked.forum):
            raise ThreadLocked()
        parent = _reply_target(locked, reply_to)
        seq = locked.last_seq + 1
        now = timezone.now()
        post = Post.objects.create(
            thread=locked,
            seq=seq,
            author=person,
            author_organisation_id=posting_organisation_id(person, locked.forum),
            body=body,
            body_html=markdown.render(body),
            reply_to=parent,
            client_id=client_id,
            created_at=now,
        )
        Thread.objects.filter(pk=locked.pk).update(
            last_seq=seq, post_count=F("post_count") + 1, last_activity_at=now
        )
        thread.last_seq, thread.last_activity_at = seq, now
        thread.post_count = locked.post_count + 1
        Subscription.objects.get_or_create(person=person, thread=locked)
        _advance_read_state(person, locked, seq)
        _notify_mentions_and_reply(post, person)
        payloads.send_post_event("post.created", post, reactions={})  # nobody can have reacted yet
    return post, True


def _reply_target(thread: Thread, reply_to: Post | int | None) -> Post | None:
    if reply_to is None or reply_to == "":
        return None
    reply_id = reply_to.pk if isinstance(reply_to, Post) else reply_to
    try:
        return Post.objects.select_related("author").get(pk=int(reply_id), thread=thread)
    except (Post.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"reply_to": _("You can only reply to a post in the same thread.")}) from None


def mentioned_people(body: str, thread: Thread) -> list[Any]:
    """People named ``@Full Name``, ``@Name`` or ``@email-localpart`` who can read the thread."""
    from members.models import Person

    rule = Q()
    for first, second in _MENTION.findall(body)[:MAX_MENTIONS]:
        first = first.rstrip(".-")
        if second:
            rule |= Q(name__iexact=f"{first} {second}")
        rule |= Q(name__iexact=first) | Q(email__istartswith=f"{first}@")
    if not rule:
        return []
    people = list(Person.objects.filter(rule, is_active=True)[: MAX_MENTIONS * 2])
    return [p for p in people if visibility.can_read(p, thread)][:MAX_MENTIONS]


def _notify_mentions_and_reply(post: Post, author: Any) -> None:
    thread = post.thread
    mentioned = [p for p in mentioned_people(post.body, thread) if p.pk != author.pk]
    Mention.objects.bulk_create([Mention(post=post, person=p) for p in mentioned], ignore_conflicts=True)
    url = post.get_absolute_url()
    name = author.display_name
    if mentioned:
        notify(
            mentioned,
            kind="forum.mention",
            title=_("%(name)s mentioned you in “%(thread)s”") % {"name": name, "thread": thread.title},
            body=markdown.plain_text(post.body)[:500],
            url=url,
            actor=author,
        )
    replied = post.reply_to.author if post.reply_to_id and post.reply_to else None
    if (
        replied is not None
        and replied.pk not in {p.pk for p in mentioned}
        and visibility.can_read(replied, thread)
    ):
        notify(
            [replied],
            kind="forum.reply",
            title=_("%(name)s replied to you in “%(thread)s”") % {"name": name, "thread": thread.title},
            body=markdown.plain_text(post.body)[:500],
            url=url,
            actor=author,
        )


def post_edit(*, person: Any, post: Post, body: str | None) -> Post:
    """Authors edit their own posts; a removed or hidden post cannot be edited. ``body=None`` (a
    PATCH that sends no text) changes nothing, after the same checks."""
    _require_read(person, post)
    if post.author_id != person.pk:
        raise PermissionDenied(_("Only the author can edit a post."))
    if not post.is_visible_body:
        raise PermissionDenied(_("A removed or hidden post cannot be edited."))
    if post.thread.forum.is_archived:
        raise ForumArchived()
    if post.thread.locked and not can_moderate(person, post.thread.forum):
        raise ThreadLocked()
    if body is None:
        return post
    body = _clean_body(body)
    with transaction.atomic():
        post.body = body
        post.body_html = markdown.render(body)
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "body_html", "edited_at"])
        payloads.send_post_event("post.updated", post)
    return post


def post_remove(*, person: Any, post: Post) -> Post:
    """Soft delete by the author or a moderator: the post keeps its ``seq`` and shows as removed."""
    _require_read(person, post)
    if post.author_id != person.pk and not can_moderate(person, post.thread.forum):
        raise PermissionDenied(_("Only the author or a moderator can remove a post."))
    if post.is_removed:
        return post
    with transaction.atomic():
        post.removed_at = timezone.now()
        post.removed_by = person
        post.save(update_fields=["removed_at", "removed_by"])
        if post.author_id != person.pk:
            _log(forum=post.thread.forum, actor=person, action="remove", thread=post.thread, post=post)
        Thread.objects.filter(pk=post.thread_id, post_count__gt=0).update(post_count=F("post_count") - 1)
        payloads.send_post_event("post.deleted", post)
    return post


def post_set_hidden(*, person: Any, post: Post, hidden: bool = True, reason: str = "") -> Post:
    """A moderator hides (or shows again) a post; it keeps its place as "hidden by a moderator".
    Hiding resolves the post's open reports (outcome: hidden) and tells their reporters."""
    _require_read(person, post)
    if not can_moderate(person, post.thread.forum):
        raise PermissionDenied(_("Only moderators can hide posts."))
    if post.hidden_by_moderator != hidden:
        with transaction.atomic():
            post.hidden_by_moderator = hidden
            post.save(update_fields=["hidden_by_moderator"])
            _log(
                forum=post.thread.forum,
                actor=person,
                action="hide" if hidden else "show",
                thread=post.thread,
                post=post,
                reason=reason,
            )
            if hidden:
                _close_reports(
                    PostReport.objects.filter(post=post, resolved_at__isnull=True),
                    person=person,
                    outcome=PostReport.Outcome.POST_HIDDEN,
                    note=reason,
                )
            payloads.send_post_event("post.updated", post)
    return post


def reaction_toggle(*, person: Any, post: Post, code: str) -> bool:
    """Add the reaction, or take it back if it is there; returns whether it is now there."""
    _require_read(person, post)
    if code not in Reaction.Code.values:
        raise ValidationError(
            {"code": _("Choose one of: %(codes)s.") % {"codes": ", ".join(Reaction.Code.values)}}
        )
    if post.thread.forum.is_archived:
        raise ForumArchived()
    if not can_post_in(person, post.thread.forum):
        raise PermissionDenied(_("You cannot react in this forum."))
    if not post.is_visible_body:
        raise PermissionDenied(_("A removed or hidden post cannot get reactions."))
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(post=post, person=person, code=code).delete()
        added = not deleted
        if added:
            try:
                with transaction.atomic():
                    Reaction.objects.create(post=post, person=person, code=code)
            except IntegrityError:  # a double click that raced: it is there, which is what was asked
                pass
        payloads.send_post_event("post.updated", post)
    return added


# --- read state and subscriptions ---------------------------------------------------------------


def _advance_read_state(person: Any, thread: Thread, seq: int) -> None:
    state, created = ReadState.objects.get_or_create(
        person=person, thread=thread, defaults={"last_read_seq": seq}
    )
    if not created and state.last_read_seq < seq:
        ReadState.objects.filter(pk=state.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq, updated_at=timezone.now()
        )


def thread_mark_read(*, person: Any, thread: Thread, seq: int | None = None) -> int:
    """Move the person's watermark forward to ``seq`` (default: the newest post); never backward."""
    _require_read(person, thread)
    if seq is None:
        seq = thread.last_seq
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise ValidationError({"seq": _("Give a sequence number.")}) from None
    if seq < 0:
        raise ValidationError({"seq": _("A sequence number cannot be negative.")})
    seq = min(seq, Thread.objects.values_list("last_seq", flat=True).get(pk=thread.pk))
    with transaction.atomic():
        _advance_read_state(person, thread, seq)
    return ReadState.objects.values_list("last_read_seq", flat=True).get(person=person, thread=thread)


def thread_subscribe(*, person: Any, thread: Thread, subscribed: bool = True) -> bool:
    _require_read(person, thread)
    if subscribed:
        Subscription.objects.get_or_create(person=person, thread=thread)
    else:
        Subscription.objects.filter(person=person, thread=thread).delete()
    return subscribed


# --- moderation and reports ---------------------------------------------------------------------


def _log(
    *,
    forum: Forum,
    actor: Any,
    action: str,
    thread: Thread | None = None,
    post: Post | None = None,
    report: PostReport | None = None,
    reason: str = "",
) -> ModerationAction:
    """Every moderator action is written down, for the forum's other moderators to see."""
    return ModerationAction.objects.create(
        forum=forum, thread=thread, post=post, report=report, actor=actor, action=action, reason=reason[:2000]
    )


def thread_moderate(*, person: Any, thread: Thread, action: str, reason: str = "") -> Thread:
    """``lock``, ``unlock``, ``pin`` or ``unpin`` a thread (moderators only)."""
    _require_read(person, thread)
    changes = {
        "lock": ("locked", True),
        "unlock": ("locked", False),
        "pin": ("pinned", True),
        "unpin": ("pinned", False),
    }
    if action not in changes:
        raise ValidationError({"action": _("Unknown moderation action.")})
    if not can_moderate(person, thread.forum):
        raise PermissionDenied(_("Only moderators can lock or pin threads."))
    field, value = changes[action]
    with transaction.atomic():
        changed = Thread.objects.filter(pk=thread.pk).exclude(**{field: value}).update(**{field: value})
        thread.refresh_from_db()
        if changed:
            _log(forum=thread.forum, actor=person, action=action, thread=thread, reason=reason)
        payloads.send_thread_event(thread)
    return thread


def post_report(*, person: Any, post: Post, reason: str) -> PostReport:
    """A member flags a post; the forum's moderators are notified. Reporting twice is one report;
    a report on a post already hidden is recorded as resolved (nothing left to do). At most
    :data:`REPORTS_PER_HOUR` reports per person per hour."""
    _require_read(person, post)
    if visibility.viewer_for(person).is_anonymous:
        raise PermissionDenied(_("Sign in to report a post."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly what is wrong with the post.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2000 characters.")})
    existing = PostReport.objects.filter(post=post, reporter=person).first()
    if existing is not None:
        return existing
    try:
        ratelimit.REPORT.check(person.pk)
    except ratelimit.RateLimited:
        raise TooManyReports() from None
    with transaction.atomic():
        already_hidden = post.hidden_by_moderator or post.is_removed
        report, created = PostReport.objects.get_or_create(
            post=post,
            reporter=person,
            defaults={
                "reason": reason,
                "resolved_at": timezone.now() if already_hidden else None,
                "outcome": PostReport.Outcome.POST_HIDDEN if already_hidden else "",
            },
        )
        if created and not already_hidden:
            notify(
                moderators_of(post.thread.forum),
                kind="forum.report",
                title=_("A post in “%(thread)s” was reported") % {"thread": post.thread.title},
                body=reason[:500],
                url=reverse("forums:moderation"),
                actor=person,
            )
    return report


def _close_reports(reports: Any, *, person: Any, outcome: str, note: str) -> list[PostReport]:
    """Resolve open reports with one outcome and tell each reporter what happened."""
    closed = list(reports.filter(resolved_at__isnull=True).select_related("post__thread", "reporter"))
    if not closed:
        return []
    now = timezone.now()
    PostReport.objects.filter(pk__in=[r.pk for r in closed]).update(
        resolved_at=now, resolved_by=person, outcome=outcome, resolution_note=note[:2000]
    )
    label = PostReport.Outcome(outcome).label
    for report in closed:
        report.resolved_at, report.resolved_by, report.outcome, report.resolution_note = (
            now,
            person,
            outcome,
            note,
        )
        thread = report.post.thread
        notify(
            [report.reporter],
            kind="forum.report_resolved",
            title=_("Your report on a post in “%(thread)s” was handled: %(outcome)s")
            % {"thread": thread.title, "outcome": label},
            body=note[:500],
            url=thread.get_absolute_url() if visibility.can_read(report.reporter, thread) else "",
            actor=person,
        )
    return closed


def report_resolve(*, person: Any, report: PostReport, outcome: str, reason: str = "") -> PostReport:
    """A moderator resolves a report: ``dismissed``, ``post_hidden`` (hide the post) or
    ``thread_locked`` (lock its thread), with a reason the reporter is told. Resolving a report
    that is already resolved changes nothing and tells no one again."""
    post = report.post
    forum = post.thread.forum
    _require_read(person, post)
    if not can_moderate(person, forum):
        raise Http404  # a report is seen only by the forum's moderators
    if outcome not in PostReport.Outcome.values:
        raise ValidationError(
            {"outcome": _("Choose one of: %(codes)s.") % {"codes": ", ".join(PostReport.Outcome.values)}}
        )
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2000 characters.")})
    with transaction.atomic():
        report = PostReport.objects.select_for_update().get(pk=report.pk)
        if not report.is_open:
            return report
        if outcome == PostReport.Outcome.POST_HIDDEN:
            if post.hidden_by_moderator:
                _close_reports(
                    PostReport.objects.filter(post=post), person=person, outcome=outcome, note=reason
                )
            else:
                post_set_hidden(person=person, post=post, hidden=True, reason=reason)
        elif outcome == PostReport.Outcome.THREAD_LOCKED:
            thread_moderate(person=person, thread=post.thread, action="lock", reason=reason)
            _close_reports(PostReport.objects.filter(post=post), person=person, outcome=outcome, note=reason)
        else:
            _close_reports(
                PostReport.objects.filter(pk=report.pk), person=person, outcome=outcome, note=reason
            )
            _log(
                forum=forum,
                actor=person,
                action="dismiss",
                thread=post.thread,
                post=post,
                report=report,
                reason=reason,
            )
        report.refresh_from_db()
    return report


def moderators_of(forum: Forum) -> list[Any]:
    """Owners and admins of the forum's organisation and, for a group forum, of its conveners;
    network staff for the network forum."""
    from members.models import MANAGER_ROLES, Person

    if forum.kind == Forum.Kind.NETWORK:
        return list(Person.objects.filter(is_staff=True, is_active=True))
    org_ids = {forum.organisation_id}
    if forum.working_group_id:
        org_ids |= set(forum.working_group.conveners.values_list("pk", flat=True))
    return list(
        Person.objects.filter(
            memberships__organisation_id__in=org_ids, memberships__role__in=MANAGER_ROLES, is_active=True
        ).distinct()
    )


# --- access changes -----------------------------------------------------------------------------


def recheck_access_for_people(person_ids: set[int] | list[int]) -> None:
    """After membership changes, tell those people's open sockets to re-check what they may read."""
    for pid in set(person_ids):
        payloads.send_access_recheck(person_group(pid))


def recheck_access_for_organisation(organisation_id: int) -> None:
    from members.models import Membership

    recheck_access_for_people(
        Membership.objects.filter(organisation_id=organisation_id).values_list("person_id", flat=True)
    )


def posts_erase_author(person: Any) -> int:
    """Blank every post ``person`` wrote (GDPR erasure, ``members.privacy.erasure``): the thread
    keeps its numbering and the post shows as removed; nobody is named as remover."""
    return Post.objects.filter(author=person, removed_at__isnull=True).update(
        body="", body_html="", removed_at=timezone.now(), removed_by=None
    )

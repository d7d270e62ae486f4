"""Reads of the forums, always scoped by :mod:`network.visibility`, with unread counts annotated in
the same query (no per-row queries on list pages).

Unread: a thread's unread count is ``last_seq - last_read_seq`` (the person's watermark); threads
quiet for longer than ``FORUMS_READ_CUTOFF_DAYS`` count as read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from forums.models import Forum, ModerationAction, Post, PostReport, ReadState, Subscription, Thread
from network import visibility

DEFAULT_CUTOFF_DAYS = 90


def read_cutoff():
    return timezone.now() - timedelta(days=getattr(settings, "FORUMS_READ_CUTOFF_DAYS", DEFAULT_CUTOFF_DAYS))


def _is_person(person: Any) -> bool:
    return not visibility.viewer_for(person).is_anonymous


def _read_seq(person: Any, ref: str = "pk") -> Subquery:
    return Subquery(
        ReadState.objects.filter(person_id=person.pk, thread_id=OuterRef(ref)).values("last_read_seq")[:1],
        output_field=IntegerField(),
    )


def with_unread(threads: QuerySet[Thread], person: Any) -> QuerySet[Thread]:
    """Annotate ``last_read_seq`` and ``unread`` (posts after the watermark) for ``person``."""
    if not _is_person(person):
        zero = Value(0, output_field=IntegerField())
        return threads.annotate(last_read_seq=zero, unread=zero, subscribed=zero)
    return threads.annotate(last_read_seq=Coalesce(_read_seq(person), Value(0))).annotate(
        unread=Case(
            When(last_activity_at__lt=read_cutoff(), then=Value(0)),
            When(last_seq__lte=F("last_read_seq"), then=Value(0)),
            default=F("last_seq") - F("last_read_seq"),
            output_field=IntegerField(),
        ),
        subscribed=Coalesce(
            Subquery(
                Subscription.objects.filter(person_id=person.pk, thread_id=OuterRef("pk")).values("pk")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def forums_for(person: Any) -> QuerySet[Forum]:
    """Forums the person can read, with ``thread_count`` and ``unread_threads``."""
    qs = (
        Forum.objects.visible_to(person)
        .select_related("working_group", "organisation")
        .prefetch_related("shared_groups")
    )
    thread_count = (
        Thread.objects.filter(forum=OuterRef("pk"))
        .order_by()
        .values("forum")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = qs.annotate(thread_count=Coalesce(Subquery(thread_count, output_field=IntegerField()), Value(0)))
    if not _is_person(person):
        return qs.annotate(unread_threads=Value(0, output_field=IntegerField()))
    unread = (
        Thread.objects.filter(forum=OuterRef("pk"), last_activity_at__gte=read_cutoff())
        .annotate(read_seq=Coalesce(_read_seq(person), Value(0)))
        .filter(last_seq__gt=F("read_seq"))
        .order_by()
        .values("forum")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(unread_threads=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def threads_for(person: Any, *, forum: Forum | None = None) -> QuerySet[Thread]:
    qs = Thread.objects.visible_to(person).select_related(
        "forum", "forum__working_group", "author", "author_organisation"
    )
    if forum is not None:
        qs = qs.filter(forum=forum)
    return with_unread(qs, person).order_by("-pinned", "-last_activity_at", "-id")


def forum_get(person: Any, slug: str) -> Forum | None:
    return forums_for(person).filter(slug=slug).first()


def thread_get(person: Any, pk: int, *, fresh: bool = False) -> Thread | None:
    """The thread if the person may read it (None otherwise: missing and forbidden look alike).

    ``fresh`` re-resolves the person's memberships, for long-lived sockets."""
    if fresh:
        visibility.forget(person)
    return (
        Thread.objects.visible_to(person)
        .select_related("forum", "forum__working_group", "forum__organisation")
        .filter(pk=pk)
        .first()
    )


def thread_readable_by(persons: list[Any], pk: int) -> list[bool]:
    """Whether each person may still read the thread, with fresh roles: :func:`thread_get` with
    ``fresh=True`` for many people (the sockets' access re-checks, batched). Viewers are resolved
    in bulk and people the read rule sees alike share one query, so re-checking the thousand
    readers of a thread costs a handful of queries, not four thousand."""
    viewers = visibility.viewers_for(persons)
    answers: dict[tuple[Any, ...], bool] = {}
    readable = []
    for viewer in viewers:
        key = visibility.read_rule_key(viewer)
        if key not in answers:
            answers[key] = Thread.objects.filter(visibility.visible_q(viewer, Thread)).filter(pk=pk).exists()
        readable.append(answers[key])
    return readable


def thread_for_readers(persons: list[Any], pk: int) -> tuple[Thread | None, list[bool]]:
    """:func:`thread_get` with ``fresh=True`` for many people at once (sockets connecting together,
    e.g. a reconnect storm): the thread as :func:`thread_get` loads it, read once, and whether each
    person may read it (:func:`thread_readable_by`). A person gets the thread only where their
    answer is True; missing and forbidden look alike (None)."""
    readable = thread_readable_by(persons, pk)
    if not any(readable):
        return None, readable
    thread = (
        Thread.objects.select_related("forum", "forum__working_group", "forum__organisation")
        .filter(pk=pk)
        .first()
    )
    return thread, readable


def posts_visible(person: Any) -> QuerySet[Post]:
    """Posts ``person`` may read, with what a post's page or API answer shows."""
    return Post.objects.visible_to(person).select_related(
        "thread", "thread__forum", "thread__forum__working_group", "author", "author_organisation", "reply_to"
    )


def post_get(person: Any, pk: int) -> Post | None:
    return posts_visible(person).filter(pk=pk).first()


def last_read_seq(thread: Thread, person: Any) -> int:
    """The last post ``person`` has read in ``thread`` (0 if none)."""
    return with_unread(Thread.objects.filter(pk=thread.pk), person).values_list("last_read_seq", flat=True)[0]


def thread_last_seq(thread_id: int) -> int:
    """The thread's newest sequence number as the database has it (the socket's heartbeat asks)."""
    return Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).first() or 0


def posts_qs(thread: Thread) -> QuerySet[Post]:
    """A thread's posts in sequence order, with what their payload needs loaded."""
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "author_organisation", "reply_to")
        .order_by("seq")
    )


def posts_after(thread: Thread, after: int = 0, limit: int = 100) -> list[Post]:
    """Posts with ``seq > after``, oldest first: the resume and paging primitive."""
    return list(posts_qs(thread).filter(seq__gt=after)[:limit])


def posts_for_page(thread: Thread, person: Any) -> QuerySet[Post]:
    """Posts for the thread page, with reactions (and whether the person reacted) prefetched."""
    from forums.models import Reaction

    return posts_qs(thread).prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.only("id", "post_id", "person_id", "code"))
    )


# --- moderation -----------------------------------------------------------------------------------


def moderated_forums(person: Any) -> QuerySet[Forum]:
    """Forums whose queue and log the person sees (and can read: moderation never widens reading)."""
    from forums.rules import moderated_forums_q

    ids = Forum.objects.filter(moderated_forums_q(person)).values("pk")
    return Forum.objects.visible_to(person).filter(pk__in=ids).order_by("kind", "name")


def reports_for(person: Any, *, open_only: bool = True, forum: Forum | None = None) -> QuerySet[PostReport]:
    """Reports in the forums the person moderates, oldest open first, with the post in context."""
    forums = moderated_forums(person)
    if forum is not None:
        forums = forums.filter(pk=forum.pk)
    qs = PostReport.objects.filter(post__thread__forum__in=forums.values("pk")).select_related(
        "post",
        "post__author",
        "post__author_organisation",
        "post__thread",
        "post__thread__forum",
        "reporter",
        "resolved_by",
    )
    if open_only:
        return qs.filter(resolved_at__isnull=True).order_by("created_at", "pk")
    return qs.order_by("-created_at", "-pk")


def report_get(person: Any, pk: int) -> PostReport | None:
    """A report the person may handle (None otherwise: missing and forbidden look alike)."""
    return reports_for(person, open_only=False).filter(pk=pk).first()


def post_context(post: Post, around: int = 2) -> list[Post]:
    """The posts just before and after ``post`` in its thread: what a moderator reads it in."""
    return list(posts_qs(post.thread).filter(seq__gte=max(1, post.seq - around), seq__lte=post.seq + around))


def moderation_log_qs(person: Any, *, forum: Forum | None = None) -> QuerySet[ModerationAction]:
    """Moderator actions in the forums the person moderates, newest first."""
    forums = moderated_forums(person)
    if forum is not None:
        forums = forums.filter(pk=forum.pk)
    return (
        ModerationAction.objects.filter(forum__in=forums.values("pk"))
        .select_related("forum", "thread", "post", "actor")
        .order_by("-created_at", "-pk")
    )


def moderation_log(person: Any, *, forum: Forum | None = None, limit: int = 100) -> list[ModerationAction]:
    """The latest moderator actions in the forums the person moderates."""
    return list(moderation_log_qs(person, forum=forum)[:limit])


def manageable_forums(person: Any) -> QuerySet[Forum]:
    """Organisation forums the person may rename, share and archive (their managed organisations')."""
    from members.models import MANAGER_ROLES

    viewer = visibility.viewer_for(person)
    managed = [org for org, role in viewer.roles.items() if role in MANAGER_ROLES]
    return (
        Forum.objects.filter(kind=Forum.Kind.ORGANISATION, organisation_id__in=managed)
        .select_related("organisation")
        .prefetch_related("shared_groups")
        .order_by("organisation__name", "name")
    )


def managed_organisations(person: Any) -> QuerySet[Any]:
    """Organisations whose forums the person may open and manage (owner or admin)."""
    from members.models import MANAGER_ROLES, Organisation

    viewer = visibility.viewer_for(person)
    return Organisation.objects.filter(
        pk__in=[org for org, role in viewer.roles.items() if role in MANAGER_ROLES]
    ).order_by("name")

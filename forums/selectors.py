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

from forums.models import Forum, Post, ReadState, Subscription, Thread
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
    qs = Forum.objects.visible_to(person).select_related("working_group", "organisation")
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


def post_get(person: Any, pk: int) -> Post | None:
    return (
        Post.objects.visible_to(person)
        .select_related("thread", "thread__forum", "thread__forum__working_group", "author", "reply_to")
        .filter(pk=pk)
        .first()
    )


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

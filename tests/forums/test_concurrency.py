"""Concurrent posting to one thread from real threads with their own database connections never
produces a duplicate or missing sequence number (PostgreSQL: the thread row lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from forums import services
from forums.models import Post, Thread
from members.models import Person
from tests.forums.factories import world

WRITERS = 6
POSTS_EACH = 8


@pytest.mark.postgres  # SQLite serialises writers with its database lock
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_get_gapless_unique_sequence_numbers(settings):
    settings.FORUMS_POSTS_PER_MINUTE = 1000  # 24 posts a person at once: load, not people posting
    w = world()
    people = [w.alice, w.bob]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            person = Person.objects.get(pk=people[n % 2].pk)
            thread = Thread.objects.get(pk=w.thread.pk)
            start.wait()
            for i in range(POSTS_EACH):
                services.post_create(person=person, thread=thread, body=f"writer {n} post {i}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = 1 + WRITERS * POSTS_EACH
    seqs = list(Post.objects.filter(thread=w.thread).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    thread = Thread.objects.get(pk=w.thread.pk)
    assert (thread.last_seq, thread.post_count) == (total, total)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_client_id_store_one_post():
    w = world()
    start = threading.Barrier(4)
    results: list[int] = []

    def retry() -> None:
        try:
            person = Person.objects.get(pk=w.alice.pk)
            thread = Thread.objects.get(pk=w.thread.pk)
            start.wait()
            post, _created = services.post_create(person=person, thread=thread, body="once", client_id="same")
            results.append(post.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4 and len(set(results)) == 1
    assert Post.objects.filter(thread=w.thread, client_id="same").count() == 1

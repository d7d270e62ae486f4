"""Forums API: threads with first posts, posts paged by ``after``, edits, reactions, read state,
moderation, reports, and isolation from other organisations; query counts that do not grow."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from forums import services
from forums.models import Post, Thread
from members.models import Person
from network import visibility
from tests import factories
from tests.forums.factories import world

pytestmark = pytest.mark.django_db


def client_for(person) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


def test_create_thread_with_first_post_and_list_it_with_unread_counts():
    w = world()
    response = client_for(w.bob).post(
        "/api/v1/threads/",
        {"forum": w.forum.pk, "title": "EW clauses", "body": "Who used them?"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    thread = response.json()
    assert thread["last_seq"] == 1 and thread["unread"] == 0 and thread["subscribed"] is True
    listed = {t["id"]: t for t in client_for(w.alice).get("/api/v1/threads/").json()["results"]}
    assert listed[thread["id"]]["unread"] == 1
    forums = client_for(w.alice).get("/api/v1/forums/").json()["results"]
    assert [(f["slug"], f["unread_threads"]) for f in forums if f["kind"] != "network"] == [(w.forum.slug, 1)]


def test_thread_filters_forum_working_group_unread():
    w = world()
    services.thread_create(person=w.bob, forum=w.forum, title="Second", body="x")
    api = client_for(w.alice)
    assert len(api.get(f"/api/v1/threads/?forum={w.forum.pk}").json()["results"]) == 2
    assert len(api.get(f"/api/v1/threads/?working_group={w.group.slug}").json()["results"]) == 2
    assert len(api.get("/api/v1/threads/?working_group=nope").json()["results"]) == 0
    unread = api.get("/api/v1/threads/?unread=true").json()["results"]
    assert [t["title"] for t in unread] == ["Second"]


def test_posts_page_after_a_sequence_number():
    w = world(posts=7)
    api = client_for(w.bob)
    page = api.get(f"/api/v1/threads/{w.thread.pk}/posts/?after=2&limit=3").json()
    assert [p["seq"] for p in page["results"]] == [3, 4, 5]
    assert page["next_after"] == 5 and page["last_seq"] == 7
    rest = api.get(f"/api/v1/threads/{w.thread.pk}/posts/?after=5&limit=3").json()
    assert [p["seq"] for p in rest["results"]] == [6, 7] and rest["next_after"] is None
    assert {"seq", "body", "body_html"} <= set(rest["results"][0])
    bad = api.get(f"/api/v1/threads/{w.thread.pk}/posts/?after=x")
    assert bad.status_code == 400 and "after" in bad.json()["errors"]


def test_post_with_client_id_twice_is_stored_once():
    w = world()
    api = client_for(w.bob)
    url = f"/api/v1/threads/{w.thread.pk}/posts/"
    first = api.post(url, {"body": "Hello", "client_id": "r1"}, format="json")
    second = api.post(url, {"body": "Hello", "client_id": "r1"}, format="json")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Post.objects.filter(thread=w.thread).count() == 2


def test_locked_thread_answers_409_with_a_clear_message():
    w = world()
    assert client_for(w.moderator).post(f"/api/v1/threads/{w.thread.pk}/lock/").json()["locked"] is True
    response = client_for(w.bob).post(f"/api/v1/threads/{w.thread.pk}/posts/", {"body": "?"}, format="json")
    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    assert Post.objects.filter(thread=w.thread).count() == 1


def test_members_cannot_moderate():
    w = world()
    assert client_for(w.bob).post(f"/api/v1/threads/{w.thread.pk}/pin/").status_code == 403
    post = w.thread.posts.get()
    assert client_for(w.bob).post(f"/api/v1/posts/{post.pk}/hide/").status_code == 403
    assert client_for(w.moderator).post(f"/api/v1/posts/{post.pk}/hide/").json()["hidden"] is True


def test_empty_body_is_a_400_with_field_errors():
    w = world()
    response = client_for(w.bob).post(f"/api/v1/threads/{w.thread.pk}/posts/", {"body": ""}, format="json")
    assert response.status_code == 400 and "body" in response.json()["errors"]


def test_edit_delete_react_read_and_report():
    w = world(posts=3)
    post = w.thread.posts.get(seq=2)
    alice, bob = client_for(w.alice), client_for(w.bob)
    assert bob.patch(f"/api/v1/posts/{post.pk}/", {"body": "x"}, format="json").status_code == 403
    edited = alice.patch(f"/api/v1/posts/{post.pk}/", {"body": "Better **words**"}, format="json").json()
    assert "<strong>words</strong>" in edited["body_html"] and edited["edited_at"]
    reacted = bob.post(f"/api/v1/posts/{post.pk}/reactions/", {"code": "heart"}, format="json").json()
    assert reacted == {"code": "heart", "reacted": True, "reactions": {"heart": 1}}
    assert bob.post(f"/api/v1/posts/{post.pk}/reactions/", {"code": "nope"}, format="json").status_code == 400
    assert bob.post(f"/api/v1/threads/{w.thread.pk}/read/", {"seq": 2}, format="json").json() == {
        "last_read_seq": 2
    }
    assert bob.get(f"/api/v1/threads/{w.thread.pk}/").json()["unread"] == 1
    report = bob.post(f"/api/v1/posts/{post.pk}/report/", {"reason": "spam"}, format="json")
    assert report.status_code == 201
    removed = alice.delete(f"/api/v1/posts/{post.pk}/")
    assert removed.status_code == 200 and removed.json()["removed"] and removed.json()["body"] == ""
    seqs = [p["seq"] for p in bob.get(f"/api/v1/threads/{w.thread.pk}/posts/").json()["results"]]
    assert seqs == [1, 2, 3]  # the removed post keeps its place


def test_anonymous_cannot_write():
    w = world(group_visibility="public")
    response = client_for(None).post(f"/api/v1/threads/{w.thread.pk}/posts/", {"body": "hi"}, format="json")
    assert response.status_code in (401, 403)
    # but reads the public group's forum
    assert client_for(None).get(f"/api/v1/threads/{w.thread.pk}/posts/").status_code == 200


# --- isolation: another organisation's forum is invisible on every read path -------------------


def test_forums_list_hides_group_forum_from_other_organisation():
    w = world()
    listed = client_for(w.mallory).get("/api/v1/forums/").json()["results"]
    assert [f["kind"] for f in listed] == ["network"]  # the network forum only
    assert client_for(w.mallory).get(f"/api/v1/forums/{w.forum.pk}/").status_code == 404


def test_threads_list_and_detail_hide_thread_from_other_organisation():
    w = world()
    api = client_for(w.mallory)
    assert api.get("/api/v1/threads/").json()["results"] == []
    assert api.get(f"/api/v1/threads/{w.thread.pk}/").status_code == 404


def test_posts_are_404_from_other_organisation():
    w = world()
    api = client_for(w.mallory)
    post = w.thread.posts.get()
    assert api.get(f"/api/v1/threads/{w.thread.pk}/posts/").status_code == 404
    assert api.post(f"/api/v1/threads/{w.thread.pk}/posts/", {"body": "x"}, format="json").status_code == 404
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/posts/{post.pk}/reactions/", {"code": "heart"}, format="json").status_code == 404
    )
    assert api.post(f"/api/v1/posts/{post.pk}/report/", {"reason": "x"}, format="json").status_code == 404
    assert api.post(f"/api/v1/threads/{w.thread.pk}/read/", {}, format="json").status_code == 404


def test_thread_create_in_forum_from_other_organisation_is_404():
    w = world()
    response = client_for(w.mallory).post(
        "/api/v1/threads/", {"forum": w.forum.pk, "title": "x", "body": "y"}, format="json"
    )
    assert response.status_code == 404
    assert Thread.objects.filter(forum=w.forum).count() == 1


def test_private_organisation_forum_from_other_organisation():
    w = world()
    own = services.forum_create(organisation=w.outsider_org, name="Elsewhere internal")
    services.thread_create(person=w.mallory, forum=own, title="Internal", body="budget")
    forums = client_for(w.alice).get("/api/v1/forums/").json()["results"]
    assert [f["slug"] for f in forums if f["kind"] != "network"] == [w.forum.slug]
    titles = [t["title"] for t in client_for(w.alice).get("/api/v1/threads/").json()["results"]]
    assert "Internal" not in titles


def test_network_forum_needs_a_verified_organisation():
    w = world()
    network = services.network_forum_ensure(organisation=w.convener_org)
    services.thread_create(person=w.moderator, forum=network, title="Hello network", body="hi")
    unverified = factories.member(factories.organisation("Unverified town", verified=False))
    assert client_for(unverified).get("/api/v1/threads/").json()["results"] == []
    assert "Hello network" in [
        t["title"] for t in client_for(w.mallory).get("/api/v1/threads/").json()["results"]
    ]


# --- query counts -------------------------------------------------------------------------------


def _count_queries(django_assert_max_num_queries, fn, limit):
    for person in Person.objects.all():  # resolve the viewer fresh each time, as a new request does
        visibility.forget(person)
    with django_assert_max_num_queries(limit) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_thread_list_query_count_does_not_grow_with_threads(django_assert_max_num_queries):
    w = world()
    api = client_for(w.alice)
    few = _count_queries(django_assert_max_num_queries, lambda: api.get("/api/v1/threads/"), 10)
    for n in range(8):
        services.thread_create(person=w.bob, forum=w.forum, title=f"T{n}", body="x")
    api = client_for(w.alice)
    many = _count_queries(django_assert_max_num_queries, lambda: api.get("/api/v1/threads/"), 10)
    assert many == few


def test_posts_list_query_count_does_not_grow_with_posts(django_assert_max_num_queries):
    w = world(posts=2)
    url = f"/api/v1/threads/{w.thread.pk}/posts/"
    bob = Person.objects.get(pk=w.bob.pk)
    few = _count_queries(django_assert_max_num_queries, lambda: client_for(bob).get(url), 10)
    for n in range(10):
        services.post_create(
            person=w.alice, thread=w.thread, body=f"reply {n}", reply_to=w.thread.posts.first()
        )
        services.reaction_toggle(person=w.bob, post=w.thread.posts.last(), code="eyes")
    bob = Person.objects.get(pk=w.bob.pk)
    many = _count_queries(django_assert_max_num_queries, lambda: client_for(bob).get(url), 10)
    assert many == few


def test_forum_list_query_count_does_not_grow(django_assert_max_num_queries):
    w = world()
    few = _count_queries(django_assert_max_num_queries, lambda: client_for(w.alice).get("/api/v1/forums/"), 8)
    for n in range(4):
        services.forum_create(organisation=w.member_org, name=f"Internal {n}")
    many = _count_queries(
        django_assert_max_num_queries, lambda: client_for(w.alice).get("/api/v1/forums/"), 8
    )
    assert many == few


def test_anonymous_thread_filters_do_not_fail():
    w = world(group_visibility="public")
    api = client_for(None)
    for query in ("unread=true", "subscribed=true", "subscribed=false", f"forum={w.forum.pk}"):
        assert api.get(f"/api/v1/threads/?{query}").status_code == 200
    assert api.get("/api/v1/threads/1e-06/posts/").status_code == 404


def test_a_new_post_answers_as_it_reads_back_without_reading_it_back(django_assert_max_num_queries):
    """The 201 body is the post exactly as the posts list then shows it (organisation, reply and
    all), built from the post just stored: nothing is read back after the service's commit."""
    w = world(posts=2)
    api = client_for(w.bob)
    url = f"/api/v1/threads/{w.thread.pk}/posts/"
    first = Post.objects.filter(thread=w.thread).order_by("seq").first()
    api.post(url, {"body": "warm-up"}, format="json")  # one-time look-ups (content types, ...)
    with django_assert_max_num_queries(60) as ctx:
        response = api.post(url, {"body": "Replying **here**", "reply_to": first.pk}, format="json")
    queries = [q["sql"] for q in ctx.captured_queries]  # before the next request resets the log
    assert response.status_code == 201, response.json()
    created = response.json()
    listed = {p["id"]: p for p in api.get(f"{url}?after=0&limit=50").json()["results"]}
    assert created == listed[created["id"]]
    assert created["author"]["organisation"] and created["reply_to_seq"] == first.seq
    stored = max(i for i, sql in enumerate(queries) if sql.startswith("UPDATE") and "forums_readstate" in sql)
    read_back = [
        sql for sql in queries[stored + 1 :] if 'FROM "forums_post"' in sql or 'FROM "forums_reaction"' in sql
    ]
    # The search index update reads the post once, for the document (network.search.indexing).
    assert len(read_back) <= 1, read_back

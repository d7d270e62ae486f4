"""Forum pages: index with unread counts, forum page, thread page, and the plain-HTML (no JS)
reply, moderation and report flows; isolation and query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from forums import services
from forums.models import Post, PostReport
from members.models import Person
from network import visibility
from tests.forums.factories import world

pytestmark = pytest.mark.django_db


def browser(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def test_index_lists_forums_with_unread_counts():
    w = world()
    page = browser(w.bob).get("/forums/")
    assert page.status_code == 200
    html = page.content.decode()
    assert w.forum.name in html and "1 with new posts" in html


def test_thread_page_shows_posts_marks_read_and_shows_the_unread_marker():
    w = world(posts=3)
    services.thread_mark_read(person=w.bob, thread=w.thread, seq=1)
    html = browser(w.bob).get(f"/forums/t/{w.thread.pk}/").content.decode()
    assert 'id="post-3"' in html and 'data-last-seq="3"' in html
    assert 'id="unread-marker"' in html and html.index("unread-marker") < html.index('id="post-2"')
    assert "forums/thread.js" in html and "<script>" not in html
    html = browser(w.bob).get(f"/forums/t/{w.thread.pk}/").content.decode()
    assert 'id="unread-marker"' not in html  # read now


def test_reply_without_javascript_posts_and_redirects_once_on_double_submit():
    w = world()
    client = browser(w.bob)
    form = {"body": "Plain **form** reply", "client_id": "form-1"}
    first = client.post(f"/forums/t/{w.thread.pk}/reply/", form)
    second = client.post(f"/forums/t/{w.thread.pk}/reply/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"].endswith("#post-2") and second["Location"].endswith("#post-2")
    assert Post.objects.filter(thread=w.thread).count() == 2


def test_reply_to_locked_thread_keeps_the_text_and_says_why():
    w = world()
    services.thread_moderate(person=w.moderator, thread=w.thread, action="lock")
    response = browser(w.bob).post(f"/forums/t/{w.thread.pk}/reply/", {"body": "My careful words"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "This thread is locked" in html and "My careful words" in html


def test_empty_reply_shows_a_form_error():
    w = world()
    response = browser(w.bob).post(f"/forums/t/{w.thread.pk}/reply/", {"body": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_new_thread_form():
    w = world()
    response = browser(w.bob).post(
        f"/forums/{w.forum.slug}/new/", {"title": "Spare parts", "body": "5 years?"}
    )
    assert response.status_code == 302
    assert browser(w.bob).get(response["Location"]).status_code == 200


def test_moderator_locks_and_hides_through_forms_members_cannot():
    w = world()
    post = w.thread.posts.get()
    assert browser(w.bob).post(f"/forums/t/{w.thread.pk}/moderate/", {"action": "lock"}).status_code == 403
    assert (
        browser(w.moderator).post(f"/forums/t/{w.thread.pk}/moderate/", {"action": "lock"}).status_code == 302
    )
    assert browser(w.moderator).post(f"/forums/p/{post.pk}/hide/", {"hidden": "1"}).status_code == 302
    html = browser(w.bob).get(f"/forums/t/{w.thread.pk}/").content.decode()
    assert "hidden by a moderator" in html and "First post" not in html


def test_report_form():
    w = world()
    post = w.thread.posts.get()
    client = browser(w.bob)
    assert client.get(f"/forums/p/{post.pk}/report/").status_code == 200
    assert client.post(f"/forums/p/{post.pk}/report/", {"reason": "Off topic"}).status_code == 302
    assert PostReport.objects.filter(post=post, reporter=w.bob).exists()


def test_edit_form_by_author():
    w = world()
    post = w.thread.posts.get()
    assert browser(w.bob).get(f"/forums/p/{post.pk}/edit/").status_code == 403
    assert browser(w.alice).post(f"/forums/p/{post.pk}/edit/", {"body": "Changed"}).status_code == 302
    post.refresh_from_db()
    assert post.body == "Changed"


def test_pages_are_404_from_other_organisation():
    w = world()
    client = browser(w.mallory)
    post = w.thread.posts.get()
    assert w.forum.name not in client.get("/forums/").content.decode()
    assert client.get(f"/forums/{w.forum.slug}/").status_code == 404
    assert client.get(f"/forums/t/{w.thread.pk}/").status_code == 404
    assert client.post(f"/forums/t/{w.thread.pk}/reply/", {"body": "x"}).status_code == 404
    assert client.get(f"/forums/p/{post.pk}/report/").status_code == 404
    assert client.post(f"/forums/p/{post.pk}/react/", {"code": "heart"}).status_code == 404
    assert client.post(f"/forums/{w.forum.slug}/new/", {"title": "x", "body": "y"}).status_code == 404


def test_anonymous_reads_a_public_group_forum_but_cannot_post():
    w = world(group_visibility="public")
    client = browser(None)
    html = client.get(f"/forums/t/{w.thread.pk}/").content.decode()
    assert "First post" in html and "Sign in to take part" in html
    assert client.post(f"/forums/t/{w.thread.pk}/reply/", {"body": "x"}).status_code == 302  # to log-in
    assert Post.objects.filter(thread=w.thread).count() == 1


def _page_queries(django_assert_max_num_queries, client, url, limit=25):
    for person in Person.objects.all():
        visibility.forget(person)
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_forum_page_query_count_does_not_grow(django_assert_max_num_queries):
    w = world()
    client = browser(w.bob)
    url = f"/forums/{w.forum.slug}/"
    few = _page_queries(django_assert_max_num_queries, client, url)
    for n in range(6):
        services.thread_create(person=w.alice, forum=w.forum, title=f"T{n}", body="x")
    assert _page_queries(django_assert_max_num_queries, client, url) == few


def test_thread_page_query_count_does_not_grow(django_assert_max_num_queries):
    w = world()
    client = browser(w.bob)
    url = f"/forums/t/{w.thread.pk}/"
    client.get(url)
    few = _page_queries(django_assert_max_num_queries, client, url)
    for n in range(6):
        post, _ = services.post_create(
            person=w.alice, thread=w.thread, body=f"p{n}", reply_to=w.thread.posts.first()
        )
        services.reaction_toggle(person=w.bob, post=post, code="tada")
    client.get(url)
    assert _page_queries(django_assert_max_num_queries, client, url) == few


def test_post_fragment_renders_the_readers_own_controls():
    w = world()
    post = w.thread.posts.get(seq=1)  # Alice's
    services.reaction_toggle(person=w.bob, post=post, code="heart")
    as_bob = browser(w.bob).get(f"/forums/p/{post.pk}/").content.decode()
    assert as_bob.startswith("<li") and 'id="post-1"' in as_bob
    assert "Report" in as_bob and f"/forums/p/{post.pk}/edit/" not in as_bob
    assert 'title="Heart"' in as_bob and "> thumbs_up<" not in as_bob and 'aria-pressed="true"' in as_bob
    as_alice = browser(w.alice).get(f"/forums/p/{post.pk}/").content.decode()
    assert f"/forums/p/{post.pk}/edit/" in as_alice
    as_finn = browser(w.bob)
    as_finn.cookies["django_language"] = "fi"
    assert 'title="Sydän"' in as_finn.get(f"/forums/p/{post.pk}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()


def test_post_fragment_from_other_organisation():
    w = world()
    post = w.thread.posts.get(seq=1)
    assert browser(w.mallory).get(f"/forums/p/{post.pk}/").status_code == 404
    assert browser(None).get(f"/forums/p/{post.pk}/").status_code == 404

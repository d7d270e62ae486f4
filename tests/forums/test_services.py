"""Forum services: sequence numbers, idempotent retries, locking, mentions, replies, moderation,
soft delete, read state, and events sent only after commit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from forums import payloads, services
from forums.models import Mention, Post, PostReport, ReadState, Subscription, Thread
from forums.payloads import thread_group
from network.models import Notification
from tests import factories
from tests.forums.factories import world

pytestmark = pytest.mark.django_db

HOSTILE = """<script>alert(1)</script>
<img src=x onerror="alert(2)">
[click](javascript:alert(3))
<a href="https://example.org" onclick="alert(4)">x</a>
[ok](https://example.org/clauses)
"""


@pytest.fixture
def sent(monkeypatch):
    """Capture channel-layer sends (they happen only when a transaction commits)."""
    calls = []

    def record(group, message):
        calls.append((group, message))

    monkeypatch.setattr("network.realtime.send_now", record)
    monkeypatch.setattr("network.notifications.send_now", record)
    return calls


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the on-commit callbacks of what happens inside, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_posts_are_numbered_one_by_one_per_thread():
    w = world(posts=3)
    other = services.thread_create(person=w.bob, forum=w.forum, title="Other", body="one")
    assert list(Post.objects.filter(thread=w.thread).values_list("seq", flat=True)) == [1, 2, 3]
    assert list(Post.objects.filter(thread=other).values_list("seq", flat=True)) == [1]
    w.thread.refresh_from_db()
    assert (w.thread.last_seq, w.thread.post_count) == (3, 3)


def test_hostile_markdown_renders_inert():
    w = world()
    post, _ = services.post_create(person=w.alice, thread=w.thread, body=HOSTILE)
    tags = parsed_tags(post.body_html)
    names = {name for name, _attrs in tags}
    assert not names & {"script", "img", "iframe", "object"}
    attributes = [(k, v or "") for _name, attrs in tags for k, v in attrs]
    assert not [k for k, _v in attributes if k.startswith("on")]
    assert not [v for k, v in attributes if k == "href" and not v.startswith("https://")]
    assert ("a", [("href", "https://example.org/clauses"), ("rel", "nofollow noopener")]) in tags
    assert "&lt;script&gt;" in post.body_html  # shown as text, not run


def parsed_tags(html: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, sorted(attrs)))

    Collector().feed(html)
    return found


def test_locked_thread_refuses_posts_with_a_clear_error():
    w = world()
    services.thread_moderate(person=w.moderator, thread=w.thread, action="lock")
    with pytest.raises(services.ThreadLocked, match="locked"):
        services.post_create(person=w.alice, thread=w.thread, body="Anyone?")
    assert Post.objects.filter(thread=w.thread).count() == 1


def test_moderator_may_still_post_in_a_locked_thread():
    w = world()
    services.thread_moderate(person=w.moderator, thread=w.thread, action="lock")
    post, created = services.post_create(person=w.moderator, thread=w.thread, body="Closing note")
    assert created and post.seq == 2


def test_member_cannot_lock_or_hide():
    w = world()
    with pytest.raises(PermissionDenied):
        services.thread_moderate(person=w.bob, thread=w.thread, action="lock")
    post = w.thread.posts.get(seq=1)
    with pytest.raises(PermissionDenied):
        services.post_set_hidden(person=w.bob, post=post)


def test_retry_with_the_same_client_id_stores_one_post(sent, committed):
    w = world()
    with committed():
        first, created = services.post_create(person=w.alice, thread=w.thread, body="Once", client_id="abc")
    with committed():
        again, created_again = services.post_create(
            person=w.alice, thread=w.thread, body="Once", client_id="abc"
        )
    assert created and not created_again and first.pk == again.pk
    assert Post.objects.filter(thread=w.thread).count() == 2
    assert [m["kind"] for g, m in sent if g == thread_group(w.thread.pk)] == ["post.created"]


def test_thread_create_retry_with_client_id_returns_the_same_thread():
    w = world()
    one = services.thread_create(person=w.bob, forum=w.forum, title="TCO", body="gen 10?", client_id="t1")
    two = services.thread_create(person=w.bob, forum=w.forum, title="TCO", body="gen 10?", client_id="t1")
    assert one.pk == two.pk
    assert Thread.objects.filter(forum=w.forum, title="TCO").count() == 1


def test_empty_or_oversized_body_is_refused_and_nothing_stored():
    w = world()
    with pytest.raises(ValidationError) as exc:
        services.post_create(person=w.alice, thread=w.thread, body="   ")
    assert "body" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.post_create(person=w.alice, thread=w.thread, body="x" * 20_001)
    assert Post.objects.filter(thread=w.thread).count() == 1


def test_outsider_cannot_post_or_read_from_other_organisation():
    w = world()
    with pytest.raises(Http404):
        services.post_create(person=w.mallory, thread=w.thread, body="hi")
    with pytest.raises(Http404):
        services.thread_create(person=w.mallory, forum=w.forum, title="x", body="y")


def test_public_group_forum_is_readable_by_all_but_only_members_post():
    w = world(group_visibility="public")
    assert w.forum.visibility == "public"
    with pytest.raises(PermissionDenied):
        services.post_create(person=w.mallory, thread=w.thread, body="hi")


def test_mentions_notify_readers_only_and_replies_notify_the_author(sent, committed):
    w = world()
    first = w.thread.posts.get(seq=1)
    with committed():
        post, _ = services.post_create(
            person=w.bob,
            thread=w.thread,
            body="Thanks @Maria Moderator and @alice — also @mallory who cannot read this",
            reply_to=first,
        )
    mentioned = set(Mention.objects.filter(post=post).values_list("person__email", flat=True))
    assert mentioned == {w.moderator.email, "alice@testville.example"}
    kinds = set(Notification.objects.values_list("recipient__email", "kind"))
    assert (w.moderator.email, "forum.mention") in kinds
    assert ("alice@testville.example", "forum.mention") in kinds  # mention wins over reply: one note
    assert not Notification.objects.filter(recipient=w.mallory).exists()
    assert any(g == f"person.{w.moderator.pk}" for g, _m in sent)


def test_reply_notifies_the_replied_to_author():
    w = world()
    first = w.thread.posts.get(seq=1)
    services.post_create(person=w.bob, thread=w.thread, body="Good point", reply_to=first)
    note = Notification.objects.get(recipient=w.alice)
    assert note.kind == "forum.reply" and note.url.endswith("#post-2")


def test_reply_to_a_post_of_another_thread_is_refused():
    w = world()
    other = services.thread_create(person=w.bob, forum=w.forum, title="Other", body="one")
    with pytest.raises(ValidationError):
        services.post_create(person=w.alice, thread=w.thread, body="x", reply_to=other.posts.get().pk)


def test_posting_subscribes_and_marks_own_post_read():
    w = world()
    services.post_create(person=w.bob, thread=w.thread, body="me too")
    assert Subscription.objects.filter(person=w.bob, thread=w.thread).exists()
    assert ReadState.objects.get(person=w.bob, thread=w.thread).last_read_seq == 2


def test_read_watermark_only_moves_forward_and_is_capped():
    w = world(posts=4)
    assert services.thread_mark_read(person=w.bob, thread=w.thread, seq=3) == 3
    assert services.thread_mark_read(person=w.bob, thread=w.thread, seq=1) == 3
    assert services.thread_mark_read(person=w.bob, thread=w.thread, seq=99) == 4


def test_removed_post_keeps_its_place_and_loses_its_words(sent, committed):
    w = world(posts=2)
    post = w.thread.posts.get(seq=2)
    with pytest.raises(PermissionDenied):
        services.post_remove(person=w.bob, post=post)
    with committed():
        services.post_remove(person=w.alice, post=post)
    post.refresh_from_db()
    assert post.seq == 2 and post.is_removed
    event = [payloads.decode(m) for g, m in sent if m.get("type") == "forum.event"][-1]
    assert event["type"] == "post.deleted"
    assert event["post"]["seq"] == 2 and event["post"]["body"] == "" and event["post"]["removed"]


def test_edit_by_author_only_sends_post_updated(sent, committed):
    w = world()
    post = w.thread.posts.get(seq=1)
    with pytest.raises(PermissionDenied):
        services.post_edit(person=w.bob, post=post, body="hijack")
    with committed():
        services.post_edit(person=w.alice, post=post, body="Edited *text*")
    post.refresh_from_db()
    assert post.edited_at and "<em>text</em>" in post.body_html
    event = [payloads.decode(m) for g, m in sent if m.get("type") == "forum.event"][-1]
    assert event["type"] == "post.updated" and event["post"]["seq"] == 1


def test_hidden_post_is_blank_in_events_and_resolves_reports():
    w = world()
    post = w.thread.posts.get(seq=1)
    services.post_report(person=w.bob, post=post, reason="Off topic")
    services.post_report(person=w.bob, post=post, reason="Again")  # a second report is the same one
    assert PostReport.objects.filter(post=post).count() == 1
    assert Notification.objects.filter(recipient=w.moderator, kind="forum.report").count() == 1
    services.post_set_hidden(person=w.moderator, post=post)
    assert PostReport.objects.get(post=post).resolved_by == w.moderator


def test_reactions_toggle_from_a_fixed_set():
    w = world()
    post = w.thread.posts.get(seq=1)
    assert services.reaction_toggle(person=w.bob, post=post, code="thumbs_up") is True
    assert services.reaction_toggle(person=w.bob, post=post, code="thumbs_up") is False
    with pytest.raises(ValidationError):
        services.reaction_toggle(person=w.bob, post=post, code="poop")


def test_events_are_sent_only_after_commit(sent, django_capture_on_commit_callbacks):
    w = world()
    sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_create(person=w.alice, thread=w.thread, body="pending")
    assert sent == []  # nothing rung while the transaction is open
    for callback in callbacks:
        callback()
    assert [m["kind"] for g, m in sent if g == thread_group(w.thread.pk)] == ["post.created"]


def test_group_forum_needs_a_convener():
    group = factories.working_group("No conveners")
    with pytest.raises(ValidationError):
        services.group_forum_ensure(group=group)

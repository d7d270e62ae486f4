"""The thread socket through the real ASGI stack (origin check, session auth, router): live
delivery, resume without loss or duplicates, access, limits.

Tests taking the ``layer`` fixture run on both channel layers (in-memory and channels-redis); the
rest run on the layer the settings choose (in-memory on SQLite runs, Redis on the PostgreSQL run)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from forums import services
from forums.models import Post
from members.models import GroupMembership
from network.asgi import application
from tests.forums.factories import world, ws_headers

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(person, thread_id: int, **kwargs) -> WebsocketCommunicator:
    headers = await sync_to_async(ws_headers)(person, **kwargs)
    communicator = WebsocketCommunicator(application, f"/ws/threads/{thread_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=30)
    assert connected
    return communicator


CHATTER = {"hello", "presence", "typing", "ping"}


async def next_of(communicator, kind: str, timeout: float = 30, also_skip: set[str] = frozenset()) -> dict:
    """The next event of ``kind``, skipping presence/hello/typing chatter (and ``also_skip``)."""
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        if event["type"] == kind:
            return event
        assert event["type"] in CHATTER | also_skip, event


async def drain(communicator, kinds=("hello", "presence")) -> None:
    while not await communicator.receive_nothing(timeout=0.05):
        event = await communicator.receive_json_from()
        assert event["type"] in kinds, event


async def closed_with(communicator, timeout: float = 30) -> int:
    while True:
        output = await communicator.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


def http_post(person, thread_id: int, body: str) -> dict:
    client = APIClient()
    client.force_authenticate(person)
    response = client.post(f"/api/v1/threads/{thread_id}/posts/", {"body": body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


async def test_post_over_http_reaches_the_other_client_promptly(layer):
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    bob = await connect(w.bob, w.thread.pk)
    await drain(alice)
    await drain(bob)
    loop = asyncio.get_running_loop()
    started = loop.time()
    created = await sync_to_async(http_post)(
        w.alice, w.thread.pk, "Has anyone used **TCO Certified** gen 10?"
    )
    event = await next_of(bob, "post.created")
    elapsed = loop.time() - started
    assert event["post"]["seq"] == created["seq"] == 2
    assert "<strong>TCO Certified</strong>" in event["post"]["body_html"]
    assert event["post"]["author"]["name"] == "Alice Andersson"
    assert elapsed < 2
    await alice.disconnect()
    await bob.disconnect()


async def test_reconnect_with_resume_receives_exactly_the_missed_posts_in_order_once(layer):
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)
    await sync_to_async(http_post)(w.alice, w.thread.pk, "seen live")
    seen = (await next_of(bob, "post.created"))["post"]["seq"]
    await bob.disconnect()
    for n in range(5):
        await sync_to_async(http_post)(w.alice, w.thread.pk, f"missed {n}")
    bob = await connect(w.bob, w.thread.pk)
    await bob.send_json_to({"type": "resume", "after": seen})
    got = []
    while True:
        event = await bob.receive_json_from(timeout=30)
        if event["type"] == "resume.done":
            break
        if event["type"] == "post.created":
            got.append(event["post"])
    assert [p["seq"] for p in got] == [seen + 1, seen + 2, seen + 3, seen + 4, seen + 5]
    assert [p["body"] for p in got] == [f"missed {n}" for n in range(5)]
    assert await bob.receive_nothing(timeout=0.2) or (await bob.receive_json_from())["type"] == "presence"
    # live events continue after the replay, without repeating it
    await sync_to_async(http_post)(w.alice, w.thread.pk, "live again")
    event = await next_of(bob, "post.created")
    assert event["post"]["seq"] == seen + 6
    await bob.disconnect()


async def test_posts_committed_during_a_replay_arrive_once_and_in_order(layer, monkeypatch):
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)
    import forums.selectors

    real_posts_after = forums.selectors.posts_after
    calls = []

    def racing_posts_after(thread, after, limit):
        # Two posts commit just before the replay reads (they are in the replay AND rung live),
        # two just after (they are only rung live, and must follow the replay).
        if not calls:
            for n in range(2):
                services.post_create(person=w.alice, thread=thread, body=f"before read {n}")
        calls.append(after)
        result = real_posts_after(thread, after, limit)
        if len(calls) == 1:
            for n in range(2):
                services.post_create(person=w.alice, thread=thread, body=f"after read {n}")
        return result

    monkeypatch.setattr(forums.selectors, "posts_after", racing_posts_after)
    await bob.send_json_to({"type": "resume", "after": 0})
    seqs = []
    while len(seqs) < 5:  # wait on the events themselves, not on a quiet period
        event = await next_of(bob, "post.created", timeout=30, also_skip={"resume.done"})
        seqs.append(event["post"]["seq"])
    assert seqs == [1, 2, 3, 4, 5]
    # Nothing came twice: the next post.created is a new post, seq 6.
    created = await sync_to_async(http_post)(w.alice, w.thread.pk, "after the replay")
    event = await next_of(bob, "post.created", timeout=30, also_skip={"resume.done"})
    assert event["post"]["seq"] == created["seq"] == 6
    await bob.disconnect()


async def test_live_posts_before_a_resume_are_not_sent_again_by_it():
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)
    for n in range(2):
        await sync_to_async(http_post)(w.alice, w.thread.pk, f"live {n}")
    await bob.send_json_to({"type": "resume", "after": 0})
    seqs = []
    while (event := await bob.receive_json_from(timeout=30))["type"] != "resume.done":
        if event["type"] == "post.created":
            seqs.append(event["post"]["seq"])
    assert sorted(seqs) == [1, 2, 3] and len(seqs) == 3
    await bob.disconnect()


async def test_resume_in_the_handshake_replays_before_live_events():
    w = await sync_to_async(world)(posts=4)
    headers = await sync_to_async(ws_headers)(w.bob)
    bob = WebsocketCommunicator(application, f"/ws/threads/{w.thread.pk}/?after=2", headers=headers)
    assert (await bob.connect(timeout=30))[0]
    seqs = []
    while (event := await bob.receive_json_from(timeout=30))["type"] != "resume.done":
        if event["type"] == "post.created":
            seqs.append(event["post"]["seq"])
    assert seqs == [3, 4]
    await bob.disconnect()


async def test_dropped_channel_layer_messages_are_recovered_by_resume(layer, monkeypatch):
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)
    import network.realtime

    monkeypatch.setattr(network.realtime, "get_channel_layer", lambda: None)  # the doorbell breaks
    for n in range(3):
        await sync_to_async(http_post)(w.alice, w.thread.pk, f"lost bell {n}")
    monkeypatch.undo()
    while not await bob.receive_nothing(timeout=0.3):  # nothing but chatter reached the socket
        assert (await bob.receive_json_from())["type"] in CHATTER
    await bob.send_json_to({"type": "resume", "after": 1})
    seqs = []
    while (event := await bob.receive_json_from(timeout=30))["type"] != "resume.done":
        if event["type"] == "post.created":
            seqs.append(event["post"]["seq"])
    assert seqs == [2, 3, 4]
    await bob.disconnect()


async def test_member_of_other_organisation_cannot_subscribe_from_other_organisation(layer):
    w = await sync_to_async(world)()
    communicator = await connect(w.mallory, w.thread.pk)
    assert await closed_with(communicator) == 4403


async def test_missing_thread_is_refused_like_a_forbidden_one():
    w = await sync_to_async(world)()
    communicator = await connect(w.alice, w.thread.pk + 999)
    assert await closed_with(communicator) == 4403


async def test_anonymous_socket_is_refused():
    w = await sync_to_async(world)()
    communicator = await connect(None, w.thread.pk)
    assert await closed_with(communicator) == 4401


async def test_socket_from_a_foreign_origin_is_refused():
    w = await sync_to_async(world)()
    headers = await sync_to_async(ws_headers)(w.alice, origin="https://evil.example")
    communicator = WebsocketCommunicator(application, f"/ws/threads/{w.thread.pk}/", headers=headers)
    connected, _ = await communicator.connect(timeout=30)
    assert not connected


async def test_socket_is_closed_when_the_organisation_leaves_the_working_group(layer):
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)

    def leave():
        GroupMembership.objects.filter(group=w.group, organisation=w.member_org).update(
            status=GroupMembership.Status.DECLINED
        )
        # .update() sends no signal; the members service saves the row, which does:
        membership = GroupMembership.objects.get(group=w.group, organisation=w.member_org)
        membership.save()
        services.post_create(person=w.moderator, thread=w.thread, body="after they left")

    await sync_to_async(leave)()
    outputs = []
    while True:
        output = await bob.receive_output(timeout=3)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert outputs[-1]["code"] == 4403
    assert all("after they left" not in str(o) for o in outputs)


async def test_socket_is_closed_when_the_membership_row_is_deleted():
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)
    await sync_to_async(GroupMembership.objects.filter(organisation=w.member_org).delete)()
    assert await closed_with(bob) == 4403


async def test_oversized_message_is_rejected_with_an_error_event():
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice)
    await alice.send_json_to({"type": "post", "body": "x" * 17_000, "client_id": "big"})
    event = await next_of(alice, "error")
    assert event["code"] == "too_large"
    assert await sync_to_async(Post.objects.filter(client_id="big").count)() == 0
    await alice.disconnect()


async def test_post_over_the_socket_with_client_id_is_stored_once_on_retry():
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice)
    message = {"type": "post", "body": "Contract clause 4.2 attached", "client_id": "c-123"}
    await alice.send_json_to(message)
    first = await next_of(alice, "post.ack", also_skip={"post.created"})
    await alice.send_json_to(message)
    second = await next_of(alice, "post.ack", also_skip={"post.created"})
    assert first["seq"] == second["seq"] == 2
    assert first["created"] and not second["created"]
    assert await sync_to_async(Post.objects.filter(thread=w.thread).count)() == 2
    await alice.disconnect()


async def test_locked_thread_refuses_a_socket_post_with_a_clear_error():
    w = await sync_to_async(world)()
    await sync_to_async(services.thread_moderate)(person=w.moderator, thread=w.thread, action="lock")
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice)
    await alice.send_json_to({"type": "post", "body": "hello?", "client_id": "x"})
    event = await next_of(alice, "error")
    assert event["code"] == "locked"
    assert "locked" in event["message"]
    await alice.disconnect()


async def test_typing_and_presence_reach_other_viewers():
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice)
    bob = await connect(w.bob, w.thread.pk)
    presence = await next_of(alice, "presence")
    if presence["viewers"] == ["Alice Andersson"]:  # her own join, when it came after the drain
        presence = await next_of(alice, "presence")
    assert presence["viewers"] == ["Alice Andersson", "Bob Berg"]
    await drain(bob)
    await bob.send_json_to({"type": "typing"})
    await bob.send_json_to({"type": "typing"})  # rate-limited: one broadcast
    typing = await next_of(alice, "typing")
    assert typing["name"] == "Bob Berg"
    assert await alice.receive_nothing(timeout=0.2)
    await bob.disconnect()
    presence = await next_of(alice, "presence")
    assert presence["viewers"] == ["Alice Andersson"]
    await alice.disconnect()


async def test_heartbeat_pings_and_answers_pings(settings):
    settings.FORUMS_HEARTBEAT_SECONDS = 0.1
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await alice.send_json_to({"type": "ping"})
    await next_of(alice, "pong")
    await next_of(alice, "ping")
    await alice.disconnect()


async def test_message_flood_is_rate_limited(settings):
    settings.FORUMS_SOCKET_MESSAGES_PER_10S = 5
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice)
    for _ in range(6):
        await alice.send_json_to({"type": "ping"})
    kinds = []
    while len(kinds) < 6:
        kind = (await alice.receive_json_from(timeout=2))["type"]
        if kind not in CHATTER:
            kinds.append(kind)
    assert kinds.count("pong") == 5
    assert kinds[-1] == "error"
    await alice.disconnect()

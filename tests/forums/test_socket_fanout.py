"""What keeps a busy thread's sockets alive and cheap: presence coalescing (O(K) messages for K
joins), group re-join and database catch-up on the heartbeat (a lost doorbell is recovered), a
heartbeat that ends quietly when its client has gone, and live events that cost no query."""

from __future__ import annotations

import asyncio
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db.backends import utils as db_utils
from uvicorn.protocols.utils import ClientDisconnected

from forums import payloads, presence, services
from forums.consumers import ThreadConsumer
from members.models import Role
from tests import factories
from tests.forums.factories import world
from tests.forums.test_thread_socket import connect, drain, http_post, next_of

pytestmark = pytest.mark.django_db(transaction=True)


def _readers(w, k: int) -> list:
    return [
        factories.member(
            w.member_org, Role.MEMBER, name=f"Reader {i:02}", email=f"reader{i}@testville.example"
        )
        for i in range(k)
    ]


async def _presence_until(communicator, count: int, timeout: float = 30) -> list[dict]:
    """Presence events received until one says ``count`` people are here (waits on the event, not on
    a quiet period, so a slow machine makes the test slower, not red)."""
    seen = []
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        assert event["type"] in ("hello", "presence"), event
        if event["type"] == "presence":
            seen.append(event)
            if event["count"] == count:
                return seen


async def test_connecting_k_clients_costs_o_k_presence_messages(settings, layer):
    settings.FORUMS_PRESENCE_INTERVAL_SECONDS = 1.0
    k = 16
    w = await sync_to_async(world)()
    people = await sync_to_async(_readers)(w, k)
    sockets = await asyncio.gather(*(connect(p, w.thread.pk) for p in people))
    presence = await asyncio.gather(*(_presence_until(s, k) for s in sockets))
    total = sum(len(p) for p in presence)
    # One full list per join to everyone would be k(k+1)/2 = 136; coalesced it is a few per socket.
    assert total <= 4 * k, total
    for got in presence:
        assert got[-1]["count"] == k
        assert len(got[-1]["viewers"]) == k and got[-1]["viewers"] == sorted(got[-1]["viewers"])
    for s in sockets[1:]:
        await s.disconnect()
    leaves = await _presence_until(sockets[0], 1)
    assert leaves[-1]["viewers"] == ["Reader 00"]
    assert len(leaves) <= 4  # 15 leaves, coalesced
    await sockets[0].disconnect()


async def test_presence_names_are_capped_but_counted(settings, monkeypatch):
    settings.FORUMS_PRESENCE_INTERVAL_SECONDS = 0.1
    monkeypatch.setattr("forums.presence.MAX_NAMES", 3)
    w = await sync_to_async(world)()
    people = await sync_to_async(_readers)(w, 5)
    sockets = [await connect(p, w.thread.pk) for p in people]
    final = (await _presence_until(sockets[0], 5))[-1]
    assert final == {"type": "presence", "count": 5, "viewers": ["Reader 00", "Reader 01", "Reader 02"]}
    for s in sockets:
        await s.disconnect()


async def test_typing_from_several_people_is_one_flush(settings):
    # Long enough that the six typing messages below fall in one flush window even on a slow machine.
    settings.FORUMS_PRESENCE_INTERVAL_SECONDS = 2.0
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    bob = await connect(w.bob, w.thread.pk)
    moderator = await connect(w.moderator, w.thread.pk)
    for s in (alice, bob, moderator):
        await _presence_until(s, 3)
    with mock.patch.object(get_channel_layer(), "group_send", wraps=get_channel_layer().group_send) as spy:
        for _ in range(3):
            await bob.send_json_to({"type": "typing"})
            await moderator.send_json_to({"type": "typing"})
        names = {(await next_of(alice, "typing"))["name"], (await next_of(alice, "typing"))["name"]}
    assert names == {"Bob Berg", "Maria Moderator"}
    typing_sends = [c for c in spy.call_args_list if c.args[1]["type"] == "forum.typing"]
    assert len(typing_sends) == 1
    for s in (alice, bob, moderator):
        await s.disconnect()


async def test_a_lost_doorbell_is_caught_up_on_the_heartbeat(settings, layer):
    settings.FORUMS_HEARTBEAT_SECONDS = 0.1
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice, kinds=("hello", "presence", "ping"))  # a 0.1 s heartbeat pings at once
    with mock.patch("forums.payloads.send_on_commit"):  # committed, but the doorbell never rings
        await sync_to_async(services.post_create)(person=w.bob, thread=w.thread, body="Silent post")
    event = await next_of(alice, "post.created", also_skip={"resume.done"})
    assert event["post"]["seq"] == 2 and event["post"]["body"] == "Silent post" and event["replay"]
    # …and the next live post is not sent twice.
    created = await sync_to_async(http_post)(w.bob, w.thread.pk, "Loud post")
    event = await next_of(alice, "post.created", also_skip={"resume.done"})
    assert event["post"]["seq"] == created["seq"] == 3
    # The next post is the next event: seq 3 did not come a second time in between.
    created = await sync_to_async(http_post)(w.bob, w.thread.pk, "Next post")
    event = await next_of(alice, "post.created", also_skip={"resume.done"})
    assert event["post"]["seq"] == created["seq"] == 4
    await alice.disconnect()


async def test_a_socket_dropped_from_its_groups_rejoins_on_the_heartbeat(settings, layer):
    """A layer drops a channel from its groups (the in-memory layer does when a message to it
    expires unread); the heartbeat puts it back, so live events flow again, not only catch-ups.

    Waits on events, not sleeps: a beat sends its ping, then re-joins; so after the second ping the
    first beat's re-join is done. The probe is a live-only event (an edit sent to the group): a new
    post would also reach the socket through the heartbeat's database catch-up, which is what made
    this test flaky (the catch-up sometimes won the race against the live doorbell)."""
    settings.FORUMS_HEARTBEAT_SECONDS = 0.1
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice, kinds=("hello", "presence", "ping"))  # a 0.1 s heartbeat pings at once
    group = payloads.thread_group(w.thread.pk)
    (channel,) = presence._registry()[w.thread.pk].viewers  # this process's one viewer
    await get_channel_layer().group_discard(group, channel)
    await next_of(alice, "ping", timeout=30)
    await next_of(alice, "ping", timeout=30)
    post = await sync_to_async(lambda: w.thread.posts.select_related("author", "reply_to").get(seq=1))()
    payload = await sync_to_async(payloads.post_payload)(post)
    await get_channel_layer().group_send(
        group, payloads.group_message({"type": "post.updated", "post": payload})
    )
    event = await next_of(alice, "post.updated", timeout=30)
    assert event["post"]["seq"] == 1
    await alice.disconnect()


async def test_heartbeat_after_the_client_has_gone_raises_nothing(settings):
    settings.FORUMS_HEARTBEAT_SECONDS = 0.01
    w = await sync_to_async(world)()
    consumer = ThreadConsumer()
    consumer.person, consumer.thread_id = w.alice, w.thread.pk
    consumer.group = payloads.thread_group(w.thread.pk)
    consumer.channel_layer = get_channel_layer()
    consumer.channel_name = await consumer.channel_layer.new_channel()

    async def gone(message):
        raise ClientDisconnected

    consumer.base_send = gone
    await asyncio.wait_for(consumer._heartbeat(), 2)  # returns, instead of raising
    assert consumer.closing


async def test_disconnect_leaves_no_heartbeat_task_behind(settings):
    settings.FORUMS_HEARTBEAT_SECONDS = 0.05
    loop = asyncio.get_running_loop()
    problems = []
    loop.set_exception_handler(lambda loop, context: problems.append(context))
    try:
        w = await sync_to_async(world)()
        alice = await connect(w.alice, w.thread.pk)
        await next_of(alice, "ping")
        await alice.disconnect()  # returns once the consumer has finished, heartbeat awaited
        beating = [t for t in asyncio.all_tasks() if t.get_name().startswith("forums-heartbeat")]
        assert not beating
        assert not problems
    finally:
        loop.set_exception_handler(None)


async def test_a_live_post_event_costs_no_query_per_socket(monkeypatch):
    w = await sync_to_async(world)()
    sockets = [await connect(p, w.thread.pk) for p in (w.alice, w.bob, w.moderator)]
    for s in sockets:
        await drain(s)
    post = await sync_to_async(lambda: w.thread.posts.select_related("author", "reply_to").get(seq=1))()
    payload = await sync_to_async(payloads.post_payload)(post)
    message = payloads.group_message({"type": "post.updated", "post": payload})
    queries = []
    original = db_utils.CursorWrapper.execute

    def counting(self, sql, params=None):
        queries.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", counting)
    await get_channel_layer().group_send(payloads.thread_group(w.thread.pk), message)
    for s in sockets:
        event = await next_of(s, "post.updated")
        assert event["post"]["seq"] == 1
    assert queries == []
    monkeypatch.undo()
    for s in sockets:
        await s.disconnect()

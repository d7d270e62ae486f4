"""The per-process hub (:mod:`forums.hub`): one channel-layer subscription per thread and process,
a local loop to the sockets, a slow socket dropped to resume, the last socket out unsubscribing, and
access revoked mid-stream — through the real ASGI stack, on the in-memory layer and on Redis.

Every wait is on an event (a frame, a close, a finished unsubscription), never on a quiet period."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from forums import hub as hub_module
from forums import payloads, services
from forums.hub import CLOSE_TOO_SLOW, Hub, hub_for
from members.models import GroupMembership
from network.asgi import application
from network.realtime import person_group
from tests.forums.factories import world, ws_headers
from tests.forums.test_thread_socket import closed_with, connect, drain, next_of

pytestmark = pytest.mark.django_db(transaction=True)


async def group_channels(group: str) -> set[str]:
    """The channels in a group, as the layer itself has them."""
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # in-memory
        return set(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return {name.decode() for name in await connection.zrange(layer._group_key(group), 0, -1)}


async def unsubscribed() -> None:
    """Wait for the unsubscriptions under way to finish."""
    await asyncio.gather(*list(hub_module._closing), return_exceptions=True)


def post(person: Any, thread: Any, body: str) -> int:
    return services.post_create(person=person, thread=thread, body=body)[0].seq


class Recorder:
    """A socket of another server process: what its hub hands it."""

    closing = False

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    def hub_offer(self, message: dict[str, Any], prepared: Any = None) -> None:
        self.got.append(message)
        self.arrived.set()


async def test_a_post_is_one_layer_message_per_process_whatever_its_sockets(layer, monkeypatch):
    w = await sync_to_async(world)()
    channel_layer = get_channel_layer()
    received: list[tuple[str, dict[str, Any]]] = []
    real_receive = channel_layer.receive

    async def counting_receive(channel: str) -> dict[str, Any]:
        message = await real_receive(channel)
        received.append((channel, message))
        return message

    monkeypatch.setattr(channel_layer, "receive", counting_receive)
    people = [w.alice, w.bob, w.moderator, w.alice]  # a person may have two tabs open
    sockets = await asyncio.gather(*(connect(p, w.thread.pk) for p in people))
    for s in sockets:
        await drain(s)
    group = payloads.thread_group(w.thread.pk)
    room = hub_for(channel_layer).rooms[group]
    assert len(room.sockets) == 4
    assert await group_channels(group) == {room.channel}  # the sockets themselves are not in it
    # A second server process: a hub of its own on the same layer, one socket.
    other = Hub(channel_layer)
    elsewhere = Recorder()
    await other.join(group, elsewhere)
    other_channel = other.rooms[group].channel
    assert await group_channels(group) == {room.channel, other_channel}

    seq = await sync_to_async(post)(w.bob, w.thread, "One bell for everyone")
    for s in sockets:
        event = await next_of(s, "post.created")
        assert event["post"]["seq"] == seq and event["post"]["body"] == "One bell for everyone"
    await asyncio.wait_for(elsewhere.arrived.wait(), 30)
    bells = [channel for channel, m in received if m.get("type") == "forum.event" and m.get("seq") == seq]
    assert sorted(bells) == sorted([room.channel, other_channel])  # one per process, not one per socket
    assert [m["seq"] for m in elsewhere.got if m.get("type") == "forum.event"] == [seq]
    other.leave(group, elsewhere)
    for s in sockets:
        await s.disconnect()


async def test_sockets_connecting_at_once_share_one_subscription(layer):
    w = await sync_to_async(world)()
    sockets = await asyncio.gather(*(connect(p, w.thread.pk) for p in [w.alice, w.bob, w.moderator] * 3))
    group = payloads.thread_group(w.thread.pk)
    room = hub_for(get_channel_layer()).rooms[group]
    assert len(room.sockets) == 9
    assert await group_channels(group) == {room.channel}
    for s in sockets:
        await s.disconnect()


async def test_the_last_socket_out_ends_the_process_subscription(layer):
    w = await sync_to_async(world)()
    group = payloads.thread_group(w.thread.pk)
    hub = hub_for(get_channel_layer())
    alice = await connect(w.alice, w.thread.pk)
    bob = await connect(w.bob, w.thread.pk)
    channel = hub.rooms[group].channel
    await alice.disconnect()
    await unsubscribed()
    assert hub.rooms[group].channel == channel and await group_channels(group) == {channel}
    await bob.disconnect()
    await unsubscribed()
    assert group not in hub.rooms
    assert await group_channels(group) == set()
    assert person_group(w.bob.pk) not in hub.rooms
    # …and the next socket subscribes afresh and hears the next post.
    bob = await connect(w.bob, w.thread.pk)
    await drain(bob)
    assert await group_channels(group) == {hub.rooms[group].channel} != {channel}
    seq = await sync_to_async(post)(w.alice, w.thread, "After the room was empty")
    assert (await next_of(bob, "post.created"))["post"]["seq"] == seq
    await bob.disconnect()


class Gate:
    """An ASGI wrapper whose sends wait while the gate is shut: a client that stops reading, as
    the server sees one (uvicorn's ``send`` waits while the socket's write buffer is full)."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()
        self.waiting = 0

    def __call__(self, app: Any) -> Any:
        async def gated(scope: dict, receive: Any, send: Any) -> None:
            async def slow_send(message: dict) -> None:
                if not self.open.is_set():
                    self.waiting += 1
                    await self.open.wait()
                await send(message)

            await app(scope, receive, slow_send)

        return gated


async def _seqs_until_closed(communicator: WebsocketCommunicator) -> tuple[list[int], int]:
    seqs = []
    while True:
        output = await communicator.receive_output(timeout=30)
        if output["type"] == "websocket.close":
            return seqs, output.get("code")
        event = payloads.decode({"text": output["text"]})
        if event["type"] == "post.created":
            seqs.append(event["post"]["seq"])


async def test_a_slow_socket_is_dropped_and_resumes_without_loss(settings):
    settings.FORUMS_SOCKET_BACKLOG = 3
    w = await sync_to_async(world)()
    group = payloads.thread_group(w.thread.pk)
    gate = Gate()
    headers = await sync_to_async(ws_headers)(w.bob)
    slow = WebsocketCommunicator(gate(application), f"/ws/threads/{w.thread.pk}/", headers=headers)
    assert (await slow.connect(timeout=30))[0]
    await drain(slow)
    fast = await connect(w.alice, w.thread.pk)
    await drain(fast)
    room = hub_for(get_channel_layer()).rooms[group]
    (bob_socket,) = [s for s in room.sockets if s.person.pk == w.bob.pk]

    gate.open.clear()  # Bob's client stops reading
    seqs = [await sync_to_async(post)(w.alice, w.thread, f"Flood {n}") for n in range(6)]
    for seq in seqs:  # the reader that keeps up is not held up by the one that does not
        assert (await next_of(fast, "post.created"))["post"]["seq"] == seq
    assert bob_socket.closing and bob_socket not in room.sockets
    assert not bob_socket._backlog  # what waited for him is freed
    assert gate.waiting == 1  # one frame was being written; nothing else was attempted

    gate.open.set()  # he reads again: the frame in flight, then the close that tells him to resume
    got, code = await _seqs_until_closed(slow)
    assert code == CLOSE_TOO_SLOW
    assert got == seqs[: len(got)] and len(got) <= 1
    last_seen = got[-1] if got else seqs[0] - 1
    await slow.disconnect()  # the client answers the close

    headers = await sync_to_async(ws_headers)(w.bob)
    resumed = WebsocketCommunicator(
        application, f"/ws/threads/{w.thread.pk}/?after={last_seen}", headers=headers
    )
    assert (await resumed.connect(timeout=30))[0]
    replayed = []
    while (event := await resumed.receive_json_from(timeout=30))["type"] != "resume.done":
        if event["type"] == "post.created":
            replayed.append(event["post"]["seq"])
    assert got + replayed == seqs  # every post once, in order
    seq = await sync_to_async(post)(w.alice, w.thread, "Live again")
    assert (await next_of(resumed, "post.created"))["post"]["seq"] == seq
    await resumed.disconnect()
    await fast.disconnect()


async def test_access_revoked_mid_stream_closes_that_socket_only(layer):
    w = await sync_to_async(world)()
    group = payloads.thread_group(w.thread.pk)
    bob = await connect(w.bob, w.thread.pk)
    moderator = await connect(w.moderator, w.thread.pk)
    for s in (bob, moderator):
        await drain(s)
    before = await sync_to_async(post)(w.moderator, w.thread, "Before they left")
    for s in (bob, moderator):
        assert (await next_of(s, "post.created"))["post"]["seq"] == before

    def leave_and_post() -> int:
        membership = GroupMembership.objects.get(group=w.group, organisation=w.member_org)
        membership.status = GroupMembership.Status.DECLINED
        membership.save()  # the signal asks Bob's sockets to re-check
        return post(w.moderator, w.thread, "After they left")

    after = await sync_to_async(leave_and_post)()
    outputs = []
    while (output := await bob.receive_output(timeout=30))["type"] != "websocket.close":
        outputs.append(output)
    assert output["code"] == 4403
    assert all("After they left" not in str(o) for o in outputs)
    assert (await next_of(moderator, "post.created"))["post"]["seq"] == after
    hub = hub_for(get_channel_layer())
    assert [s.person.pk for s in hub.rooms[group].sockets] == [w.moderator.pk]
    assert person_group(w.bob.pk) not in hub.rooms
    again = await sync_to_async(post)(w.moderator, w.thread, "Still live for the convener")
    assert (await next_of(moderator, "post.created"))["post"]["seq"] == again
    await moderator.disconnect()


async def test_a_recheck_for_the_whole_thread_reaches_every_socket_of_the_room(layer):
    """A forum's visibility changes: the thread's group gets one re-check, every socket asks."""
    w = await sync_to_async(world)()
    bob = await connect(w.bob, w.thread.pk)
    moderator = await connect(w.moderator, w.thread.pk)
    for s in (bob, moderator):
        await drain(s)

    def member_org_out() -> None:
        # .update() sends no signal: only the thread-wide re-check tells the sockets
        GroupMembership.objects.filter(group=w.group, organisation=w.member_org).update(
            status=GroupMembership.Status.DECLINED
        )
        payloads.send_access_recheck(payloads.thread_group(w.thread.pk))

    await sync_to_async(member_org_out)()
    assert await closed_with(bob) == 4403
    seq = await sync_to_async(post)(w.moderator, w.thread, "Conveners only")
    assert (await next_of(moderator, "post.created"))["post"]["seq"] == seq
    await moderator.disconnect()


async def test_a_room_dropped_from_its_group_rejoins_on_the_heartbeat(settings, layer):
    settings.FORUMS_HEARTBEAT_SECONDS = 0.1
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    await drain(alice, kinds=("hello", "presence", "ping"))
    group = payloads.thread_group(w.thread.pk)
    room = hub_for(get_channel_layer()).rooms[group]
    await get_channel_layer().group_discard(group, room.channel)
    for _ in range(3):  # a beat pings, then re-joins: after the third ping, a re-join has run
        await next_of(alice, "ping", timeout=30)
    assert await group_channels(group) == {room.channel}
    post_row = await sync_to_async(lambda: w.thread.posts.select_related("author", "reply_to").get(seq=1))()
    payload = await sync_to_async(payloads.post_payload)(post_row)
    await get_channel_layer().group_send(
        group, payloads.group_message({"type": "post.updated", "post": payload})
    )
    assert (await next_of(alice, "post.updated", timeout=30))["post"]["seq"] == 1
    await alice.disconnect()

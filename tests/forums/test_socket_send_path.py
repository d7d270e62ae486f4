"""What a thread socket costs per frame and per beat (issue 21): data frames go through the
server's own ``send`` (below Channels' session wrapper and the layer-outage wrapper), accept and
close still through the wrappers; socket database hops reuse one SQLite connection; heartbeats are
spread; a beat does not make presence rewrite the shared map; access re-checks are batched.

Every wait is on an event (a frame, a close), never on a quiet period or a clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.backends import utils as db_utils
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from forums import payloads, presence, selectors, services
from forums.consumers import beat_delay
from members.models import GroupMembership
from network.asgi import application
from network.realtime import ServerSendMiddleware, socket_database_sync_to_async
from tests import factories
from tests.forums.factories import world, ws_headers
from tests.forums.test_thread_socket import closed_with, connect, drain, next_of

pytestmark = pytest.mark.django_db(transaction=True)


class SpyWrapper:
    """Stands where Channels' session wrapper stands (between the server and the consumer) and
    records the type of every message the consumer sends through it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seen: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def spying_send(message: dict[str, Any]) -> None:
            self.seen.append(message["type"])
            await send(message)

        await self.inner(scope, receive, spying_send)


async def test_data_frames_pass_below_the_wrappers_accept_and_close_through_them():
    """Hello, the live post and the heartbeat-free frames reach the client without passing the
    wrapper; the accept and the 4403 close (access revoked) pass it, so the session and the
    outage handling still see every message they act on."""
    w = await sync_to_async(world)()
    stack = application.application_mapping["websocket"]
    assert isinstance(stack, ServerSendMiddleware)
    spy = SpyWrapper(stack.inner)
    app = ServerSendMiddleware(spy)
    headers = await sync_to_async(ws_headers)(w.bob)
    bob = WebsocketCommunicator(app, f"/ws/threads/{w.thread.pk}/", headers=headers)
    connected, _ = await bob.connect(timeout=30)
    assert connected
    assert (await next_of(bob, "hello", also_skip={"presence"}))["thread"]["id"] == w.thread.pk
    seq = (await sync_to_async(services.post_create)(person=w.alice, thread=w.thread, body="Below"))[0].seq
    assert (await next_of(bob, "post.created"))["post"]["seq"] == seq
    assert spy.seen == ["websocket.accept"]

    def bob_org_out() -> None:
        membership = GroupMembership.objects.get(group=w.group, organisation=w.member_org)
        membership.status = GroupMembership.Status.DECLINED
        membership.save()  # the signal asks Bob's sockets to re-check

    await sync_to_async(bob_org_out)()
    assert await closed_with(bob) == 4403
    assert spy.seen == ["websocket.accept", "websocket.close"]
    await bob.disconnect()


@pytest.mark.database("sqlite")  # PostgreSQL connections come from the pool
async def test_socket_hops_keep_their_sqlite_connection(monkeypatch):
    """Channels' hop closes the connection after every call (one SQLite connection opened per
    handshake or heartbeat query); a socket hop keeps it, and Channels' own hops on the same
    thread (session and user look-ups) then reuse it instead of opening their own. Counted are the
    wrapper's connects, whether the connection is opened or taken from the backend's pool
    (network/sqlite/base.py)."""
    opened = []
    original = SQLiteWrapper.connect

    def counting(self):
        opened.append(self.alias)
        return original(self)

    def query() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    await database_sync_to_async(lambda: connection.close())()  # an earlier test's socket hop kept one open
    monkeypatch.setattr(SQLiteWrapper, "connect", counting)
    for _ in range(3):
        await socket_database_sync_to_async(query)()
    await database_sync_to_async(query)()  # a Channels hop after a socket hop
    assert len(opened) == 1  # one connection, where every hop opened its own


def test_heartbeats_are_spread():
    """The first beat falls anywhere in half to one and a half intervals, later ones within ±10 %,
    so sockets that connected together do not beat together."""
    firsts = [beat_delay(20, first=True) for _ in range(200)]
    later = [beat_delay(20, first=False) for _ in range(200)]
    assert all(10 <= d <= 30 for d in firsts) and max(firsts) - min(firsts) > 5
    assert all(18 <= d <= 22 for d in later) and len(set(later)) > 100


async def test_a_heartbeat_does_not_rewrite_unchanged_presence(settings, monkeypatch):
    """A beat re-registers the socket's viewer; when it is already listed, the flush has nothing
    to publish (the shared map is rewritten on the refresh period, not on every beat of every
    socket)."""
    settings.FORUMS_HEARTBEAT_SECONDS = 0.05
    settings.FORUMS_PRESENCE_INTERVAL_SECONDS = 0.01
    published = []
    original = presence.publish

    def counting(*args: Any, **kwargs: Any) -> dict[str, Any]:
        published.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(presence, "publish", counting)
    w = await sync_to_async(world)()
    alice = await connect(w.alice, w.thread.pk)
    try:
        await next_of(alice, "presence")
        await next_of(alice, "ping")
        before = len(published)
        for _ in range(4):  # four more beats, each re-registering alice's viewer
            await next_of(alice, "ping")
        assert len(published) == before
    finally:
        await alice.disconnect()


def test_batched_read_check_answers_as_thread_get_for_each_person():
    """The batched re-check is the read rule itself: each person gets what ``thread_get`` with
    fresh roles says, outsiders and people whose organisation left the group included."""
    w = world()
    stranger = factories.member(w.outsider_org, name="Olga Outsider", email="olga@elsewhere.example")
    people = [w.alice, w.bob, w.moderator, w.mallory, stranger, AnonymousUser()]
    expected = [selectors.thread_get(p, w.thread.pk, fresh=True) is not None for p in people]
    assert selectors.thread_readable_by(people, w.thread.pk) == expected
    assert True in expected and False in expected
    membership = GroupMembership.objects.get(group=w.group, organisation=w.member_org)
    membership.status = GroupMembership.Status.DECLINED
    membership.save()
    expected = [selectors.thread_get(p, w.thread.pk, fresh=True) is not None for p in people]
    assert selectors.thread_readable_by(people, w.thread.pk) == expected
    assert expected[:3] == [False, False, True]


async def test_a_thread_wide_recheck_costs_queries_per_kind_of_reader_not_per_socket(monkeypatch):
    """Eight sockets of one organisation re-check together: one batch (or two, when some arrive
    while the first runs) of a few queries each, where one by one it was four queries a socket."""
    w = await sync_to_async(world)()
    people = await sync_to_async(
        lambda: [
            factories.member(w.member_org, name=f"Reader {i}", email=f"reader{i}@testville.example")
            for i in range(8)
        ]
    )()
    sockets = [await connect(p, w.thread.pk) for p in people]
    for s in sockets:
        await drain(s)
    queries = []
    original = db_utils.CursorWrapper.execute

    def counting(self, sql, params=None):
        queries.append(sql)
        return original(self, sql, params)

    def member_org_out() -> None:
        GroupMembership.objects.filter(group=w.group, organisation=w.member_org).update(
            status=GroupMembership.Status.DECLINED
        )

    await sync_to_async(member_org_out)()
    monkeypatch.setattr(db_utils.CursorWrapper, "execute", counting)
    await sync_to_async(payloads.send_access_recheck)(payloads.thread_group(w.thread.pk))
    for s in sockets:
        assert await closed_with(s) == 4403
    monkeypatch.undo()
    assert 0 < len(queries) <= 8, queries


def test_batched_connect_check_answers_as_thread_get_for_each_person():
    """The connect-time check of many sockets at once gives each person what ``thread_get`` with
    fresh roles gives: the thread (read once) where they may read it, nothing where they may not."""
    w = world()
    people = [w.alice, w.mallory, w.bob, AnonymousUser()]
    thread, readable = selectors.thread_for_readers(people, w.thread.pk)
    assert readable == [selectors.thread_get(p, w.thread.pk, fresh=True) is not None for p in people]
    assert readable == [True, False, True, False]
    assert thread is not None and thread.pk == w.thread.pk and thread.forum_id == w.thread.forum_id
    assert selectors.thread_for_readers([w.mallory], w.thread.pk) == (None, [False])
    assert selectors.thread_for_readers([w.alice], w.thread.pk + 999) == (None, [False])


async def test_sockets_connecting_together_are_checked_each_from_other_organisation(layer):
    """Sockets that connect at the same moment share one batched access check, and each gets its
    own answer: the readers their hello, the member of another organisation a 4403 (missing and
    forbidden alike), in whatever order the batch held them."""
    w = await sync_to_async(world)()
    people = [w.alice, w.mallory, w.bob, w.mallory, w.alice]
    sockets = await asyncio.gather(*(connect(p, w.thread.pk) for p in people))
    try:
        for person, socket in zip(people, sockets, strict=True):
            if person is w.mallory:
                assert await closed_with(socket) == 4403
            else:
                hello = await next_of(socket, "hello")
                assert hello["thread"]["id"] == w.thread.pk
                assert hello["thread"]["last_seq"] == w.thread.last_seq
    finally:
        for person, socket in zip(people, sockets, strict=True):
            if person is not w.mallory:
                await socket.disconnect()

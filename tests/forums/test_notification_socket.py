"""The per-person notifications socket carries mentions and replies as they are created."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from forums import services
from network.asgi import application
from tests.forums.factories import world, ws_headers

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(person) -> WebsocketCommunicator:
    headers = await sync_to_async(ws_headers)(person)
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    assert (await communicator.connect(timeout=30))[0]
    return communicator


async def test_mention_and_reply_arrive_on_the_notifications_socket(layer):
    w = await sync_to_async(world)()
    alice = await open_socket(w.alice)
    assert (await alice.receive_json_from(timeout=3)) == {"type": "hello", "unread": 0}
    await sync_to_async(services.post_create)(
        person=w.bob, thread=w.thread, body="What do you think, @Alice Andersson?"
    )
    event = await alice.receive_json_from(timeout=3)
    assert event["type"] == "notification.created"
    assert event["notification"]["kind"] == "forum.mention"
    assert event["notification"]["url"].endswith("#post-2")
    first = await sync_to_async(w.thread.posts.get)(seq=1)
    await sync_to_async(services.post_create)(person=w.bob, thread=w.thread, body="Also this", reply_to=first)
    event = await alice.receive_json_from(timeout=3)
    assert event["notification"]["kind"] == "forum.reply"
    await alice.disconnect()


async def test_notifications_socket_refuses_anonymous():
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    assert (await communicator.connect(timeout=30))[0]
    output = await communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4401, "reason": None} or output.get("code") == 4401


async def test_notifications_of_another_person_do_not_arrive_from_other_organisation():
    w = await sync_to_async(world)()
    mallory = await open_socket(w.mallory)
    await mallory.receive_json_from(timeout=3)
    await sync_to_async(services.post_create)(
        person=w.bob, thread=w.thread, body="@Alice Andersson and @Mallory Outsider"
    )
    assert await mallory.receive_nothing(timeout=0.5)
    await mallory.disconnect()

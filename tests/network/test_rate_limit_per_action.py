"""One rate limit per action, whatever the surface (#18).

Posting used to be limited 20 a minute on the socket, 60 on the API and not at all on the pages;
signing only on the API. Now ``network.ratelimit`` declares each action's limit once and the
action's service checks it, so a person who mixes surfaces meets one counter.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.test import APIClient

from forums.models import Post
from knowledge.statements.models import Signature
from network import ratelimit
from network.asgi import application
from tests.forums.factories import world, ws_headers
from tests.statements import factories as sf


def _page_reply(client: Client, thread, body: str):
    return client.post(f"/forums/t/{thread.pk}/reply/", {"body": body})


def _api_reply(api: APIClient, thread, body: str):
    return api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": body}, format="json")


def test_every_action_is_declared_once():
    assert {"post", "sign", "report"} <= set(ratelimit.ACTIONS)
    with pytest.raises(ValueError):
        ratelimit.declare("post", limit=1, seconds=1, message="again")


@pytest.mark.django_db
def test_pages_and_api_share_one_posting_limit(settings):
    settings.FORUMS_POSTS_PER_MINUTE = 3
    w = world()
    client, api = Client(), APIClient()
    client.force_login(w.bob)
    api.force_authenticate(w.bob)
    assert _page_reply(client, w.thread, "one").status_code == 302
    assert _api_reply(api, w.thread, "two").status_code == 201
    assert _page_reply(client, w.thread, "three").status_code == 302
    refused_api = _api_reply(api, w.thread, "four")
    assert refused_api.status_code == 429
    assert "posting too fast" in refused_api.json()["detail"]
    refused_page = _page_reply(client, w.thread, "five")
    assert refused_page.status_code == 429
    assert "posting too fast" in refused_page.content.decode()
    assert "five" in refused_page.content.decode(), "the text stays in the form"
    assert Post.objects.filter(author=w.bob).count() == 3


@pytest.mark.django_db(transaction=True)
async def test_the_socket_meets_the_limit_the_pages_used(settings):
    settings.FORUMS_POSTS_PER_MINUTE = 2
    w = await sync_to_async(world)()

    def post_twice_on_the_page() -> None:
        client = Client()
        client.force_login(w.bob)
        for body in ("page one", "page two"):
            assert _page_reply(client, w.thread, body).status_code == 302

    await sync_to_async(post_twice_on_the_page)()
    headers = await sync_to_async(ws_headers)(w.bob)
    socket = WebsocketCommunicator(application, f"/ws/threads/{w.thread.pk}/", headers=headers)
    connected, _ = await socket.connect(timeout=30)
    assert connected
    await socket.send_json_to({"type": "post", "body": "socket three", "client_id": "s3"})
    while (event := await socket.receive_json_from(timeout=30))["type"] != "error":
        assert event["type"] in {"hello", "presence", "typing", "ping", "post.created"}, event
    assert event["code"] == "rate_limited" and event["client_id"] == "s3"
    assert not await sync_to_async(Post.objects.filter(body="socket three").exists)()
    await socket.disconnect()


@pytest.mark.django_db
def test_page_and_api_share_one_signing_limit(settings, client, api_client):
    settings.STATEMENTS_SIGNS_PER_MINUTE = 1
    first, second = sf.open_statement(), sf.open_statement()
    person, org = sf.signatory()
    client.force_login(person)
    page = client.post(
        f"/statements/{first.slug}/sign/",
        {"organisation": org.pk, "step": "confirm", "idempotency_key": "k1"},
    )
    assert page.status_code == 302 and Signature.objects.count() == 1
    api_client.force_authenticate(person)
    refused = api_client.post(
        f"/api/v1/statements/{second.slug}/signatures/", {"organisation": org.slug}, format="json"
    )
    assert refused.status_code == 429 and "Too many signatures" in refused.json()["detail"]
    again = client.post(
        f"/statements/{second.slug}/sign/",
        {"organisation": org.pk, "step": "confirm", "idempotency_key": "k2"},
        follow=True,
    )
    assert "Too many signatures" in again.content.decode()
    assert Signature.objects.count() == 1


@pytest.mark.django_db
def test_a_replay_of_the_same_signature_does_not_count(settings, client):
    settings.STATEMENTS_SIGNS_PER_MINUTE = 1
    statement = sf.open_statement()
    person, org = sf.signatory()
    client.force_login(person)
    data = {"organisation": org.pk, "step": "confirm", "idempotency_key": "same"}
    assert client.post(f"/statements/{statement.slug}/sign/", data).status_code == 302
    replay = client.post(f"/statements/{statement.slug}/sign/", data, follow=True)
    assert "already recorded" in replay.content.decode()


def test_loaders_are_exempt(settings):
    settings.FORUMS_POSTS_PER_MINUTE = 1
    with ratelimit.exempt():
        for _ in range(3):
            ratelimit.POST.check("loader")
    ratelimit.POST.check("loader")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.POST.check("loader")

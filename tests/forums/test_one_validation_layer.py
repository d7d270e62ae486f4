"""One validation layer for forums (#18): a forum's, a thread's and a post's rules are declared on
the models; the page's form and the API report the same message, and refused input stores nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from forums import services
from forums.models import Forum, Post, Thread
from members.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

LONG_BODY = "b" * 20_001


@pytest.fixture
def world():
    org = factories.organisation("City of Turku", slug="turku")
    owner = factories.member(org, Role.OWNER)
    forum = services.organisation_forum_create(
        actor=owner, organisation=org, data=services.ForumData(name="Laptops")
    )
    return org, owner, forum


def _clients(person) -> tuple[Client, APIClient]:
    page, api = Client(), APIClient()
    page.force_login(person)
    api.force_authenticate(person)
    return page, api


def _form_errors(response, status: int = 400) -> dict[str, list[str]]:
    assert response.status_code == status, response.status_code
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def _api_errors(response, status: int = 400) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    return response.json()["errors"]


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"name": " "}, {"name": ["Give the forum a name."]}),
        ({"name": "n" * 201}, {"name": ["A name can be at most 200 characters."]}),
        ({"description": "d" * 5001}, {"description": ["A description can be at most 5000 characters."]}),
        ({"visibility": "group"}, {"shared_groups": ["Name the working groups to share it with."]}),
        ({"name": "LAPTOPS"}, {"name": ["City of Turku already has a forum called “LAPTOPS”."]}),
    ],
)
def test_a_forum_rule_speaks_the_same_on_the_page_and_in_the_api(world, values, errors):
    """The same words on both surfaces; a name another forum has is a conflict with the current
    state (409 in the API), every other rule is about the input (400)."""
    org, owner, forum = world
    page, api = _clients(owner)
    body = {"name": "Monitors", "description": "", "visibility": "private", **values}
    status = 409 if "LAPTOPS" in values.values() else 400
    assert _form_errors(page.post("/forums/new/", {"organisation": org.pk, **body})) == errors
    assert (
        _api_errors(api.post("/api/v1/forums/", {"organisation": "turku", **body}, format="json"), status)
        == errors
    )
    assert Forum.objects.filter(organisation=org).count() == 1

    if "LAPTOPS" in values.values():
        return  # renaming a forum to its own name in capitals is no clash
    before = Forum.objects.filter(pk=forum.pk).values().get()
    assert _form_errors(page.post(f"/forums/{forum.slug}/manage/", body)) == errors
    # a PATCH to group visibility keeps the stored (no) groups: a state rule, 409 (network.sharing)
    patched = 409 if values == {"visibility": "group"} else 400
    assert _api_errors(api.patch(f"/api/v1/forums/{forum.pk}/", values, format="json"), patched) == errors
    assert Forum.objects.filter(pk=forum.pk).values().get() == before


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"title": ""}, {"title": ["Give the thread a title."]}),
        ({"title": "t" * 201}, {"title": ["A title can be at most 200 characters."]}),
        ({"body": " "}, {"body": ["Write a message."]}),
        (
            {"title": "", "body": LONG_BODY},
            {"title": ["Give the thread a title."], "body": ["A message can be at most 20000 characters."]},
        ),
    ],
)
def test_a_thread_rule_speaks_the_same_on_the_page_and_in_the_api(world, values, errors):
    org, _owner, forum = world
    page, api = _clients(factories.member(org))
    body = {"title": "Spare parts", "body": "Who buys them?", **values}
    assert _form_errors(page.post(f"/forums/{forum.slug}/new/", body)) == errors
    assert _api_errors(api.post("/api/v1/threads/", {"forum": forum.pk, **body}, format="json")) == errors
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [(" ", "Write a message."), (LONG_BODY, "A message can be at most 20000 characters.")],
)
def test_a_post_rule_speaks_the_same_on_the_page_and_in_the_api_and_an_edit_keeps_the_post(
    world, body, message
):
    org, _owner, forum = world
    member = factories.member(org)
    thread = services.thread_create(person=member, forum=forum, title="Spare parts", body="Who buys them?")
    page, api = _clients(member)
    assert _form_errors(page.post(f"/forums/t/{thread.pk}/reply/", {"body": body})) == {"body": [message]}
    assert _api_errors(api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": body}, format="json")) == {
        "body": [message]
    }
    assert Post.objects.filter(thread=thread).count() == 1

    post = Post.objects.get(thread=thread)
    assert _form_errors(page.post(f"/forums/p/{post.pk}/edit/", {"body": body})) == {"body": [message]}
    assert _api_errors(api.patch(f"/api/v1/posts/{post.pk}/", {"body": body}, format="json")) == {
        "body": [message]
    }
    post.refresh_from_db()
    assert post.body == "Who buys them?" and post.edited_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("body", "message"), [(" ", "Write a message.")])
async def test_the_thread_socket_reports_the_models_message_too(body, message):
    """The third surface: a post sent over the thread's socket gets the same words back. (A body
    over 20,000 characters cannot reach the rule there: the socket refuses frames over 16 KiB.)"""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from network.asgi import application
    from tests.forums.factories import world, ws_headers

    w = await sync_to_async(world)()
    headers = await sync_to_async(ws_headers)(w.alice)
    socket = WebsocketCommunicator(application, f"/ws/threads/{w.thread.pk}/", headers=headers)
    connected, _ = await socket.connect(timeout=30)
    assert connected
    try:
        await socket.send_json_to({"type": "post", "body": body, "client_id": "c1"})
        while True:
            event = await socket.receive_json_from(timeout=30)
            if event["type"] == "error":
                break
            assert event["type"] in {"hello", "presence", "typing", "ping"}, event
        assert (event["code"], event["message"]) == ("invalid", message)
        assert await sync_to_async(Post.objects.filter(thread=w.thread).count)() == 1
    finally:
        await socket.disconnect()

"""Forum test data through the real services: a working group with a convener, a member
organisation and an outsider, the group's forum and a thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from forums import services
from forums.models import Forum, Thread
from members.models import Role
from tests import factories


@dataclass
class World:
    convener_org: Any
    member_org: Any
    outsider_org: Any
    group: Any
    forum: Forum
    moderator: Any  # admin of the convening organisation
    alice: Any  # member organisation
    bob: Any  # member organisation
    mallory: Any  # another (verified) organisation, not in the group
    thread: Thread


def world(*, group_visibility: str = "network", posts: int = 1) -> World:
    convener = factories.organisation("Convening Institute")
    member_org = factories.organisation("City of Testville")
    outsider = factories.organisation("City of Elsewhere")
    group = factories.working_group(
        "Ethical ICT test group", conveners=[convener], members=[member_org], visibility=group_visibility
    )
    forum = services.group_forum_ensure(group=group)
    moderator = factories.member(convener, Role.ADMIN, name="Maria Moderator")
    alice = factories.member(member_org, name="Alice Andersson", email="alice@testville.example")
    bob = factories.member(member_org, name="Bob Berg", email="bob@testville.example")
    mallory = factories.member(outsider, name="Mallory Outsider", email="mallory@elsewhere.example")
    thread = services.thread_create(person=alice, forum=forum, title="Fair smartphones", body="First post")
    for n in range(2, posts + 1):
        services.post_create(person=alice, thread=thread, body=f"Post {n}")
    thread.refresh_from_db()
    return World(convener, member_org, outsider, group, forum, moderator, alice, bob, mallory, thread)


def session_cookie(person: Any) -> str:
    """A logged-in session for ``person``, as the value of the ``sessionid`` cookie."""
    client = Client()
    client.force_login(person)
    return client.cookies["sessionid"].value


def ws_headers(person: Any | None = None, origin: str = "http://testserver") -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if person is not None:
        headers.append((b"cookie", f"sessionid={session_cookie(person)}".encode()))
    return headers

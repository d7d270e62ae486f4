"""Typed real-time event payloads of the forums, and the one way a post is shown outside HTML.

The same :func:`post_payload` feeds the API serializer's shape, the thread socket's replay and the
live events, so a client sees one shape whichever way a post reaches it. Removed and hidden posts
keep their place (``seq``) but carry no words.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypedDict

from django.db.models import Count

from forums.models import Post, Reaction, Thread
from network.realtime import send_on_commit


class AuthorPayload(TypedDict):
    id: int | None
    name: str
    organisation: str | None


class PostPayload(TypedDict):
    id: int
    thread: int
    seq: int
    author: AuthorPayload
    body: str
    body_html: str
    reply_to: int | None
    reply_to_seq: int | None
    created_at: str
    edited_at: str | None
    removed: bool
    hidden: bool
    reactions: dict[str, int]


class PostEvent(TypedDict):
    type: Literal["post.created", "post.updated", "post.deleted"]
    post: PostPayload


class ThreadEvent(TypedDict):
    type: Literal["thread.updated"]
    thread: dict[str, Any]


def thread_group(thread_id: int) -> str:
    """The channel-layer group of everyone watching one thread."""
    return f"thread.{thread_id}"


def reaction_counts(post_ids: list[int]) -> dict[int, dict[str, int]]:
    """Reaction counts per post for many posts in one query."""
    counts: dict[int, dict[str, int]] = {pid: {} for pid in post_ids}
    rows = Reaction.objects.filter(post_id__in=post_ids).values("post_id", "code").annotate(n=Count("id"))
    for row in rows.order_by("post_id", "code"):
        counts[row["post_id"]][row["code"]] = row["n"]
    return counts


def post_payload(post: Post, reactions: dict[str, int] | None = None) -> PostPayload:
    """A post as clients see it. Expects ``author``, ``author_organisation``, ``reply_to`` loaded
    (``select_related``) when called for many posts."""
    shown = post.is_visible_body
    author = post.author
    return {
        "id": post.pk,
        "thread": post.thread_id,
        "seq": post.seq,
        "author": {
            "id": author.pk if author else None,
            "name": author.display_name if author else "",
            "organisation": post.author_organisation.name if post.author_organisation_id else None,
        },
        "body": post.body if shown else "",
        "body_html": post.body_html if shown else "",
        "reply_to": post.reply_to_id,
        "reply_to_seq": post.reply_to.seq if post.reply_to_id else None,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "removed": post.is_removed,
        "hidden": post.hidden_by_moderator,
        "reactions": reactions if reactions is not None else reaction_counts([post.pk])[post.pk],
    }


def posts_payload(posts: list[Post]) -> list[PostPayload]:
    counts = reaction_counts([p.pk for p in posts])
    return [post_payload(p, counts[p.pk]) for p in posts]


def thread_payload(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "title": thread.title,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "post_count": thread.post_count,
        "last_seq": thread.last_seq,
    }


def encode(event: PostEvent | ThreadEvent | dict[str, Any]) -> str:
    """The one JSON encoding of an event: what goes over the wire, byte for byte."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def group_message(event: PostEvent | ThreadEvent) -> dict[str, Any]:
    """The channel-layer message for an event: the frame pre-encoded once, plus what a consumer
    needs to route it (``kind``, ``seq``) without decoding it.

    A thread with N open sockets used to cost N JSON encodings (and, on the in-memory layer, N deep
    copies of the nested payload) per post; a string is copied and sent as it is.
    """
    post = event.get("post")
    return {
        "type": "forum.event",
        "kind": event["type"],
        "seq": post["seq"] if post else None,
        "text": encode(event),
    }


def decode(message: dict[str, Any]) -> dict[str, Any]:
    """The event inside a ``forum.event`` message (tests and tools; consumers send ``text`` as is)."""
    return json.loads(message["text"]) if "text" in message else message["event"]


def send_post_event(
    kind: Literal["post.created", "post.updated", "post.deleted"],
    post: Post,
    reactions: dict[str, int] | None = None,
) -> None:
    """Ring the thread's doorbell after commit. The payload is built now, inside the transaction,
    so it describes exactly the state being committed (``reactions`` when the caller knows them:
    a post being created has none, and reading them cost a query per post)."""
    event: PostEvent = {"type": kind, "post": post_payload(post, reactions)}
    send_on_commit(thread_group(post.thread_id), group_message(event))


def send_thread_event(thread: Thread) -> None:
    event: ThreadEvent = {"type": "thread.updated", "thread": thread_payload(thread)}
    send_on_commit(thread_group(thread.pk), group_message(event))


def send_access_recheck(group: str) -> None:
    """Ask every socket in ``group`` to re-check, against the database, that it may still read."""
    send_on_commit(group, {"type": "access.recheck"})

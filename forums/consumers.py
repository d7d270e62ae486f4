"""The live thread socket (``/ws/threads/<id>/``); a person's notifications socket belongs to the
fabric (:class:`network.consumers.NotificationConsumer`), as does the JSON socket base class.

The channel layer is only a doorbell. The database is the record: a client that reconnects sends
``{"type": "resume", "after": <last seq it saw>}`` (or connects with ``?after=<seq>``) and gets every later post from the database, in
order, before live events continue. Live events that arrive while the replay runs wait in the
channel (a consumer handles one message at a time), and any ``post.created`` whose ``seq`` the
replay already sent is dropped, so the boundary has neither a gap nor a duplicate.

Close codes: 4401 not signed in, 4403 may not read the thread (or no longer may), 4400 bad URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from forums import payloads, presence, selectors, services
from network import ratelimit
from network.consumers import CLOSE_FORBIDDEN, SafeJsonConsumer, setting
from network.realtime import LAYER_ERRORS, person_group

logger = logging.getLogger(__name__)

REPLAY_BATCH = 200


class ThreadConsumer(SafeJsonConsumer):
    """One thread, live: post events, typing, presence, resume from a sequence number, posting.

    A live event costs no database query and no thread-pool hop: the group message carries the
    frame already encoded (:func:`forums.payloads.group_message`), sent as it is. Access is re-checked
    on membership signals and every ``FORUMS_ACCESS_RECHECK_SECONDS``, not per event.
    """

    thread_id: int = 0
    #: Highest seq a replay has sent; live ``post.created`` at or below it are duplicates.
    last_sent: int | None = None
    #: Highest seq this socket knows the client has (the thread's last_seq at connect, then
    #: every post sent): the heartbeat compares it with the thread's to spot a lost doorbell.
    seen_seq: int = 0
    joined = False
    heartbeat: asyncio.Task | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Seqs sent live before a resume: the replay skips them (the client has them).
        self.live_sent: set[int] = set()

    async def connect(self) -> None:
        if not await self.signed_in():
            return
        self.thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        thread = await self._readable_thread()
        if thread is None:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.group = payloads.thread_group(self.thread_id)
        await self._join_groups()
        self.joined = True
        self.seen_seq = thread.last_seq
        await self.accept()
        await self.send_json({"type": "hello", "thread": payloads.thread_payload(thread)})
        presence.join(
            self.thread_id,
            self.group,
            self.channel_layer,
            self.channel_name,
            self.person.pk,
            self.person.display_name,
        )
        self.heartbeat = asyncio.ensure_future(self._heartbeat())
        self.heartbeat.set_name(f"forums-heartbeat-{self.channel_name}")
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        if after:  # resuming in the handshake: the replay runs before any live event is handled
            await self._resume(after[0], thread=thread)

    async def _join_groups(self) -> None:
        """Join (or re-join) the thread's and the person's groups. Run again on every heartbeat:
        a layer drops a channel from its groups when a message to it expires unread (in-memory) or
        after ``group_expiry`` (Redis), and nothing else would ever put it back."""
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(person_group(self.person.pk), self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.heartbeat
            self.heartbeat = None
        if self.joined:
            await self._leave()

    async def _leave(self) -> None:
        self.joined = False
        presence.leave(self.thread_id, self.group, self.channel_layer, self.channel_name)
        with contextlib.suppress(*LAYER_ERRORS):  # a layer that is down forgets the groups itself
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(person_group(self.person.pk), self.channel_name)

    async def _heartbeat(self) -> None:
        """Ping the client every ~25 s (keeps proxies from idling the socket out), re-join the
        groups, catch up from the database if the thread moved on without us (a lost doorbell),
        and re-check access now and then even if no membership signal arrived.

        Ends quietly when the client has gone: a send on a closed socket raises, and an exception
        nobody retrieves would only litter the log."""
        interval = float(setting("FORUMS_HEARTBEAT_SECONDS", 25))
        recheck_every = max(1, int(setting("FORUMS_ACCESS_RECHECK_SECONDS", 120) // interval))
        beats = 0
        try:
            while not self.closing:
                await asyncio.sleep(interval)
                beats += 1
                await self.send_json({"type": "ping"})
                if self.closing:
                    return
                await self._join_groups()
                presence.join(
                    self.thread_id,
                    self.group,
                    self.channel_layer,
                    self.channel_name,
                    self.person.pk,
                    self.person.display_name,
                )
                if await thread_last_seq(self.thread_id) > self.seen_seq:
                    await self._catch_up()
                if beats % recheck_every == 0:
                    await self.access_recheck({})
        except asyncio.CancelledError:
            raise
        except Exception:  # the client went away mid-beat (ClientDisconnected and friends)
            logger.debug("heartbeat of %s ended", self.channel_name, exc_info=True)

    async def _catch_up(self) -> None:
        """Replay what the thread gained past ``seen_seq``, under the consumer's dispatch lock so
        it cannot interleave with a live event being handled."""
        async with self._dispatch_lock:
            if not self.closing and await thread_last_seq(self.thread_id) > self.seen_seq:
                await self._resume(self.seen_seq)

    @property
    def _dispatch_lock(self) -> asyncio.Lock:
        lock = self.__dict__.get("_lock")
        if lock is None:
            lock = self.__dict__["_lock"] = asyncio.Lock()
        return lock

    async def dispatch(self, message: dict[str, Any]) -> None:
        async with self._dispatch_lock:
            await super().dispatch(message)

    @database_sync_to_async
    def _readable_thread(self):
        return selectors.thread_get(self.person, self.thread_id, fresh=True)

    # --- client → server ---------------------------------------------------------------------

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content["type"]
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "resume":
            await self._resume(content.get("after"))
        elif kind == "typing":
            presence.typing(
                self.thread_id, self.group, self.channel_layer, self.person.pk, self.person.display_name
            )
        elif kind == "post":
            await self._post(content)
        elif kind == "read":
            await self._mark_read(content.get("seq"))
        else:
            await self.send_error("unknown_type", f"Unknown message type “{kind[:40]}”.")

    async def _resume(self, after: Any, *, thread: Any = None) -> None:
        """Send every post after ``after`` from the database, then ``resume.done``.

        One thread-pool hop: the access check (skipped when ``thread`` was just checked), one
        indexed ``(thread, seq)`` range query per 200 posts plus their reactions, and the frames
        encoded there; the frames then go out back to back."""
        try:
            after = int(after or 0)
        except (TypeError, ValueError):
            await self.send_error("bad_message", '"after" must be a sequence number.')
            return
        after = max(0, after)
        frames = await database_sync_to_async(self._replay_frames)(thread, after)
        if frames is None:
            await self._drop()
            return
        for seq, text in frames:
            if seq not in self.live_sent:
                await self.send(text_data=text)
            after = seq
        self.last_sent = max(self.last_sent or 0, after)
        self.seen_seq = max(self.seen_seq, self.last_sent)
        self.live_sent.clear()
        await self.send_json({"type": "resume.done", "last_seq": self.last_sent})

    def _replay_frames(self, thread: Any, after: int) -> list[tuple[int, str]] | None:
        if thread is None:
            thread = selectors.thread_get(self.person, self.thread_id)
            if thread is None:
                return None
        frames: list[tuple[int, str]] = []
        while True:
            batch = payloads.posts_payload(selectors.posts_after(thread, after, REPLAY_BATCH))
            for payload in batch:
                frames.append(
                    (
                        payload["seq"],
                        payloads.encode({"type": "post.created", "post": payload, "replay": True}),
                    )
                )
                after = payload["seq"]
            if len(batch) < REPLAY_BATCH:
                return frames

    async def _post(self, content: dict[str, Any]) -> None:
        client_id = str(content.get("client_id") or "")[:64]
        try:
            post, created = await database_sync_to_async(self._create_post)(content, client_id)
        except ratelimit.RateLimited as exc:  # the service's one posting limit
            await self.send_error("rate_limited", str(exc), client_id=client_id)
        except services.ThreadLocked as exc:
            await self.send_error("locked", str(exc), client_id=client_id)
        except ValidationError as exc:
            await self.send_error("invalid", " ".join(exc.messages), client_id=client_id)
        except (PermissionDenied, Http404) as exc:
            await self.send_error("forbidden", str(exc) or "Not allowed.", client_id=client_id)
        else:
            await self.send_json(
                {
                    "type": "post.ack",
                    "client_id": client_id,
                    "id": post.pk,
                    "seq": post.seq,
                    "created": created,
                }
            )

    def _create_post(self, content: dict[str, Any], client_id: str):
        thread = selectors.thread_get(self.person, self.thread_id, fresh=True)
        if thread is None:
            raise Http404
        return services.post_create(
            person=self.person,
            thread=thread,
            body=str(content.get("body") or ""),
            reply_to=content.get("reply_to"),
            client_id=client_id,
        )

    async def _mark_read(self, seq: Any) -> None:
        def mark() -> int:
            thread = selectors.thread_get(self.person, self.thread_id)
            if thread is None:
                raise Http404
            return services.thread_mark_read(person=self.person, thread=thread, seq=seq)

        try:
            last = await database_sync_to_async(mark)()
        except (ValidationError, Http404) as exc:
            await self.send_error("invalid", " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            await self.send_json({"type": "read", "last_read_seq": last})

    # --- server → client (channel-layer events) --------------------------------------------------

    async def forum_event(self, message: dict[str, Any]) -> None:
        if "text" not in message:  # sent by a process running the previous release
            message = payloads.group_message(message["event"])
        if message["kind"] == "post.created":
            seq = message["seq"]
            if self.last_sent is not None and seq <= self.last_sent:
                return  # already sent by a replay
            if self.last_sent is not None and seq > self.last_sent + 1:
                # Concurrent posts commit in seq order but their events can reach the layer out of
                # order: fill the gap from the database (sends this one too) instead of losing it.
                await self._resume(self.last_sent)
                return
            if self.last_sent is not None:
                self.last_sent = seq
            elif len(self.live_sent) < 10_000:
                self.live_sent.add(seq)
            self.seen_seq = max(self.seen_seq, seq)
        await self.send(text_data=message["text"])

    async def forum_typing(self, message: dict[str, Any]) -> None:
        people = message.get("people") or [[message.get("person"), message.get("name")]]
        for person_id, name in people:
            if person_id != self.person.pk:
                await self.send_json({"type": "typing", "name": name, "person": person_id})

    async def forum_presence(self, message: dict[str, Any]) -> None:
        viewers = message["viewers"]
        await self.send_json(
            {"type": "presence", "viewers": viewers, "count": message.get("count", len(viewers))}
        )

    async def access_recheck(self, message: dict[str, Any]) -> None:
        """Membership changed somewhere: ask the database, with fresh roles, if we may still read."""
        if self.closing:
            return
        if await self._readable_thread() is None:
            await self._drop()

    async def _drop(self) -> None:
        self.closing = True
        if self.joined:
            await self._leave()
        await self.close(code=CLOSE_FORBIDDEN)


#: thread id → (looked up at, future of last_seq): one query per thread and process per second
#: however many sockets' heartbeats ask.
_last_seq_cache: dict[int, tuple[float, asyncio.Future]] = {}
LAST_SEQ_TTL = 1.0


async def thread_last_seq(thread_id: int) -> int:
    """The thread's ``last_seq`` as the database has it, shared between this process's sockets."""
    loop = asyncio.get_running_loop()
    now = loop.time()
    cached = _last_seq_cache.get(thread_id)
    if cached is None or now - cached[0] > LAST_SEQ_TTL or cached[1].get_loop() is not loop:
        if len(_last_seq_cache) > 10_000:
            _last_seq_cache.clear()
        future = asyncio.ensure_future(database_sync_to_async(_fetch_last_seq)(thread_id))
        _last_seq_cache[thread_id] = cached = (now, future)
    try:
        return await asyncio.shield(cached[1])
    except Exception:
        _last_seq_cache.pop(thread_id, None)
        return 0


def _fetch_last_seq(thread_id: int) -> int:
    return selectors.thread_last_seq(thread_id)

"""The live thread socket (``/ws/threads/<id>/``); a person's notifications socket belongs to the
fabric (:class:`network.consumers.NotificationConsumer`), as does the JSON socket base class.

The channel layer is only a doorbell. The database is the record: a client that reconnects sends
``{"type": "resume", "after": <last seq it saw>}`` (or connects with ``?after=<seq>``) and gets every later post from the database, in
order, before live events continue. Live events that arrive while the replay runs wait in the
socket's backlog (:mod:`forums.hub`; a consumer handles one event at a time), and any ``post.created`` whose ``seq`` the
replay already sent is dropped, so the boundary has neither a gap nor a duplicate.

Close codes: 4401 not signed in, 4403 may not read the thread (or no longer may), 4400 bad URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from forums import payloads, presence, rechecks, selectors, services
from forums.hub import HubSocket, hub_for
from network import ratelimit
from network.consumers import CLOSE_FORBIDDEN, SafeJsonConsumer, setting
from network.realtime import LAYER_ERRORS, SERVER_SEND, person_group, socket_database_sync_to_async
from network.startup import burst_collector

logger = logging.getLogger(__name__)

REPLAY_BATCH = 200


#: ``_live_frame`` found a gap before this post: the database has to fill it.
_GAP = object()

#: The heartbeat's ping, encoded once for every socket and beat.
PING = payloads.encode({"type": "ping"})


def beat_delay(interval: float, first: bool) -> float:
    """Seconds to the next heartbeat: spread, so sockets that connected together (a reconnect
    storm after a deploy, a bench's connect burst) do not beat together for ever. The first beat
    falls anywhere in [0.5, 1.5] times the interval, the later ones within ±10 % of it."""
    return interval * (random.uniform(0.5, 1.5) if first else random.uniform(0.9, 1.1))


class _ChannelFreeConsumer(AsyncJsonWebsocketConsumer):
    """A JSON socket whose consumer has no channel-layer channel of its own."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' consumer loop without a channel of the socket's own: its events come from the
        hub's rooms (the thread's and the person's groups), so the socket costs the channel layer
        nothing, and only the client's messages are awaited here — one at a time, in order, without
        the task per message a wait on two sources needs. ``channel_name`` remains a unique name for
        the socket (presence is keyed by it); nothing is ever sent to it."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = f"forums.socket!{uuid.uuid4().hex}"
        self.base_send = send
        #: The server's own send, for data frames (``network.realtime.ServerSendMiddleware``).
        self.server_send = scope.get(SERVER_SEND)
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass


class ThreadConsumer(HubSocket, SafeJsonConsumer, _ChannelFreeConsumer):
    """One thread, live: post events, typing, presence, resume from a sequence number, posting.

    The thread's events reach the socket through this process's hub (:mod:`forums.hub`): one
    channel-layer subscription per thread and process, and a local loop that writes the frame — encoded
    once by the sender (:func:`forums.payloads.group_message`) — to each idle socket without a task,
    a database query or a thread-pool hop. Events that find the socket busy (a replay, a client
    message, a client that does not read) wait in its bounded backlog and are handled in order. The
    socket has no channel of its own: its person's group (access re-checks) is a room too. Access is re-checked
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
        self._hub_state()

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        """A text frame goes straight to the server's ``send`` (see :meth:`HubSocket.frame_send`);
        anything else — bytes, a close — the way every consumer sends."""
        if text_data is None or close:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
            return
        if self.closing:
            return
        try:
            await self.frame_send({"type": "websocket.send", "text": text_data})
        except OSError:  # the client has gone (ClientDisconnected): its disconnect follows
            self.closing = True

    async def connect(self) -> None:
        if not await self.signed_in():
            return
        self.thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        # The access check, batched with the other sockets connecting at the same moment.
        thread = await rechecks.readable_thread(self.person, self.thread_id)
        if thread is None:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.group = payloads.thread_group(self.thread_id)
        self.hub = hub_for(self.channel_layer)
        await self._join_groups(first=True)
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
        burst_collector.joined()  # a full collection once a burst of sockets has settled
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        if after:  # resuming in the handshake: the replay runs before any live event is handled
            await self._resume(after[0], thread=thread)

    async def _join_groups(self, first: bool = False) -> None:
        """Join (or re-join) the thread's room in this process's hub and the person's group. Run
        again on every heartbeat: a layer drops a channel from its groups when a message to it
        expires unread (in-memory) or after ``group_expiry`` (Redis), and nothing else would ever
        put it back (the room re-adds its channel at most twice a heartbeat, whatever the sockets)."""
        for group in (self.group, person_group(self.person.pk)):
            if first:
                await self.hub.join(group, self)
            else:
                every = float(setting("FORUMS_HEARTBEAT_SECONDS", 25)) / 2
                await self.hub.refresh(group, self, every)

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.heartbeat
            self.heartbeat = None
        if self.joined:
            await self._leave()
        await self.hub_stop()

    async def _leave(self) -> None:
        self.joined = False
        self.hub_dropped()

    def hub_dropped(self) -> None:
        """Out of the hub's rooms and the thread's presence, at once (no I/O): dropped for
        reading too slowly, refused access, or gone."""
        self.hub.leave(self.group, self)
        self.hub.leave(person_group(self.person.pk), self)
        presence.leave(self.thread_id, self.group, self.channel_layer, self.channel_name)

    async def _heartbeat(self) -> None:
        """Ping the client every ~25 s (keeps proxies from idling the socket out), re-join the
        groups, catch up from the database if the thread moved on without us (a lost doorbell),
        and re-check access now and then even if no membership signal arrived.

        A post is a lost doorbell only when the socket is still behind it a whole beat later: a post
        committed a moment ago is usually still on its way through the hub, and replaying it from the
        database then cost one query per socket (a thousand sockets beating during a stream of posts
        queued a thousand replays in front of the next post request).

        Ends quietly when the client has gone: a send on a closed socket raises, and an exception
        nobody retrieves would only litter the log."""
        interval = float(setting("FORUMS_HEARTBEAT_SECONDS", 25))
        recheck_every = max(1, int(setting("FORUMS_ACCESS_RECHECK_SECONDS", 120) // interval))
        beats = 0
        behind = 0  # the thread's last_seq at the previous beat, when the socket had not seen it
        try:
            while not self.closing:
                await asyncio.sleep(beat_delay(interval, first=beats == 0))
                beats += 1
                await self.send(text_data=PING)
                if self.closing:
                    return
                with contextlib.suppress(*LAYER_ERRORS):  # Redis is down: beat on, catch up later
                    await self._join_groups()
                presence.join(
                    self.thread_id,
                    self.group,
                    self.channel_layer,
                    self.channel_name,
                    self.person.pk,
                    self.person.display_name,
                )
                if behind and self.seen_seq < behind:
                    await self._catch_up()
                last_seq = await thread_last_seq(self.thread_id)
                behind = last_seq if last_seq > self.seen_seq else 0
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
        frames = await socket_database_sync_to_async(self._replay_frames)(thread, after)
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

    # --- server → client (the thread's events, from the hub) ----------------------------------------

    def _live_frame(self, message: dict[str, Any]) -> Any:
        """The frame to send for a live ``forum.event``, ``None`` when the client already has it,
        or ``_GAP`` when posts before it are missing (records what is sent; no I/O)."""
        if message["kind"] == "post.created":
            seq = message["seq"]
            if self.last_sent is not None and seq <= self.last_sent:
                return None  # already sent by a replay
            if self.last_sent is not None and seq > self.last_sent + 1:
                return _GAP
            if self.last_sent is not None:
                self.last_sent = seq
            elif len(self.live_sent) < 10_000:
                self.live_sent.add(seq)
            self.seen_seq = max(self.seen_seq, seq)
        return message["text"]

    def hub_offer(self, message: dict[str, Any], prepared: Any = None) -> None:
        """A live event from the hub. A post to an idle socket — the case that runs once per
        socket per post — is written here in one step (what :meth:`HubSocket.hub_offer` and
        :meth:`hub_now` would do, without their two calls); everything else takes the general
        path (a gap to fill, a busy socket, presence, typing, re-checks)."""
        if (
            message["type"] == "forum.event"
            and self._inflight is None
            and not self._backlog
            and not self.closing
            and not self._dispatch_lock.locked()
        ):
            try:
                frame = self._live_frame(message)
                if frame is not _GAP:
                    if frame is not None:
                        self.send_frame_now(frame)
                    return
            except Exception:  # this socket's trouble must not stop the loop over the others
                logger.debug("delivery to a socket failed", exc_info=True)
                self.closing = True
                return
        HubSocket.hub_offer(self, message, prepared)

    def hub_now(self, message: dict[str, Any], prepared: Any) -> bool:
        """The hub's fast path (the socket is idle): send what needs no await, else say no."""
        kind = message["type"]
        if kind == "forum.event":
            frame = self._live_frame(message)
            if frame is _GAP:
                return False
        elif kind == "forum.presence":
            frame = prepared
        elif kind == "forum.typing":
            frames = [text for person_id, text in prepared if person_id != self.person.pk]
            if len(frames) > 1:
                return False
            frame = frames[0] if frames else None
        else:
            # Access re-checks and the like wait their turn in the backlog; what this socket has no
            # handler for (the person's group carries notifications for the other socket) is done.
            return getattr(self, get_handler_name(message), None) is None
        if frame is not None:
            self.send_frame_now(frame)
        return True

    async def hub_handle(self, message: dict[str, Any], prepared: Any) -> None:
        """An event from the hub that waited in the backlog (the dispatch lock is held)."""
        kind = message["type"]
        if kind == "forum.presence" and prepared is not None:
            await self.send(text_data=prepared)
        elif kind == "forum.typing" and prepared is not None:
            for person_id, text in prepared:
                if person_id != self.person.pk:
                    await self.send(text_data=text)
        else:
            await SafeJsonConsumer.dispatch(self, message)

    async def forum_event(self, message: dict[str, Any]) -> None:
        if "text" not in message:  # sent by a process running the previous release
            message = payloads.group_message(message["event"])
        frame = self._live_frame(message)
        if frame is _GAP:
            # Concurrent posts commit in seq order but their events can reach the layer out of
            # order: fill the gap from the database (sends this one too) instead of losing it.
            await self._resume(self.last_sent)
        elif frame is not None:
            await self.send(text_data=frame)

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
        """Membership changed somewhere: ask the database, with fresh roles, if we may still read
        (batched with the process's other sockets' re-checks: :mod:`forums.rechecks`)."""
        if self.closing:
            return
        if not await rechecks.may_read(self.person, self.thread_id):
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
        future = asyncio.ensure_future(socket_database_sync_to_async(_fetch_last_seq)(thread_id))
        _last_seq_cache[thread_id] = cached = (now, future)
    try:
        return await asyncio.shield(cached[1])
    except Exception:
        _last_seq_cache.pop(thread_id, None)
        return 0


def _fetch_last_seq(thread_id: int) -> int:
    return selectors.thread_last_seq(thread_id)

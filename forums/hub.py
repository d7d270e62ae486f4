"""Fan-out of a thread's live events inside one server process: one channel-layer subscription per
thread, then a local loop over this process's sockets of that thread.

Before, every socket joined the thread's channel-layer group, so a post to a thread with N open
sockets cost N layer messages (on the in-memory layer, N deep copies and N tasks) and N consumer
dispatches. Zulip's Tornado event queues and Discourse's MessageBus do it the other way round, and so
does this module: each process keeps a registry of its local sockets per thread (:class:`Room`) and
one channel of its own in the thread's group, so a post is one layer message per process, received by
one task, and then written to the sockets straight from that task. The frame was encoded once by
the sender (:func:`forums.payloads.group_message`); presence frames are encoded once here. A
person's group (access re-checks) is a room too, so a thread socket holds no channel-layer channel
of its own: no per-socket receive task, no per-socket ``group_add`` beyond a process's first.

Delivery to one socket (:class:`HubSocket`, mixed into the consumer) is eager: when the socket is
idle — no frame still being written, nothing queued, the consumer not busy with a replay or a client
message — the frame is written at once, from the hub's loop, with no task. The ASGI server's ``send``
returns without suspending while the client keeps up; when the client does not read, the server's
write buffer fills and ``send`` waits: that frame is finished by a task of its own and later events
queue behind it, at most ``FORUMS_SOCKET_BACKLOG`` of them. One event more and the socket is dropped
(close 4408): the client reconnects and resumes from the database (``?after=``),
so it loses nothing, and a slow reader never grows the server's memory or holds up the others.

The layer remains a doorbell: access re-checks, resume, heartbeats and the database catch-up of
:mod:`forums.consumers` are unchanged; a room's channel is re-added to the group on the sockets'
heartbeats (a layer drops a channel from its groups when a message to it expires unread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Coroutine
from types import CoroutineType
from typing import Any

from django.conf import settings

from forums import payloads

logger = logging.getLogger(__name__)

#: Close code for a socket dropped for reading too slowly (an application code after HTTP's 408:
#: servers under daphne may not send RFC 6455's 1013). Clients reconnect on any code but 4401 and
#: 4403, and resume from the last seq they have.
CLOSE_TOO_SLOW = 4408


def backlog_limit() -> int:
    """How many events may wait for one slow socket before it is dropped to resume."""
    return int(getattr(settings, "FORUMS_SOCKET_BACKLOG", 500))


# --- eager sends ----------------------------------------------------------------------------------


async def _until_done(future: asyncio.Future) -> None:
    """Wait for ``future`` without taking its result (the coroutine that awaited it reads that)."""
    if future.done():
        return
    waiter = asyncio.get_running_loop().create_future()

    def wake(_: asyncio.Future) -> None:
        if not waiter.done():
            waiter.set_result(None)

    future.add_done_callback(wake)
    try:
        await waiter
    finally:
        future.remove_done_callback(wake)


async def _finish(coro: Coroutine, yielded: Any) -> None:
    """Drive ``coro``, whose first step already ran and suspended on ``yielded``, to its end.

    This is what ``asyncio.Task`` does step by step, and what Python 3.12's eager tasks do after
    their synchronous first step: the common case (the send completes at once) costs no task at all,
    the rare one (the client's buffer is full) costs one."""
    try:
        while True:
            if yielded is None:  # a bare yield: give the loop one turn
                await asyncio.sleep(0)
            else:
                yielded._asyncio_future_blocking = False
                try:
                    await _until_done(yielded)
                except asyncio.CancelledError:
                    yielded.cancel()
                    raise
            yielded = coro.send(None)
    except StopIteration:
        return
    except asyncio.CancelledError:
        coro.close()
        raise


def send_eagerly(awaitable: Any) -> asyncio.Future | None:
    """Start ``awaitable`` now; ``None`` when it completed in this step, else the future that
    completes it. Exceptions of the first step are raised here."""
    if not asyncio.iscoroutine(awaitable):
        return asyncio.ensure_future(awaitable)
    try:
        yielded = awaitable.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(awaitable, yielded))


# --- the socket side --------------------------------------------------------------------------------


class HubSocket:
    """Mixin for a Channels consumer fed by the hub.

    The consumer provides ``closing``, ``base_send``, an ``asyncio.Lock`` in ``_dispatch_lock``
    (held while it handles a client message or a replay), :meth:`hub_now` (the synchronous fast
    path: handle a message from the hub without awaiting, or say it cannot) and :meth:`hub_handle`
    (the full, awaitable handling of a queued message)."""

    closing: bool
    base_send: Any
    #: The server's own ``send`` when the stack put it in the scope (``ServerSendMiddleware``).
    server_send: Any = None
    _dispatch_lock: asyncio.Lock

    @property
    def frame_send(self) -> Any:
        """Where data frames go: the server's ``send``, below Channels' session wrapper and the
        layer-outage wrapper, which only act on accept and close (two coroutine frames less per
        socket per event); the consumer's ``base_send`` when the stack did not provide it."""
        return self.server_send or self.base_send

    def _hub_state(self) -> None:
        #: Events waiting for this socket (message, what the hub prepared for it), in order.
        self._backlog: deque[tuple[dict[str, Any], Any]] = deque()
        #: A frame the server has not finished writing (its send suspended).
        self._inflight: asyncio.Future | None = None
        self._drainer: asyncio.Task | None = None
        self._closer: asyncio.Task | None = None

    # what the consumer implements
    def hub_now(self, message: dict[str, Any], prepared: Any) -> bool:  # pragma: no cover
        raise NotImplementedError

    async def hub_handle(self, message: dict[str, Any], prepared: Any) -> None:  # pragma: no cover
        raise NotImplementedError

    def hub_dropped(self) -> None:  # pragma: no cover
        """Called once when the socket is dropped for being too slow (leave the hub, presence…)."""

    # what the hub calls
    def hub_offer(self, message: dict[str, Any], prepared: Any = None) -> None:
        """Deliver one event: now when the socket is idle, else after what is already waiting."""
        if self.closing:
            return
        try:
            idle = self._inflight is None and not self._backlog and not self._dispatch_lock.locked()
            if not (idle and self.hub_now(message, prepared)):
                self._enqueue(message, prepared)
        except Exception:  # this socket's trouble must not stop the loop over the others
            logger.debug("delivery to a socket failed", exc_info=True)
            self.closing = True

    def send_frame_now(self, text: str) -> None:
        """Write a text frame from a synchronous fast path (the socket is idle: nothing in flight).

        This runs once per socket per event, thousands of times a post, so it is
        :func:`send_eagerly` inlined: the server's ``send`` coroutine is stepped here, and only
        when it suspends (the client's buffer is full) does a future finish it."""
        send = self.server_send or self.base_send
        try:
            awaitable = send({"type": "websocket.send", "text": text})
            if type(awaitable) is not CoroutineType:
                self._inflight = asyncio.ensure_future(awaitable)
            else:
                try:
                    yielded = awaitable.send(None)
                except StopIteration:  # written: the common case, no future at all
                    return
                self._inflight = asyncio.ensure_future(_finish(awaitable, yielded))
        except OSError:  # the client has gone; its disconnect follows
            self.closing = True
            return
        self._inflight.add_done_callback(self._written)

    def _written(self, future: asyncio.Future) -> None:
        if future is self._inflight:
            self._inflight = None
        if not future.cancelled() and isinstance(future.exception(), OSError):
            self.closing = True

    def _enqueue(self, message: dict[str, Any], prepared: Any) -> None:
        if len(self._backlog) >= backlog_limit():
            self._too_slow()
            return
        self._backlog.append((message, prepared))
        if self._drainer is None:
            self._drainer = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        """Handle the backlog in order, one event at a time, under the consumer's dispatch lock."""
        try:
            while self._backlog and not self.closing:
                if self._inflight is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.shield(self._inflight)
                    continue
                async with self._dispatch_lock:
                    while self._backlog and not self.closing:
                        message, prepared = self._backlog.popleft()
                        await self.hub_handle(message, prepared)
        except Exception:  # the client went away mid-drain: its disconnect cleans up
            logger.debug("drain of a socket ended", exc_info=True)
        finally:
            self._drainer = None

    def _too_slow(self) -> None:
        """The client does not keep up: free what waits for it and close; it resumes from the
        database when it reconnects."""
        logger.info("dropping a socket %s events behind", len(self._backlog))
        self.closing = True
        self._backlog.clear()
        self.hub_dropped()
        self._closer = asyncio.ensure_future(self._close_slow())

    async def _close_slow(self) -> None:
        with contextlib.suppress(Exception):
            if self._inflight is not None:
                await asyncio.shield(self._inflight)
            await self.base_send({"type": "websocket.close", "code": CLOSE_TOO_SLOW})

    async def hub_stop(self) -> None:
        """The socket disconnected: stop its background writes."""
        self._backlog.clear()
        for task in (self._drainer, self._closer, self._inflight):
            if task is not None and not task.done() and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


# --- the process side ------------------------------------------------------------------------------


def _raise_if_cancelled() -> None:
    """A cancellation that arrives while redis-py's read timeout fires comes out as a timeout
    error; a loop that retried on it would never end (the server could not shut down)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Room:
    """This process's sockets of one group (a thread's, or a person's), and its one subscription."""

    def __init__(self, hub: Hub, group: str) -> None:
        self.hub = hub
        self.group = group
        self.sockets: dict[Any, None] = {}  # an ordered set
        self.channel = ""
        self.refreshed_at = 0.0
        self.subscribed = asyncio.get_running_loop().create_future()
        #: Set by :meth:`close`: ends the receive loop even when a cancellation was lost (below).
        self.closed = False
        self.task = asyncio.ensure_future(self._run())
        self.task.set_name(f"forums-room-{group}")

    async def _run(self) -> None:
        layer = self.hub.layer
        try:
            self.channel = await layer.new_channel()
            await layer.group_add(self.group, self.channel)
            self.refreshed_at = asyncio.get_running_loop().time()
        except BaseException as exc:  # the joiners get it (a layer outage closes them with 4503)
            self.subscribed.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        self.subscribed.set_result(None)
        while not self.closed:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis is down: keep the room, subscribe again once it is back
                _raise_if_cancelled()
                if self.closed:
                    return
                logger.warning("receive for %s failed: %r", self.group, exc)
                await self._resubscribe()
                continue
            try:
                self.fan_out(message)
            except Exception:  # one bad message must not end the group's subscription
                logger.exception("fan-out of %s to %s failed", message.get("type"), self.group)

    def fan_out(self, message: dict[str, Any]) -> None:
        """Hand one layer message to every local socket, with what can be prepared once for all."""
        kind = message.get("type")
        prepared: Any = None
        if kind == "forum.event" and "text" not in message:  # sent by a process of the previous release
            message = payloads.group_message(message["event"])
        elif kind == "forum.presence":
            viewers = message["viewers"]
            prepared = payloads.encode(
                {"type": "presence", "viewers": viewers, "count": message.get("count", len(viewers))}
            )
        elif kind == "forum.typing":
            people = message.get("people") or [[message.get("person"), message.get("name")]]
            prepared = [
                (person_id, payloads.encode({"type": "typing", "name": name, "person": person_id}))
                for person_id, name in people
            ]
        for socket in tuple(self.sockets):
            socket.hub_offer(message, prepared)

    async def _resubscribe(self) -> None:
        """After an outage the layer may have lost its groups (a Redis restarted empty): add the
        channel again, retrying every second until the layer answers. The sockets catch up on
        what was posted meanwhile from the database (their heartbeat compares ``last_seq``)."""
        while not self.closed:
            await asyncio.sleep(1.0)
            try:
                await self.hub.layer.group_add(self.group, self.channel)
            except Exception as exc:
                _raise_if_cancelled()
                logger.debug("re-subscribing %s failed: %r", self.group, exc)
            else:
                self.refreshed_at = asyncio.get_running_loop().time()
                return

    async def refresh(self, every: float) -> None:
        """Re-add the room's channel to the group at most once per ``every`` seconds (called from
        the sockets' heartbeats)."""
        now = asyncio.get_running_loop().time()
        if not self.channel or now - self.refreshed_at < every:
            return
        self.refreshed_at = now
        await self.hub.layer.group_add(self.group, self.channel)

    async def close(self) -> None:
        """End the subscription. On Python 3.11 a cancellation can be lost: ``asyncio.timeout``
        inside redis-py's read takes it back (``uncancel``) when it races the read's own expiry,
        and the loop then retried for ever (a test run hung in its event loop's teardown). So
        ``closed`` ends the loop as well, and the cancel is repeated until the task has ended."""
        self.closed = True
        for _ in range(30):
            if self.task.done():
                break
            self.task.cancel()
            await asyncio.wait({self.task}, timeout=1.0)
        if self.task.done():
            with contextlib.suppress(BaseException):
                self.task.result()  # retrieved: a failed subscription is not logged as unhandled
        if self.channel:
            with contextlib.suppress(Exception):
                await self.hub.layer.group_discard(self.group, self.channel)


class Hub:
    """The rooms of one process (one event loop and one channel layer), by group name."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.rooms: dict[str, Room] = {}

    def _room(self, group: str) -> Room:
        room = self.rooms.get(group)
        if room is None or room.task.done():  # none yet, or its subscription failed: a new one
            room = self.rooms[group] = Room(self, group)
        return room

    async def join(self, group: str, socket: Any) -> None:
        """Add a socket to a group's room, subscribing the process when it is the first. Raises
        what the layer raised when the subscription failed (and the socket is not in the room)."""
        room = self._room(group)
        room.sockets[socket] = None
        try:
            await asyncio.shield(room.subscribed)
        except BaseException:
            self.leave(group, socket)
            raise

    async def refresh(self, group: str, socket: Any, every: float) -> None:
        """A socket's heartbeat: its room is still subscribed, and its channel still in the group."""
        if not getattr(socket, "closing", False):
            await self.join(group, socket)
            await self.rooms[group].refresh(every)

    def leave(self, group: str, socket: Any) -> None:
        """Remove a socket; the last one out ends the process's subscription to the group."""
        room = self.rooms.get(group)
        if room is None or socket not in room.sockets:
            return
        del room.sockets[socket]
        if not room.sockets:
            del self.rooms[group]
            closing = asyncio.ensure_future(room.close())
            _closing.add(closing)
            closing.add_done_callback(_closing.discard)


#: Unsubscriptions under way (kept referenced until done).
_closing: set[asyncio.Future] = set()
_hubs: dict[tuple[int, int], Hub] = {}


async def close_all() -> None:
    """Close every room of the running event loop's hubs and wait for the unsubscriptions under
    way: what a process does before its loop stops (the end of a test), so no room task is left
    for the loop's teardown to cancel."""
    loop_id = id(asyncio.get_running_loop())
    rooms = []
    for (hub_loop, _layer), hub in list(_hubs.items()):
        if hub_loop == loop_id:
            rooms += hub.rooms.values()
            hub.rooms.clear()
    await asyncio.gather(*(room.close() for room in rooms), return_exceptions=True)
    pending = [f for f in _closing if f.get_loop() is asyncio.get_running_loop()]
    if pending:
        await asyncio.wait(pending, timeout=30)


def hub_for(layer: Any) -> Hub:
    """The hub of the running event loop and ``layer`` (tests run one loop per test)."""
    key = (id(asyncio.get_running_loop()), id(layer))
    hub = _hubs.get(key)
    if hub is None or hub.layer is not layer:
        if len(_hubs) > 8:
            _hubs.clear()
        hub = _hubs[key] = Hub(layer)
    return hub

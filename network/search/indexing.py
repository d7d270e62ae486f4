"""Indexing follows the data: after commit, by primary key, never failing the user's save.

Signal handlers only *note* what changed (model label + primary keys, or a lookup to resolve
later); one ``transaction.on_commit`` flush then re-reads those rows and indexes or deletes them.
Re-reading by key makes every update idempotent: a rolled-back change indexes the committed state,
a deleted row becomes a delete, a row changed ten times is indexed once. A backend error (e.g.
Elasticsearch down) is logged and the keys go to :class:`~network.search.models.ReindexQueue`,
which ``manage.py search_index --process-queue`` retries and ``/readyz`` reports.

Bulk paths wrap their writes in :func:`suppress_index_updates` and call :func:`reindex` or
:func:`rebuild` explicitly.

Inside a request (:class:`network.search.middleware.IndexAfterResponseMiddleware`) the flush waits
for the response instead of the commit: :func:`deferred_updates` collects the keys and the
response's ``close()`` — which Django calls once the body has been sent (the test client calls it
before ``client.post`` returns) — indexes them. The update of a post used to be the first thing
its commit did, so the live event (also sent on commit, after it) and the response both waited
for the multilingual analysis of the post: about 30 % of a forum post request. A response whose
``close()`` never runs (the client went away mid-request) hands its keys to the next flush of the
process (:func:`_orphaned`).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from network.search import registry
from network.search.registry import indexes
from network.search.spec import SearchIndex
from network.search.vocabulary import record_vocabulary

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class _Pending:
    keys: dict[str, set[int]] = field(default_factory=dict)
    lookups: list[tuple[str, str, tuple[Any, ...]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.keys or self.lookups)


_state = threading.local()


def _pending() -> _Pending:
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = _Pending()
    return pending


def updates_suppressed() -> bool:
    return getattr(_state, "suppressed", 0) > 0


def _deferring() -> bool:
    return getattr(_state, "deferring", 0) > 0


@contextmanager
def suppress_index_updates() -> Iterator[None]:
    """Pause signal-driven indexing in this thread (bulk imports, demo data); reindex afterwards."""
    _state.suppressed = getattr(_state, "suppressed", 0) + 1
    try:
        yield
    finally:
        _state.suppressed -= 1


def schedule(label: str, pks: Iterable[Any]) -> None:
    """Reindex these objects once the current transaction commits (now, in autocommit)."""
    if updates_suppressed():
        return
    keys = {pk for pk in pks if pk is not None}
    if not keys:
        return
    _pending().keys.setdefault(label, set()).update(keys)
    if not _deferring():
        transaction.on_commit(flush)


def schedule_lookup(label: str, lookup: str, *values: Any) -> None:
    """Reindex the ``label`` objects matching ``lookup__in=values`` once the transaction commits."""
    if updates_suppressed() or not values:
        return
    _pending().lookups.append((label, lookup, values))
    if not _deferring():
        transaction.on_commit(flush)


def flush() -> None:
    """Run the pending updates. Registered on every change; later calls find nothing to do."""
    pending = _pending()
    if pending:
        _state.pending = _Pending()
        _run(pending)
    for orphan in _orphaned():
        _run(orphan)


class Deferred:
    """The index updates of one request, run when its response is closed (see the module)."""

    def __init__(self, pending: _Pending) -> None:
        self.pending: _Pending | None = pending

    def run(self) -> None:
        pending, self.pending = self.pending, None
        delay = batch_seconds()
        if pending and delay > 0:
            _batches.add(pending, delay)
        elif pending:
            _run(pending)
        for orphan in _orphaned():
            _run(orphan)

    def orphan(self) -> None:
        """The response was dropped unclosed: leave the keys to the process's next flush."""
        pending, self.pending = self.pending, None
        if pending:
            with _orphans_lock:
                _orphans.append(pending)

    def attach(self, response: Any) -> None:
        """Run at ``response.close()``; at once when the response cannot call us back."""
        closers = getattr(response, "_resource_closers", None)
        if not self.pending:
            return
        if closers is None:
            self.run()
            return
        closers.append(self.run)
        weakref.finalize(response, self.orphan)


def batch_seconds() -> float:
    """How long after its response a request's index updates wait for others' (see :class:`_Batches`)."""
    return float(getattr(settings, "SEARCH_INDEX_BATCH_SECONDS", 0) or 0)


def _merge(into: _Pending, pending: _Pending) -> None:
    for label, pks in pending.keys.items():
        into.keys.setdefault(label, set()).update(pks)
    into.lookups.extend(pending.lookups)


class _Batches:
    """Index updates handed over by closed responses, run together a moment later.

    Run one by one, a burst of forum posts paid each post's index update in full: a read of the
    post with its thread, forum, working group and organisation, a transaction with its commit,
    the vocabulary, the retry queue — 14 % of the server's samples in the fan-out benchmark, in the
    process that also writes the posts to the sockets. Here the first update waits
    ``SEARCH_INDEX_BATCH_SECONDS`` (0.2 s) on a thread of its own, and every update handed over
    meanwhile joins it: one read, one transaction for the lot, the way an engine makes writes
    searchable on its refresh rather than one by one. Re-reading by key keeps it idempotent as
    before; a failure queues the keys for retry as before. Updates still waiting when the process
    exits run then (:func:`run_waiting_batches`, registered with ``atexit``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending = _Pending()
        self.timer: threading.Thread | None = None

    def add(self, pending: _Pending, delay: float) -> None:
        with self.lock:
            _merge(self.pending, pending)
            if self.timer is None:
                self.timer = threading.Thread(
                    target=self._run_after, args=(delay,), name="search-index-batch", daemon=True
                )
                self.timer.start()

    def take(self) -> _Pending:
        with self.lock:
            pending, self.pending = self.pending, _Pending()
            self.timer = None
        return pending

    def _run_after(self, delay: float) -> None:
        time.sleep(delay)
        try:
            _run(self.take())
        finally:
            connections.close_all()  # this thread's connection goes back to its pool


_batches = _Batches()


def run_waiting_batches() -> None:
    """Run the index updates still waiting for their batch now (at exit; tests)."""
    pending = _batches.take()
    if pending:
        _run(pending)


atexit.register(run_waiting_batches)


_orphans: list[_Pending] = []
_orphans_lock = threading.Lock()


def _orphaned() -> list[_Pending]:
    if not _orphans:
        return []
    with _orphans_lock:
        taken = _orphans[:]
        _orphans.clear()
    return taken


@contextmanager
def deferred_updates() -> Iterator[Deferred]:
    """Collect this thread's index updates instead of flushing them on commit; the yielded
    :class:`Deferred` holds them once the block ends (``attach`` it to the response). A block
    left by an exception flushes at once: there is no response to wait for."""
    outer = _state.__dict__.get("pending")
    _state.pending = _Pending()
    _state.deferring = getattr(_state, "deferring", 0) + 1
    deferred = Deferred(_Pending())
    try:
        yield deferred
    except BaseException:
        _state.deferring -= 1
        _state.pending, pending = outer or _Pending(), _state.pending
        _run(pending)
        raise
    _state.deferring -= 1
    _state.pending, deferred.pending = outer or _Pending(), _state.pending


def _run(pending: _Pending) -> None:
    keys = {label: set(pks) for label, pks in pending.keys.items()}
    for label, lookup, values in pending.lookups:
        index = _index(label)
        if index is None:
            continue
        found = (
            index.model_class()
            ._default_manager.filter(**{f"{lookup}__in": values})
            .values_list("pk", flat=True)
        )
        keys.setdefault(label, set()).update(found)
    for label, pks in keys.items():
        reindex(label, pks)


def _index(label: str) -> SearchIndex | None:
    return next((i for i in indexes() if i.model == label), None)


def reindex(label: str, pks: Iterable[Any], *, raise_errors: bool = False) -> int:
    """Index (or delete, when gone) these objects now. Failures are queued unless ``raise_errors``."""
    index = _index(label)
    pks = sorted(set(pks))
    if index is None or not pks:
        return 0
    model = index.model_class()
    content_type = ContentType.objects.get_for_model(model)
    try:
        objects = list(index.queryset().filter(pk__in=pks))
        backend = registry.get_backend()
        documents = index.build(objects, content_type.pk)
        missing = sorted(set(pks) - {o.pk for o in objects})
        if not backend.writes_in_database:  # HTTP calls: never inside a transaction
            backend.index(documents)
            backend.delete(content_type.pk, missing)
        # The database backend's rows, the vocabulary and the retry queue's rows commit together:
        # they were three transactions, each a commit (a forum post paid for all three).
        with transaction.atomic():
            if backend.writes_in_database:
                backend.index(documents)
                backend.delete(content_type.pk, missing)
            record_vocabulary(documents)
            _dequeue(content_type, pks)
    except Exception as exc:
        if raise_errors:
            raise
        logger.exception("Search index update failed for %s %s; queued for reindexing", label, pks[:20])
        _queue(content_type, pks, exc)
        return 0
    return len(pks)


def _queue(content_type: ContentType, pks: list[Any], exc: Exception) -> None:
    from network.search.models import ReindexQueue

    error = f"{type(exc).__name__}: {exc}"[:1000]
    try:
        for pk in pks:
            row, created = ReindexQueue.objects.get_or_create(
                content_type=content_type, object_id=pk, defaults={"attempts": 1, "last_error": error}
            )
            if not created:
                ReindexQueue.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=error)
    except Exception:  # the database itself is down: nothing more we can do than say so
        logger.exception("Could not queue search reindexing for %s", pks[:20])


def _dequeue(content_type: ContentType, pks: list[Any]) -> None:
    """Forget queued retries of what was just indexed: one plain ``DELETE`` (run after every
    index update, and nothing refers to the queue's rows, so not through the ORM's collector)."""
    from network.search.models import ReindexQueue

    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ReindexQueue._meta.db_table} WHERE content_type_id = %s AND object_id IN ({marks})",  # noqa: S608 - our names
            [content_type.pk, *pks],
        )


def process_queue(limit: int = 5000) -> tuple[int, int]:
    """Retry queued updates; returns ``(done, still_failing)``."""
    from network.search.models import ReindexQueue

    rows = list(ReindexQueue.objects.select_related("content_type").order_by("created_at")[:limit])
    by_label: dict[str, list[int]] = {}
    for row in rows:
        model = row.content_type.model_class()
        if model is None:
            row.delete()
            continue
        by_label.setdefault(model._meta.label, []).append(row.object_id)
    done = failed = 0
    for label, pks in by_label.items():
        try:
            done += reindex(label, pks, raise_errors=True)
        except Exception as exc:
            failed += len(pks)
            ReindexQueue.objects.filter(object_id__in=pks, content_type__in=_content_types(label)).update(
                attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:1000]
            )
    return done, failed


def _content_types(label: str) -> list[ContentType]:
    index = _index(label)
    return [ContentType.objects.get_for_model(index.model_class())] if index else []


# --- full rebuild ----------------------------------------------------------------------------------


class Progress:
    """A tqdm-like progress line on a text stream (no dependency, safe on non-terminals)."""

    def __init__(self, stream: TextIO | None, total: int, label: str, width: int = 30):
        self.stream, self.total, self.label, self.width = stream, total, label, width
        self.done = 0
        self.started = time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        if self.stream is None:
            return
        filled = int(self.width * self.done / self.total) if self.total else self.width
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"\r{self.label:<14} |{'█' * filled}{' ' * (self.width - filled)}| "
            f"{self.done}/{self.total} [{rate:,.0f} docs/s]"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            if not self.done:
                self.update(0)
            self.stream.write("\n")


def rebuild(
    *,
    stdout: TextIO | None = None,
    batch_size: int = BATCH_SIZE,
    only: Callable[[SearchIndex], bool] | None = None,
) -> dict[str, int]:
    """Reindex everything in batches, then drop what no longer exists. Returns counts per type.

    The database backends upsert in place (searches keep working throughout) and delete documents
    older than the rebuild at the end; Elasticsearch fills a new index and swaps the alias.
    """
    backend = registry.get_backend()
    started = timezone.now()
    counts: dict[str, int] = {}
    if only is not None:
        # Some types only: refresh them in place (a new index or stale-document sweep would drop
        # every other type).
        for index in indexes():
            if only(index):
                counts[index.type] = _rebuild_type(index, backend, stdout, batch_size)
        backend.analyze()
        return counts
    backend.begin_rebuild()
    try:
        for index in indexes():
            counts[index.type] = _rebuild_type(index, backend, stdout, batch_size)
    except BaseException:
        backend.abort_rebuild()
        raise
    backend.end_rebuild(started)
    return counts


def _rebuild_type(index: SearchIndex, backend: Any, stdout: TextIO | None, batch_size: int) -> int:
    content_type = ContentType.objects.get_for_model(index.model_class())
    queryset = index.queryset()
    progress = Progress(stdout, queryset.count(), index.type)
    last_pk: Any = None
    count = 0
    while True:
        batch_qs = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        batch = list(batch_qs[:batch_size])
        if not batch:
            break
        documents = index.build(batch, content_type.pk)
        backend.index(documents)
        record_vocabulary(documents)
        last_pk = batch[-1].pk
        count += len(batch)
        progress.update(len(batch))
    progress.close()
    return count

"""The SQLite backend keeps closed connections for the next request's thread (network/sqlite/base.py).

Each test opens its own database file through a connection handler of its own, as a server
process does, so what it counts is not disturbed by the suite's test database (a file too, pooled
like any other)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.db.utils import ConnectionHandler

from network.sqlite import base as sqlite_base


@pytest.fixture
def handler(tmp_path: Path, django_db_blocker) -> ConnectionHandler:
    path = tmp_path / "pool.sqlite3"
    handler = ConnectionHandler(
        {"default": {"ENGINE": "network.sqlite", "NAME": str(path), "OPTIONS": {"timeout": 5}}}
    )
    with django_db_blocker.unblock():
        handler["default"].ensure_connection()  # the file exists from here on
        handler["default"].close()
        yield handler
        handler.close_all()
    for pool in sqlite_base._pools.values():
        while (kept := pool.take()) is not None:
            kept.close()


def _in_thread(handler: ConnectionHandler, work) -> object:
    """Run ``work(wrapper)`` on a new thread (as Django's ASGI handler runs a request) and close
    the thread's connection at the end, as the request's end does."""
    out: dict[str, object] = {}

    def run() -> None:
        wrapper = handler["default"]
        try:
            out["value"] = work(wrapper)
        finally:
            wrapper.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return out.get("value")


def _raw(wrapper) -> object:
    wrapper.ensure_connection()
    return wrapper.connection


def test_the_next_requests_thread_gets_the_connection_the_last_one_closed(handler) -> None:
    first = _in_thread(handler, _raw)
    second = _in_thread(handler, _raw)
    assert first is second

    # and it is a working connection in autocommit, with the backend's pragmas still set
    def check(wrapper) -> tuple:
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
            cursor.execute("INSERT INTO t VALUES (1)")
            cursor.execute("PRAGMA foreign_keys")
            foreign_keys = cursor.fetchone()[0]
        return wrapper.get_autocommit(), foreign_keys, wrapper.connection.in_transaction

    assert _in_thread(handler, check) == (True, 1, False)


def test_threads_at_once_never_share_a_connection(handler) -> None:
    barrier = threading.Barrier(3)
    seen: list[object] = []

    def hold(wrapper) -> None:
        seen.append(_raw(wrapper))
        barrier.wait(timeout=10)

    threads = [threading.Thread(target=lambda: _in_thread(handler, hold)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len({id(c) for c in seen}) == 3


def test_a_connection_closed_mid_transaction_or_after_an_error_is_not_kept(handler) -> None:
    def mid_transaction(wrapper) -> object:
        raw = _raw(wrapper)
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
        return raw

    dirty = _in_thread(handler, mid_transaction)
    assert _in_thread(handler, _raw) is not dirty

    def failing(wrapper) -> object:
        raw = _raw(wrapper)
        with pytest.raises(DatabaseError), wrapper.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
        return raw

    failed = _in_thread(handler, failing)
    assert _in_thread(handler, _raw) is not failed


def test_a_file_made_again_under_the_same_name_gets_no_connection_of_the_old_one(handler) -> None:
    old = _in_thread(handler, _raw)
    path = Path(handler["default"].settings_dict["NAME"])
    path.unlink()
    path.with_name(path.name + "-wal").unlink(missing_ok=True)
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    path.touch()
    assert _in_thread(handler, _raw) is not old


def test_an_in_memory_database_is_not_pooled() -> None:
    handler = ConnectionHandler({"default": {"ENGINE": "network.sqlite", "NAME": ":memory:"}})
    assert handler["default"]._pool() is None

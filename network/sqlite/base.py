"""Django's SQLite backend, validating integers against the columns PostgreSQL has.

Every model integer field validates its value against the range of its column
(``IntegerField.validators``, from ``connection.ops.integer_field_range``), so ``full_clean``, model
forms, the admin and DRF's model serializers all refuse a number the database cannot hold with a
field error. SQLite reports 64 bits for every integer type, so a ``PositiveIntegerField`` took
``5000000000`` here that PostgreSQL refuses ("integer out of range"), and values past 2**63 reached
the driver (``OverflowError``, a 500; #20). With PostgreSQL's ranges on both, a rule is one rule: the
same input is refused the same way whichever database runs, and a database moved from SQLite to
PostgreSQL never holds a value its new columns cannot.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def integer_field_range(self, internal_type: str) -> tuple[int, int]:
        return BaseDatabaseOperations.integer_field_range(self, internal_type)


class _Pool:
    """Open connections to one SQLite file, kept between requests (see :class:`DatabaseWrapper`)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free: list[Any] = []
        self.lock = threading.Lock()

    def take(self) -> Any | None:
        with self.lock:
            return self.free.pop() if self.free else None

    def give(self, connection: Any) -> bool:
        with self.lock:
            if len(self.free) >= self.size:
                return False
            self.free.append(connection)
            return True


_pools: dict[tuple[str, int, int], _Pool] = {}
_pools_lock = threading.Lock()

#: Connections kept open per database file and process: as many as requests a process runs at once.
POOL_SIZE = 8


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's SQLite wrapper with PostgreSQL's integer ranges and a small pool of open connections.

    Django's ASGI handler runs each request on a thread of its own, and a database connection is
    per thread, so every request opened SQLite afresh: the file, the pragmas and Django's forty-odd
    SQL functions registered again — 3 % of a forum post request's server time in py-spy profiles
    of the fan-out benchmark. A connection closed at the end of a request now goes back to a pool
    of its database file (at most :data:`POOL_SIZE`) and the next request's thread takes it (the
    driver's connections are opened with ``check_same_thread=False``; one thread uses one at a
    time). Only a clean connection goes back: autocommit, no transaction open, no error seen, and
    never an in-memory database (Django never closes those). PostgreSQL has its own pool
    (``DATABASES["default"]["OPTIONS"]["pool"]``)."""

    ops_class = DatabaseOperations

    def _pool(self) -> _Pool | None:
        """The pool of this database file; ``None`` for an in-memory database. Keyed by the file
        itself (device and inode), not only its name: a file deleted and created again under the
        same name (a test database) must not get connections still open on the old one."""
        if self.is_in_memory_db():
            return None
        try:
            stat = os.stat(self.settings_dict["NAME"])
        except (OSError, TypeError, ValueError):
            return None
        key = (self.alias, stat.st_dev, stat.st_ino)
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.setdefault(key, _Pool(POOL_SIZE))
        return pool

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pool = self._pool()
        kept = pool.take() if pool is not None else None
        return kept if kept is not None else super().get_new_connection(conn_params)

    def _close(self) -> None:
        connection = self.connection
        pool = self._pool()
        clean = (
            connection is not None
            and pool is not None
            and self.get_autocommit()
            and not self.in_atomic_block
            and not self.errors_occurred
            and not connection.in_transaction
        )
        if clean and pool.give(connection):
            return
        super()._close()

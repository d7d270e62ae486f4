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

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def integer_field_range(self, internal_type: str) -> tuple[int, int]:
        return BaseDatabaseOperations.integer_field_range(self, internal_type)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

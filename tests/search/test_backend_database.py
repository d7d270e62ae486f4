"""The backend contract against the database backend of the database the suite runs on.

SQLite (FTS5 + Snowball stems in Python) runs when the suite runs on SQLite; PostgreSQL (stored
generated tsvector, per-language configurations) when it runs on PostgreSQL. CI runs both; the
class for the other database is deselected at collection (``tests/conftest.py``), not skipped.
"""

from __future__ import annotations

import pytest

from tests.search.contract import BackendContract


@pytest.mark.database("sqlite")
class TestSQLiteBackend(BackendContract):
    # Known gaps: none of the contract's cases. Stems come from Python Snowball; phrases match
    # first-pass stems only (an inflected phrase may miss a base-form phrase).
    known_gaps: dict[str, str] = {}

    @pytest.fixture
    def search_backend(self):
        from network.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()


@pytest.mark.database("postgresql")
class TestPostgresBackend(BackendContract):
    # Known gaps: PostgreSQL's configurations drop stop words ("the", "och"), so a query of stop
    # words only matches nothing, as in websearch_to_tsquery.
    known_gaps: dict[str, str] = {}

    @pytest.fixture
    def search_backend(self):
        from network.search.backends.postgres import PostgresBackend

        return PostgresBackend()

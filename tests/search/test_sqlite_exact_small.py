"""SQLite ranks a small match set itself: FTS5's bm25 of every match computed in Python from the
stored terms, idf cached (``SQLiteBackend._exact``), instead of FTS5's ``ORDER BY rank``. The page
and its scores must be FTS5's own. Through the real backend and the real FTS5 tables."""

from __future__ import annotations

import pytest

from network.search import SearchQuery, search
from network.search.backends import sqlite
from network.search.backends.sqlite import SQLiteBackend
from network.search.cpv import expand
from network.visibility import viewer_for
from tests.search.contract import BackendWorld
from tests.search.test_sqlite_two_pass import QUERIES


@pytest.mark.database("sqlite")
class TestSQLiteExactSmallMatchSets(BackendWorld):
    @pytest.fixture
    def search_backend(self):
        return SQLiteBackend()

    @pytest.fixture
    def exact_runs(self, monkeypatch):
        """What each ``_exact`` call returned."""
        runs: list = []
        original = SQLiteBackend._exact

        def recorded(backend, *args, **kwargs):
            page = original(backend, *args, **kwargs)
            runs.append(page)
            return page

        monkeypatch.setattr(SQLiteBackend, "_exact", recorded)
        return runs

    def find(self, monkeypatch, person, text, filters, *, in_python: bool):
        monkeypatch.setattr(sqlite, "TWO_PASS_ABOVE", 10**9)
        monkeypatch.setattr(sqlite, "EXACT_IN_PYTHON_UP_TO", 10**9 if in_python else -1)
        query = SearchQuery(text, filters=filters, page_size=50)
        page, _total, _facets = SQLiteBackend().find(viewer_for(person), query, expand(query.parsed()))
        return page

    def test_page_and_scores_are_fts5s(self, world, monkeypatch, exact_runs):
        queries = [
            *QUERIES,
            ("phone OR laptop OR clauses", {}),
            ("electronics watch", {}),
            ("fair -laptop", {}),
        ]
        for person in (None, world.hel_member, world.mal_member):
            for text, filters in queries:
                fts5 = self.find(monkeypatch, person, text, filters, in_python=False)
                assert exact_runs == []
                python = self.find(monkeypatch, person, text, filters, in_python=True)
                assert exact_runs.pop() is not None, text
                assert [pk for pk, _s in python] == [pk for pk, _s in fts5], text
                for (_pk, score), (_same, expected) in zip(python, fts5, strict=True):
                    assert score == pytest.approx(expected, rel=1e-12, abs=0), text
        assert any(self.find(monkeypatch, world.hel_member, t, f, in_python=True) for t, f in queries)

    def test_never_returns_private_document_from_other_organisation(self, world, monkeypatch, exact_runs):
        monkeypatch.setattr(sqlite, "TWO_PASS_ABOVE", 10**9)
        monkeypatch.setattr(sqlite, "EXACT_IN_PYTHON_UP_TO", 10**9)
        for person in (None, world.hel_member, world.ams_member, world.unv_member):
            results = search(person, SearchQuery("laptop pricing OR secret OR laptop"))
            assert ("template", world.secret.pk) not in {(h.type, h.id) for h in results.hits}
        assert exact_runs and all(run is not None for run in exact_runs)
        # Its owner's member finds it on the same path (the case above could fail).
        found = search(world.mal_member, SearchQuery("secret laptop pricing OR laptop"))
        assert ("template", world.secret.pk) in {(h.type, h.id) for h in found.hits}

"""SQLite ranks a large match set in two passes: a bounded first pass over ``search_head``
(titles and summaries keyed by document length), then FTS5's exact bm25 recomputed for the best
few (``network.search.backends.sqlite``).

Production switches to two passes above 2,000 matches; here the threshold is lowered to 0 and the
first pass to a handful, so a small corpus takes the same path. Through the real backend and the
real FTS5 tables.
"""

from __future__ import annotations

import pytest
from django.db import connection

from network.search import SearchQuery, search
from network.search.backends import sqlite
from network.search.backends.sqlite import SQLiteBackend, head_keys
from network.search.cpv import expand
from network.visibility import viewer_for
from tests.search import factories as sf
from tests.search.contract import BackendWorld

QUERIES = [
    ("laptop", {}),
    ("laptop repair", {}),
    ('"laptop fleet"', {}),
    ("laptop OR phone", {}),
    ("laptop -secret", {}),
    ("laptop", {"type": ["template"]}),
]


@pytest.mark.database("sqlite")
class TestSQLiteTwoPassRanking(BackendWorld):
    @pytest.fixture
    def search_backend(self):
        return SQLiteBackend()

    @pytest.fixture
    def laptops(self, world, django_capture_on_commit_callbacks):
        """Public laptop templates of different lengths and term frequencies."""
        with django_capture_on_commit_callbacks(execute=True):
            return [
                sf.template(
                    world.hel if i % 2 else world.ams,
                    f"Laptop fleet {'renewal ' * i}plan",
                    summary=f"Repair and reuse of every laptop{' laptop' * (i % 3)}; {'spare parts ' * i}kept.",
                    visibility="public",
                    cpv_codes=["30213100"],
                )
                for i in range(1, 8)
            ]

    @pytest.fixture
    def two_pass_runs(self, monkeypatch):
        """What each ``_two_pass`` call returned (``None``: it fell back to ranking every match)."""
        runs: list = []
        original = SQLiteBackend._two_pass

        def recorded(backend, *args, **kwargs):
            page = original(backend, *args, **kwargs)
            runs.append(page)
            return page

        monkeypatch.setattr(SQLiteBackend, "_two_pass", recorded)
        return runs

    def find(self, monkeypatch, person, text, filters, *, two_pass: bool, first_pass: int = 300, size=100):
        monkeypatch.setattr(sqlite, "TWO_PASS_ABOVE", 0 if two_pass else 10**9)
        monkeypatch.setattr(sqlite, "FIRST_PASS", first_pass)
        query = SearchQuery(text, filters=filters, page_size=size)
        page, total, _facets = SQLiteBackend().find(viewer_for(person), query, expand(query.parsed()))
        return page, total

    def test_exact_pass_gives_fts5s_own_bm25_scores(self, world, laptops, monkeypatch, two_pass_runs):
        for text, filters in QUERIES:
            exact, total = self.find(monkeypatch, world.hel_member, text, filters, two_pass=False)
            assert total >= 3, text
            page, _total = self.find(
                monkeypatch, world.hel_member, text, filters, two_pass=True, first_pass=3, size=3
            )
            assert two_pass_runs[-1] is not None, text  # the two-pass path ran (no fallback)
            scores = dict(exact)
            assert len(page) == 3
            for pk, score in page:
                # Python's bm25 is FTS5's: same formula, phrase order and statistics.
                assert score == pytest.approx(scores[pk], rel=1e-12, abs=0), (text, pk)

    def test_page_is_the_exact_page_when_the_first_pass_holds_every_match(
        self, world, laptops, monkeypatch, two_pass_runs
    ):
        for text, filters in QUERIES:
            exact, total = self.find(monkeypatch, world.hel_member, text, filters, two_pass=False)
            page, _total = self.find(
                monkeypatch, world.hel_member, text, filters, two_pass=True, first_pass=total, size=total
            )
            if two_pass_runs[-1] is None:
                continue  # a match holds no query word in its title or summary: ranked exactly
            assert [pk for pk, _s in page] == [pk for pk, _s in exact], text
        assert any(run is not None for run in two_pass_runs)

    def test_words_mostly_in_bodies_fall_back_to_ranking_every_match(
        self, world, laptops, monkeypatch, two_pass_runs
    ):
        # "supplier" is only in a criterion of the phone template (its body): no title or summary holds it.
        page, total = self.find(
            monkeypatch, world.hel_member, "supplier", {}, two_pass=True, first_pass=1, size=1
        )
        assert total == 1 and two_pass_runs == [None]
        assert len(page) == 1

    def test_two_pass_never_returns_private_document_from_other_organisation(
        self, world, laptops, monkeypatch, two_pass_runs
    ):
        monkeypatch.setattr(sqlite, "TWO_PASS_ABOVE", 0)
        monkeypatch.setattr(sqlite, "FIRST_PASS", 40)  # the windows grouping reads (40) fit
        for person in (None, world.hel_member, world.ams_member, world.unv_member):
            for page in (1, 2):
                results = search(
                    person, SearchQuery("laptop pricing OR secret OR laptop", page_size=3, page=page)
                )
                assert world.secret.pk not in {h.id for h in results.hits if h.type == "template"}
        assert any(run is not None for run in two_pass_runs)
        # Its owner's member finds it on the same path (the case above could fail).
        two_pass_runs.clear()
        found = search(world.mal_member, SearchQuery("secret laptop pricing OR laptop", page_size=3))
        assert two_pass_runs and two_pass_runs[0] is not None
        assert world.secret.pk in {h.id for h in found.hits if h.type == "template"}

    def test_first_pass_table_follows_every_write(self, world, laptops, django_capture_on_commit_callbacks):
        def consistent() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT rowid FROM search_fts ORDER BY rowid")
                ids = [pk for (pk,) in cursor.fetchall()]
                cursor.execute("SELECT rowid FROM search_head ORDER BY rowid")
                keys = sorted(key for (key,) in cursor.fetchall())
                # One head row per indexed document, keyed by FTS5's own length of it.
                assert keys == sorted(head_keys(cursor, ids).values())

        consistent()
        first = laptops[0]
        with django_capture_on_commit_callbacks(execute=True):
            first.summary = "A much longer summary: " + "laptop battery replacement " * 20
            first.save()
        consistent()
        with django_capture_on_commit_callbacks(execute=True):
            laptops[1].delete()
        consistent()
        SQLiteBackend().clear()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_head")
            assert cursor.fetchone()[0] == 0

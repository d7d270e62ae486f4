"""The backend contract against the database backend of the database the suite runs on.

SQLite (FTS5 + Snowball stems in Python) runs when the suite runs on SQLite; PostgreSQL (stored
generated tsvector, per-language configurations) when it runs on PostgreSQL. CI runs both; the
class for the other database is deselected at collection (``tests/conftest.py``), not skipped.
"""

from __future__ import annotations

import pytest

from network.search import SearchQuery, search
from tests.search.contract import BackendContract, BackendWorld


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


class EstimatedFacets(BackendWorld):
    """Facet counts of the database backends above ``SEARCH_FACET_EXACT_LIMIT`` matches: estimated
    from a fixed sample of that many visible matches, flagged approximate (a small limit stands in
    for the 1,000 of production, so the cases stay fast). The engine counts exactly by design."""

    QUERY = "laptop OR phone OR tietokone"  # the Helsinki member reads 4 of its matches

    def facets(self, person, text=QUERY, **kwargs):
        results = search(person, SearchQuery(text, **kwargs))
        return results, {name: {v.value: v for v in values} for name, values in results.facets.items()}

    def test_counts_stay_exact_up_to_the_limit(self, world, settings):
        settings.SEARCH_FACET_EXACT_LIMIT = 4
        results, facets = self.facets(world.hel_member)
        assert results.total == 4
        assert {v: c.count for v, c in facets["type"].items()} == {"template": 3, "lesson": 1}
        assert not any(c.approximate for values in facets.values() for c in values.values())

    def test_counts_above_the_limit_are_estimates_flagged_approximate(self, world, settings):
        settings.SEARCH_FACET_EXACT_LIMIT = 2
        results, facets = self.facets(world.hel_member)
        assert results.total == 4  # the total stays exact
        assert all(c.approximate for values in facets.values() for c in values.values())
        types = {v: c.count for v, c in facets["type"].items()}
        # Two of the four matches sampled, each standing for two: every match has one type.
        assert sum(types.values()) == 4 and set(types) <= {"template", "lesson"}
        assert all(c % 2 == 0 for c in types.values())
        # The same search samples the same matches: counts do not change between pages.
        _again, repeated = self.facets(world.hel_member, page_size=1, page=2)
        assert {v: c.count for v, c in repeated["type"].items()} == types

    def test_private_document_from_other_organisation_never_counted_in_estimates(self, world, settings):
        settings.SEARCH_FACET_EXACT_LIMIT = 1
        for person in (None, world.hel_member, world.ams_member, world.unv_member):
            for text, filters in (
                (self.QUERY, {}),
                ("laptop pricing OR secret OR laptop", {}),
                ("", {"type": ["template"]}),
            ):
                results, facets = self.facets(person, text, filters=filters)
                flags = {c.approximate for c in facets.get("type", {}).values()}
                assert flags == ({True} if results.total > 1 else {False} if results.total else set())
                assert "epeat" not in facets.get("label", {})  # only the secret template has EPEAT
                assert world.secret.pk not in {h.id for h in results.hits if h.type == "template"}
        estimated, _facets = self.facets(world.hel_member, filters={"type": ["template"]})
        assert estimated.total > 1  # the loop above met the estimated path
        # Its owner's member does count it (the case above could fail).
        _own, facets = self.facets(world.mal_member, "secret")
        assert set(facets["label"]) == {"epeat"}


@pytest.mark.database("sqlite")
class TestSQLiteEstimatedFacets(EstimatedFacets):
    @pytest.fixture
    def search_backend(self):
        from network.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()


@pytest.mark.database("postgresql")
class TestPostgresEstimatedFacets(EstimatedFacets):
    @pytest.fixture
    def search_backend(self):
        from network.search.backends.postgres import PostgresBackend

        return PostgresBackend()

"""PostgreSQL's exact pass and the planning of a search's statements.

The exact pass ranks a single-language document with its own language's query terms only
(:func:`network.search.backends.postgres.exact_rank`): the rank must equal ``ts_rank_cd`` with
every language's alternatives, for single-language and mixed-language documents alike, words,
phrases, ``OR`` and exclusions. A search's statements share one transaction and one ``SET``.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.search import SearchQuery, search
from network.search.backends.database import query_languages
from network.search.cpv import expand
from network.search.models import SearchDocument
from tests.search import factories as sf
from tests.search.contract import BackendWorld

QUERIES = (
    "laptop",
    "tietokone",
    "dator",
    "laptop take-back",
    '"Electronics Watch"',
    '"take-back of every laptop"',
    "laptop OR phone OR tietokone",
    "laptop -leasing",
    'clauses -"Electronics Watch"',
    "kannettavien tietokoneiden",
)


@pytest.mark.database("postgresql")
class TestPostgresExactPass(BackendWorld):
    @pytest.fixture
    def search_backend(self):
        from network.search.backends.postgres import PostgresBackend

        return PostgresBackend()

    @pytest.fixture
    def mixed(self, world, django_capture_on_commit_callbacks):
        """A document whose title is Finnish and description Swedish (``field_languages``)."""
        with django_capture_on_commit_callbacks(execute=True):
            return sf.tender(
                world.mal,
                "Kannettavien tietokoneiden yhteishankinta",
                visibility="public",
                description="Vi köper bärbara datorer och laptop med take-back för skolorna.",
            )

    def ranks(self, text: str, filters: dict | None = None) -> list[tuple[int, float, float, bool]]:
        """``(document, full-query rank, per-language rank, single language)`` for every match."""
        from network.search.backends.postgres import SINGLE_LANGUAGE_SQL, exact_rank, tsquery

        query = SearchQuery(text, filters=filters or {})
        parsed = expand(query.parsed())
        languages = query_languages(query)
        words, ranking = tsquery(parsed, languages), tsquery(parsed, languages, ranking=True)
        expression, params = exact_rank(parsed, languages, ranking)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, ts_rank_cd(d.search_vector, %s::tsquery), {expression}, {SINGLE_LANGUAGE_SQL} "  # noqa: S608 - our SQL
                "FROM search_searchdocument d WHERE d.search_vector @@ %s::tsquery ORDER BY d.id",
                (ranking, *params, words),
            )
            return cursor.fetchall()

    def test_per_language_exact_rank_equals_the_full_querys(self, world, mixed):
        seen_single = seen_mixed = 0
        for text in QUERIES:
            rows = self.ranks(text)
            for _pk, full, per_language, single in rows:
                assert per_language == full, text
                seen_single += single
                seen_mixed += not single
        # Both kinds of document were ranked (the mixed one by the full query).
        assert seen_single > 5 and seen_mixed >= 3

    def test_a_language_filter_ranks_with_that_languages_terms(self, world, mixed):
        rows = self.ranks("tietokone", {"language": ["fi"]})
        assert rows and all(full == per_language for _pk, full, per_language, _single in rows)

    def test_hits_score_the_full_querys_exact_rank(self, world, mixed):
        """Through the whole search: each hit's score is ``ts_rank_cd`` with every language's
        alternatives, the mixed-language tender included, and the page is in that order."""
        hits = search(None, SearchQuery("laptop OR tietokone OR dator", page_size=50)).hits
        scores = [h.score for h in hits]
        assert len(hits) >= 3 and scores == sorted(scores, reverse=True)
        by_id = {(h.type, h.id): h.score for h in hits}
        full = {pk: rank for pk, rank, _p, _s in self.ranks("laptop OR tietokone OR dator")}
        assert ("tender", mixed.pk) in by_id
        for document in SearchDocument.objects.filter(pk__in=full):
            key = (document.type, document.object_id)
            if key in by_id and document.type != "post":
                assert by_id[key] == pytest.approx(full[document.pk], abs=1e-6)

    def test_a_partial_search_is_one_transaction_planned_once(self, world):
        with CaptureQueriesContext(connection) as captured:
            results = search(world.hel_member, SearchQuery("laptop take-back zebra"))
        assert results.partial  # the forgiving steps ran: two ranked statements and the counts
        settings_statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET")]
        assert settings_statements == ["SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"]
        ranked = [q for q in captured.captured_queries if q["sql"].startswith("WITH m AS")]
        assert len(ranked) == 2

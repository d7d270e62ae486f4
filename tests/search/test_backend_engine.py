"""The backend contract live against the search engine (the OpenSearch node in CI; any
Elasticsearch 8/9 or OpenSearch 2/3 cluster via ``SEARCH_TEST_URL``).

Every case of :class:`~tests.search.contract.BackendContract`, on a throw-away index prefix per
test (dropped afterwards). Without an engine these fail under ``make test``/CI and skip elsewhere
(see :mod:`tests.search.engine`); nothing fakes an engine.
"""

from __future__ import annotations

import pytest

from tests.search.contract import BackendContract
from tests.search.engine import live_backend

pytestmark = pytest.mark.engine


class TestEngineBackend(BackendContract):
    # Terms come from the same Python analysis chain as the database backends, so the engine finds
    # what they find. Known gaps: forgiving queries and thread grouping (below).
    known_gaps: dict[str, str] = dict.fromkeys(
        (
            "test_most_words_follow_every_word_with_the_missing_ones_named",
            "test_a_natural_question_finds_the_thread_lacking_one_word",
            "test_a_thread_appears_once_with_its_best_post_and_match_count",
            "test_snippets_show_rendered_text_not_markdown",
            "test_posts_follow_their_forum_and_removed_posts_leave",
        ),
        "forgiving queries and one hit per thread run on the database backends only so far "
        "(network/search/forgiving.py works on SQL windows); the engine answers strictly, post by post",
    )

    @pytest.fixture(scope="class")
    @classmethod
    def search_backend(cls):
        # One index per class (creating one costs ~0.4 s); the contract clears it around every case.
        backend = live_backend()
        yield backend
        backend.drop()

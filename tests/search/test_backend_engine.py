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
    # what they find; forgiving queries and one hit per thread run on the engine's own means
    # (network/search/backends/engine_steps.py). Known gaps: none.
    known_gaps: dict[str, str] = {}

    @pytest.fixture(scope="class")
    @classmethod
    def search_backend(cls):
        # One index per class (creating one costs ~0.4 s); the contract clears it around every case.
        backend = live_backend()
        yield backend
        backend.drop()

"""The backend contract against a real Elasticsearch cluster, only when ``ELASTICSEARCH_URL`` is set.

No cluster runs in this environment, so these tests skip (stated in the skip reason); nothing
fakes a cluster. Each run uses its own index prefix and deletes its indices afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.search.contract import BackendContract

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.mark.skipif(
    not ELASTICSEARCH_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch to test against"
)
class TestElasticsearchBackend(BackendContract):
    # Known gaps: phrases match first-pass stems only (as on the database backends); the
    # Snowball version inside Elasticsearch may stem a few words differently from Python's.
    known_gaps: dict[str, str] = {}

    @pytest.fixture
    def search_backend(self):
        from network.search.backends.elasticsearch import ElasticsearchBackend

        backend = ElasticsearchBackend(ELASTICSEARCH_URL, f"bn-test-{uuid.uuid4().hex[:8]}")
        yield backend
        backend.client.indices.delete(index=f"{backend.alias}-*", ignore_unavailable=True)

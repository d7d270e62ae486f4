"""Which live search engine the engine tests use, and what happens when none answers.

The node is the one ``scripts/services.sh up`` (``engines/opensearch/run.sh``) starts on
127.0.0.1:9200; ``SEARCH_TEST_URL`` points elsewhere (e.g. an Elasticsearch 8/9 cluster).
When no engine answers: with ``SEARCH_TEST_REQUIRED=1`` (``make test`` and ``.ci/run`` set it) or
``CI`` set, every engine test FAILS saying so — a skip never stands in for a missing engine there;
elsewhere (a developer's quick run without the node) the tests skip with the command to start it.
"""

from __future__ import annotations

import os
import uuid
from functools import lru_cache

import pytest

SEARCH_TEST_URL = os.environ.get("SEARCH_TEST_URL", "http://127.0.0.1:9200")
REQUIRED = os.environ.get("SEARCH_TEST_REQUIRED", "") not in ("", "0") or bool(os.environ.get("CI"))


@lru_cache(maxsize=1)
def _probe() -> str:
    """The engine's name, or '' when nothing answers at SEARCH_TEST_URL (asked once per run)."""
    from network.search.backends.transport import detect_engine

    try:
        return detect_engine(SEARCH_TEST_URL, timeout=3.0)
    except Exception:
        return ""


def require_engine() -> str:
    """The live engine's name; fail (CI, make test) or skip (a developer's run) without one."""
    engine = _probe()
    if not engine:
        message = (
            f"no search engine answers at {SEARCH_TEST_URL}: start it with "
            "`scripts/services.sh up opensearch` (or set SEARCH_TEST_URL)"
        )
        if REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return engine


def live_backend(prefix: str = "bn-test", url: str | None = None):
    """An engine backend on its own throw-away index prefix (drop it with ``backend.drop()``)."""
    from network.search.backends.engine import EngineBackend

    engine = require_engine() if url is None else ""
    return EngineBackend(url or SEARCH_TEST_URL, f"{prefix}-{uuid.uuid4().hex[:10]}", engine=engine)

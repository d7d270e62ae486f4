from __future__ import annotations

import pytest

from network.search import indexing


@pytest.fixture(autouse=True)
def _fresh_index_state():
    """Keys noted by an earlier test's rolled-back transaction must not flush into this one."""
    indexing._state.pending = indexing._Pending()
    yield
    indexing._state.pending = indexing._Pending()

"""Fixtures for the knowledge tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cpv_vocabulary(request):
    """The shipped CPV codes come from a data migration; a transactional test elsewhere in the run
    flushes every table at its end, so put them back when they are gone."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from knowledge import cpv
    from knowledge.models import CpvCode

    if not CpvCode.objects.filter(code="30213100").exists():
        cpv.load_rows(cpv.read_csv_rows(cpv.SHIPPED_FILE))

"""``loaddemo --scale N`` builds a multilingual corpus in bulk and indexes it once."""

from __future__ import annotations

from io import StringIO

import pytest

from network import demo_scale
from network.search import SearchQuery, search
from network.search.models import SearchDocument
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_scale_generates_indexed_multilingual_documents_and_tops_up_idempotently():
    f.organisation("City of Helsinki")
    f.working_group(members=[f.organisation("City of Malmö", country="SE")])
    out = StringIO()
    demo_scale.load(out, 40)
    assert "Added 40 synthetic documents" in out.getvalue()
    docs = SearchDocument.objects.exclude(type="organisation")
    assert docs.count() == 40
    assert set(docs.values_list("language", flat=True)) == set(demo_scale.VOCABULARY)
    assert search(None, SearchQuery("Electronics Watch")).total > 0
    demo_scale.load(StringIO(), 40)
    assert SearchDocument.objects.exclude(type="organisation").count() == 40

"""The Elasticsearch backend's mapping, documents and request bodies, without a cluster.

No cluster exists here, so these check what the backend *sends*; the behavioural contract runs
against a real cluster in ``test_backend_elasticsearch.py`` when ``ELASTICSEARCH_URL`` is set.
An outage is tested against a real client pointed at a closed port (nothing is faked).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from network.search import indexing
from network.search import registry as search_registry
from network.search.backends.elasticsearch import (
    ElasticsearchBackend,
    SearchDocumentES,
    build_search,
    to_source,
    visibility_filter,
)
from network.search.models import ReindexQueue
from network.search.query import SearchQuery, parse
from network.search.spec import IndexedDocument
from network.visibility import ANONYMOUS, Viewer
from tests import factories as f
from tests.search import factories as sf


def test_mapping_has_a_language_analysed_field_per_language_and_keyword_facets():
    index = ElasticsearchBackend("http://unused:9200", "bn").new_index()
    body = index.to_dict()
    props = body["mappings"]["properties"]
    assert props["title_fi"] == {"type": "text", "analyzer": "bn_fi"}
    assert props["body_sv"] == {"type": "text", "analyzer": "bn_sv"}
    assert props["summary_und"] == {"type": "text", "analyzer": "bn_und"}
    assert props["facet_cpv"] == {"type": "keyword"}
    assert props["group_ids"] == {"type": "long"}
    analysis = body["settings"]["analysis"]
    assert analysis["filter"]["bn_fi_stem"] == {"type": "snowball", "language": "Finnish"}
    assert analysis["filter"]["bn_sv_stop"] == {"type": "stop", "stopwords": "_swedish_"}
    assert analysis["analyzer"]["bn_de"]["filter"] == ["lowercase", "bn_de_stop", "bn_de_stem"]
    assert index._name.startswith("bn-search-")
    assert SearchDocumentES._doc_type.mapping.to_dict()["properties"]["is_public"] == {"type": "boolean"}


def test_document_fills_only_its_own_language_fields():
    doc = IndexedDocument(
        type="template",
        content_type_id=7,
        object_id=3,
        title="Kannettava tietokone",
        summary="Tiivistelmä",
        body="Teksti",
        language="fi",
        date=datetime(2026, 1, 2, tzinfo=UTC),
        organisation_id=5,
        visibility="group",
        group_ids=[9],
        facets={"cpv": [("30", "30 - Office")]},
    )
    source = to_source(doc)
    assert source["title_fi"] == "Kannettava tietokone" and "title_en" not in source
    assert source["facet_cpv"] == ["30"]
    assert source["facet_cpv_kv"] == ["30\x1f30 - Office"]
    assert source["doc_key"] == "7-3" and source["group_ids"] == [9]


def test_visibility_filter_for_anonymous_is_public_only():
    assert visibility_filter(ANONYMOUS).to_dict() == {
        "bool": {"should": [{"term": {"is_public": True}}], "minimum_should_match": 1}
    }


def test_visibility_filter_for_a_member_mirrors_the_policy():
    viewer = Viewer(
        person_id=1, organisation_ids=frozenset({4}), group_ids=frozenset({8}), verified_member=True
    )
    assert visibility_filter(viewer).to_dict()["bool"]["should"] == [
        {"term": {"is_public": True}},
        {"terms": {"organisation_id": [4]}},
        {"terms": {"co_owner_ids": [4]}},
        {"term": {"visibility": "network"}},
        {"bool": {"filter": [{"term": {"visibility": "group"}}, {"terms": {"group_ids": [8]}}]}},
    ]


def test_query_is_built_from_parsed_words_with_filters_aggregations_and_highlight():
    query = SearchQuery('datorer "fair phone" -leasing', filters={"country": ["SE"]}, page=2, page_size=10)
    body = build_search(ANONYMOUS, query, parse(query.text), ["sv"]).to_dict()
    bool_query = body["query"]["bool"]
    word, phrase = (clause["bool"]["should"][0] for clause in bool_query["must"])
    assert word["bool"]["should"][0]["multi_match"] == {
        "query": "datorer",
        "fields": ["title_sv^3", "summary_sv^2", "body_sv^1"],
    }
    assert {"term": {"title_sv": "dat"}} in word["bool"]["should"]  # stem of the stem
    assert phrase["multi_match"]["type"] == "phrase" and phrase["multi_match"]["query"] == "fair phone"
    assert bool_query["must_not"][0]["multi_match"]["query"] == "leasing"
    assert {"terms": {"facet_country": ["SE"]}} in bool_query["filter"]
    assert bool_query["filter"][0] == visibility_filter(ANONYMOUS).to_dict()
    assert body["aggs"]["cpv"] == {"terms": {"field": "facet_cpv_kv", "size": 25}}
    assert body["highlight"]["encoder"] == "html" and body["highlight"]["pre_tags"] == ["<mark>"]
    assert body["from"] == 10 and body["size"] == 10
    assert "query_string" not in str(body) and "simple_query_string" not in str(body)


def test_hostile_input_stays_inside_match_queries():
    query = SearchQuery('title:secret OR (a AND b) NOT* "')
    body = str(build_search(ANONYMOUS, query, parse(query.text), ["en"]).to_dict())
    assert "query_string" not in body
    assert "'query': 'title secret'" in body


@pytest.mark.django_db
def test_elasticsearch_outage_never_fails_the_save_and_queues_the_row(
    monkeypatch, client, django_capture_on_commit_callbacks
):
    dead = ElasticsearchBackend("http://127.0.0.1:1", "bn-test", timeout=1)
    monkeypatch.setattr(search_registry, "get_backend", lambda: dead)
    org = f.organisation()
    ReindexQueue.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        template = sf.template(org, "Refurbished laptops", visibility="public")
    assert TemplateExists(template.pk)
    assert ReindexQueue.objects.filter(object_id=template.pk, content_type__model="tendertemplate").exists()

    response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.json()["components"]["search"]["detail"]
    assert "pending reindex" in detail and "elasticsearch unreachable" in detail

    done, failing = indexing.process_queue()
    assert (done, failing) == (0, ReindexQueue.objects.count())
    queued = ReindexQueue.objects.get(object_id=template.pk, content_type__model="tendertemplate")
    assert queued.attempts == 2 and "ConnectionError" in queued.last_error

    # The engine is back (here: the database backend): the queue drains.
    monkeypatch.setattr(search_registry, "get_backend", search_registry.database_backend)
    indexing.process_queue()
    assert not ReindexQueue.objects.exists()


def TemplateExists(pk: int) -> bool:
    from knowledge.models import TenderTemplate

    return TenderTemplate.objects.filter(pk=pk).exists()

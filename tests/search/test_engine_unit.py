"""The engine backend's mapping, documents and request bodies, and each engine's transport.

These check what the backend *sends* (the same body for Elasticsearch and OpenSearch); the
behaviour is checked live against the OpenSearch node in ``test_backend_engine.py`` and
``test_engine_live.py``. Transport failures are tested against real clients pointed at a closed
port (nothing is faked).
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest

from network.search.analysis import document_terms
from network.search.backends.database import viewer_tokens
from network.search.backends.engine import (
    EngineBackend,
    build_search,
    index_definition,
    loose_query,
    to_source,
    visibility_filter,
)
from network.search.backends.transport import (
    ElasticsearchTransport,
    OpenSearchTransport,
    hosts,
    transport_for,
)
from network.search.query import SearchQuery, parse
from network.search.spec import IndexedDocument
from network.visibility import ANONYMOUS, Viewer


def test_mapping_indexes_analysed_terms_with_a_whitespace_analyser_and_keyword_facets():
    body = index_definition("bn-search-1", shards=2, replicas=1).to_dict()
    props = body["mappings"]["properties"]
    assert props["title_fi"] == {"type": "text", "analyzer": "bn_terms"}
    assert props["body_sv"] == {"type": "text", "analyzer": "bn_terms"}
    assert props["summary_und"] == {"type": "text", "analyzer": "bn_terms"}
    assert props["audience"] == {"type": "keyword"}
    assert props["group"] == {"type": "keyword"}
    assert props["facet_cpv"] == {"type": "keyword"}
    assert props["display"] == {"type": "object", "enabled": False}
    assert body["mappings"]["dynamic"] is False
    assert body["settings"]["analysis"]["analyzer"]["bn_terms"] == {
        "type": "custom",
        "tokenizer": "whitespace",
    }
    assert body["settings"]["number_of_shards"] == 2 and body["settings"]["number_of_replicas"] == 1


def test_document_holds_the_database_backends_terms_in_its_own_language_fields_only():
    doc = IndexedDocument(
        type="template",
        content_type_id=7,
        object_id=3,
        title="Kannettavat tietokoneet",
        summary="Tiivistelmä",
        body="Teksti <b>",
        language="fi",
        date=datetime(2026, 1, 2, tzinfo=UTC),
        organisation_id=5,
        visibility="group",
        group_ids=[9],
        facets={"cpv": [("30", "30 - Office")]},
    )
    source = to_source(doc)
    # The very terms the database backends index (network.search.analysis.document_terms):
    # Voikko's lemmas, stemmed; the compound parts of "tietokoneet" (tieto, kone) beside them.
    assert source["title_fi"] == document_terms(doc).title == "fi0kannettav fi0tietokon"
    assert {"fi0tieto", "fi0kone"} <= set(source["extra_fi"].split())
    assert "title_en" not in source
    assert source["audience"] == ["o5", "g9"]
    assert source["display"]["text"] == "Tiivistelmä\nTeksti <b>"
    assert source["facet_cpv"] == ["30"]
    assert source["facet_cpv_kv"] == ["30\x1f30 - Office"]
    assert source["doc_key"] == "7-3"


def test_visibility_filter_is_the_viewer_tokens_of_the_database_backends():
    assert visibility_filter(ANONYMOUS).to_dict() == {"terms": {"audience": ["pub"]}}
    viewer = Viewer(
        person_id=1, organisation_ids=frozenset({4}), group_ids=frozenset({8}), verified_member=True
    )
    assert visibility_filter(viewer).to_dict() == {"terms": {"audience": viewer_tokens(viewer)}}
    assert viewer_tokens(viewer) == ["pub", "o4", "net", "g8"]


def test_query_is_built_from_parsed_words_as_analysed_terms_with_filters_and_aggregations():
    query = SearchQuery('datorer "fair phone" -leasing', filters={"country": ["SE"]}, page=2, page_size=10)
    body = build_search(ANONYMOUS, query, parse(query.text), ["sv", "en"]).to_dict()
    bool_query = body["query"]["bool"]
    word, phrase = (clause["bool"]["should"][0] for clause in bool_query["must"])
    sv, en = word["bool"]["should"]
    # Swedish: the lemma's stem and the plain stem, only against Swedish fields.
    assert sv["multi_match"] == {
        "query": "sv0dat sv0dator",
        "operator": "or",
        "fields": ["title_sv^3", "summary_sv^2", "body_sv^1", "extra_sv^1"],
    }
    assert en["multi_match"]["fields"] == ["title_en^3", "summary_en^2", "body_en^1", "extra_en^1"]
    phrase_en = phrase["bool"]["should"][1]["multi_match"]
    assert phrase_en["type"] == "phrase" and phrase_en["query"] == "en0fair en0phone"
    assert phrase_en["fields"] == ["title_en^3", "summary_en^2", "body_en^1"]
    assert bool_query["must_not"][0]["bool"]["should"][1]["multi_match"]["query"].startswith("en0leas")
    assert {"terms": {"facet_country": ["SE"]}} in bool_query["filter"]
    assert bool_query["filter"][0] == {"terms": {"audience": ["pub"]}}
    assert body["aggs"]["cpv"] == {"terms": {"field": "facet_cpv_kv", "size": 25}}
    assert body["from"] == 10 and body["size"] == 10
    assert body["sort"][0] == "_score" and body["sort"][-1] == {"doc_key": "desc"}
    assert "query_string" not in str(body) and "highlight" not in body
    # One hit per thread: the engine pages groups (a thread and its posts share one).
    assert body["collapse"] == {"field": "group"}


def test_forgiving_query_keeps_forced_clauses_and_names_each_optional_one():
    parsed = parse('refurbished +smartphones "contract clauses" zebra -lease')
    body = loose_query(ANONYMOUS, SearchQuery(), parsed, ["en"]).to_dict()["bool"]
    # Quoted phrases and +word stay required; any one of the other words is enough.
    assert len(body["must"]) == len(parsed.forced) == 2
    assert [c["bool"]["_name"] for c in body["should"]] == ["c0", "c3"]
    assert body["minimum_should_match"] == 1
    assert body["must_not"] and body["filter"] == [{"terms": {"audience": ["pub"]}}]


def test_a_thread_and_its_posts_share_one_group_other_documents_have_their_own():
    post = IndexedDocument(type="post", content_type_id=9, object_id=4, title="T", collapse="thread:2")
    lesson = IndexedDocument(type="lesson", content_type_id=8, object_id=4, title="L")
    assert to_source(post)["group"] == "thread:2"
    assert to_source(lesson)["group"] == "8-4"


def test_results_only_and_date_sorted_requests():
    query = SearchQuery("", sort="date", facets=False)
    body = build_search(ANONYMOUS, query, parse(""), ["en"]).to_dict()
    # No facet counts; only the forum matches' distinct threads, which the total needs.
    assert list(body["aggs"]) == ["forum"]
    assert body["aggs"]["forum"]["aggs"]["threads"]["cardinality"]["field"] == "group"
    assert body["collapse"] == {"field": "group"}
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}


def test_hostile_input_stays_inside_match_queries_as_terms():
    query = SearchQuery('title:secret OR (a AND b) NOT* "')
    body = str(build_search(ANONYMOUS, query, parse(query.text), ["und"]).to_dict())
    assert "query_string" not in body
    assert "'query': 'und0title und0secret'" in body


def test_engine_is_chosen_by_settings_or_asked():
    assert isinstance(transport_for("opensearch", "http://a:9200"), OpenSearchTransport)
    assert isinstance(transport_for("elasticsearch", "http://a:9200"), ElasticsearchTransport)
    with pytest.raises(ValueError, match="Unknown search engine"):
        transport_for("solr", "http://a:8983")
    assert hosts("http://a:9200, http://b:9200,") == ["http://a:9200", "http://b:9200"]
    backend = EngineBackend("http://a:9200", "bn", engine="opensearch")
    assert backend.name == "opensearch" and backend.alias == "bn-search"
    assert EngineBackend("http://a:9200", "bn").name == "engine"  # until asked (lazily)


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_each_transport_raises_on_a_dead_engine_without_warnings(engine):
    transport = transport_for(engine, "http://127.0.0.1:1", timeout=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in (
            transport.health,
            lambda: transport.search("bn-search", {"query": {"match_all": {}}}),
            lambda: transport.alias_targets("bn-search"),
            lambda: transport.update_aliases([{"add": {"index": "a", "alias": "b"}}]),
            lambda: transport.delete_by_query("bn-search", {"match_all": {}}),
        ):
            with pytest.raises(Exception) as caught:
                call()
            assert "Connection" in type(caught.value).__name__ or "Connection" in str(caught.value)


def test_the_total_counts_a_thread_once_however_many_of_its_posts_match():
    from network.search.backends.engine import grouped_total

    response = {
        "hits": {"total": {"value": 10}},
        "aggregations": {"forum": {"doc_count": 6, "threads": {"value": 2}}},
    }
    assert grouped_total(response) == 6  # 4 documents elsewhere + 2 threads
    assert grouped_total({"hits": {"total": {"value": 3}}}) == 3


def test_partial_matches_rank_by_words_held_then_their_rarity_then_the_engine_and_group_by_thread():
    from network.search.backends.engine_steps import EngineSearch

    parsed = parse("refurbished smartphones zebra")
    steps = EngineSearch(None, ANONYMOUS, SearchQuery("refurbished smartphones zebra"), parsed)
    idf = {0: 1.5, 1: 1.2, 2: 3.0}

    def hit(key, kind, group, *held):
        return {"_id": key, "_score": 1.0, "_source": {"type": kind, "group": group}, "matched_queries": held}

    window = [
        hit("1-1", "lesson", "1-1", "c0"),
        hit("2-5", "post", "thread:9", "c0", "c1"),
        hit("1-2", "lesson", "1-2", "c1", "c2"),
        hit("2-6", "post", "thread:9", "c1"),
        hit("1-3", "lesson", "1-3", "c2"),
    ]
    groups = steps._grouped(window, idf)
    # Two words each: the rarer pair (smartphones + zebra) first; then one word, by its rarity.
    assert [g.key for g in groups] == ["1-2", "thread:9", "1-3", "1-1"]
    assert [m.key for m in groups[1].members] == ["2-5", "2-6"]  # the thread's posts, best first
    assert groups[0].missing == ["refurbished"] and groups[1].missing == ["zebra"]

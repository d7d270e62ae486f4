"""``GET /api/v1/search/`` and the ``/search/`` page through the real stack."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.search import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(django_capture_on_commit_callbacks):
    hel = f.organisation("City of Helsinki", country="FI")
    mal = f.organisation("City of Malmö", country="SE")
    with django_capture_on_commit_callbacks(execute=True):
        public = sf.template(
            hel,
            "Smartphone contract clauses",
            summary="Electronics Watch <b>monitoring</b> & phones.",
            visibility="public",
            cpv_codes=["32250000"],
        )
        private = sf.template(
            mal, "Malmö phone pricing", summary="Secret phone pricing.", visibility="private"
        )
    return {"hel": hel, "mal": mal, "public": public, "private": private}


def test_api_returns_hits_with_marked_snippets_and_facets(api_client, content):
    response = api_client.get("/api/v1/search/", {"q": "phones"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert (hit["type"], hit["id"], hit["title"]) == (
        "template",
        content["public"].pk,
        "Smartphone contract clauses",
    )
    assert hit["url"] == content["public"].get_absolute_url()
    assert "<mark>phones</mark>" in hit["snippet"] and "<b>" not in hit["snippet"]
    assert hit["score"] > 0
    assert body["facets"]["cpv"] == [
        {
            "value": "32",
            "label": "32 \N{EN DASH} Radio, television and telecommunication equipment",
            "count": 1,
            "approximate": False,
        }
    ]


def test_api_private_template_from_other_organisation_is_invisible(api_client, content):
    outsider = f.member(content["hel"])
    api_client.force_authenticate(outsider)
    body = api_client.get("/api/v1/search/", {"q": "phone pricing OR phone"}).json()
    assert content["private"].pk not in {r["id"] for r in body["results"]}
    assert "city-of-malmo" not in {v["value"] for v in body["facets"].get("organisation", [])}
    owner = f.member(content["mal"])
    api_client.force_authenticate(owner)
    body = api_client.get("/api/v1/search/", {"q": "pricing"}).json()
    assert [r["id"] for r in body["results"]] == [content["private"].pk]


def test_api_filters_and_pagination(api_client, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            sf.lesson(content["hel"], f"Phone lesson {i}", visibility="public")
    body = api_client.get("/api/v1/search/", {"q": "phone", "type": "lesson", "page_size": 2}).json()
    assert body["count"] == 3 and body["num_pages"] == 2 and len(body["results"]) == 2
    assert "type=lesson" in body["next"] and "page=2" in body["next"]
    body = api_client.get(
        "/api/v1/search/", {"q": "phone", "type": ["lesson", "template"], "country": "FI"}
    ).json()
    assert body["count"] == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x", "colour": "red"}, "colour"),
        ({"page": "two"}, "page"),
        ({"sort": "price"}, "sort"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_api_rejects_unknown_filters_and_bad_pages(api_client, params, field):
    response = api_client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_api_query_count_does_not_grow_with_results(
    api_client, content, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_max_num_queries(6):
        api_client.get("/api/v1/search/", {"q": "phone"})
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(15):
            sf.lesson(content["hel"], f"Phone lesson {i}", visibility="public")
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/search/", {"q": "phone"}).json()["count"] == 16


def test_page_shows_highlighted_results_and_facets(client, content):
    response = client.get("/search/", {"q": "phones"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Smartphone contract clauses" in html
    assert "<mark>phones</mark>" in html
    assert "&lt;b&gt;" in html or "<b>monitoring" not in html
    assert 'name="cpv" value="32"' in html
    assert 'lang="en"' in html


def test_page_private_template_from_other_organisation_is_invisible(client, content):
    client.force_login(f.member(content["hel"]))
    html = client.get("/search/", {"q": "pricing"}).content.decode()
    assert "Malmö phone pricing" not in html
    assert "Nothing you can read matches this search." in html


def test_page_empty_state_offers_to_drop_filters(client, content):
    html = client.get("/search/", {"q": "phones", "country": "SE"}).content.decode()
    assert "Nothing you can read matches this search." in html
    assert "Search again without the filters" in html
    assert "?q=phones" in html


def test_page_with_unknown_filter_explains_and_still_searches(client, content):
    response = client.get("/search/", {"q": "phones", "colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.content.decode()


def test_page_query_count_does_not_grow_with_results(
    client, content, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(25):
            sf.lesson(content["hel"], f"Phone lesson {i}", visibility="public")
    with django_assert_max_num_queries(8):
        response = client.get("/search/", {"q": "phone"})
    assert "Page 1 of 2" in response.content.decode()


def test_header_search_box_submits_to_the_search_page(client):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'name="q"' in html


# --- issue 14: forgiving queries, suggestions, CPV words, bad input --------------------------------


def test_api_names_missing_words_and_offers_a_suggestion(api_client, content):
    body = api_client.get("/api/v1/search/", {"q": "smartphone zebra"}).json()
    assert body["partial"] is True and body["suggestion"] is None
    assert [(r["id"], r["missing"]) for r in body["results"]] == [(content["public"].pk, ["zebra"])]
    corrected = api_client.get("/api/v1/search/", {"q": "smartphnes"}).json()
    assert corrected["suggestion"] == "smartphone" and corrected["corrected_from"] == "smartphnes"
    assert [r["id"] for r in corrected["results"]] == [content["public"].pk]


def test_api_never_suggests_a_word_only_a_private_document_holds_from_other_organisation(api_client, content):
    outsider = f.member(content["hel"])
    api_client.force_authenticate(outsider)
    body = api_client.get("/api/v1/search/", {"q": "prizing"}).json()
    assert body["suggestion"] is None and body["count"] == 0
    api_client.force_authenticate(f.member(content["mal"]))
    own = api_client.get("/api/v1/search/", {"q": "prizing"}).json()
    assert own["suggestion"] == "pricing" and own["count"] == 1


def test_page_shows_the_correction_and_missing_words(client, content):
    page = client.get("/search/", {"q": "smartphnes"}).content.decode()
    assert "Showing results for <strong>smartphone</strong> instead." in page
    partial = client.get("/search/", {"q": "smartphone zebra"}).content.decode()
    assert "Missing:" in partial and "<s>zebra</s>" in partial


def test_facet_labels_are_translated_when_the_page_is_rendered(client, content):
    page = client.get("/search/", {"q": "phones"}, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Suomi" in page and "Finland" not in page


@pytest.mark.parametrize(
    ("q", "language", "code"),
    [
        ("laptop", "en", "30213100-6"),
        ("kannettavat tietokoneet", "fi", "30213100-6"),
        ("bärbara datorer", "sv", "30213100-6"),
        ("portable computers", "en", "30213100-6"),
        ("älypuhelimet", "fi", "32250000-0"),
    ],
)
def test_cpv_vocabulary_is_searchable_by_words_in_the_interface_language(api_client, q, language, code):
    response = api_client.get("/api/v1/cpv/", {"q": q}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()["results"]]
    assert codes[0] == code, codes[:5]


@pytest.mark.parametrize(
    "q",
    [
        "\U0001f4f1\U0001f4bb",
        "x" * 500,
        " ".join(["w" * 60] * 20),
        "смартфон 智能手机 هاتف",
        "the of and och ja",
        "a" * 5000,
        "+-\"'()*:^",
    ],
)
def test_bad_input_never_errors(api_client, client, content, q):
    assert api_client.get("/api/v1/search/", {"q": q}).status_code == 200
    assert client.get("/search/", {"q": q}).status_code == 200
    assert api_client.get("/api/v1/cpv/", {"q": q}).status_code == 200


def test_estimated_facet_counts_are_flagged_in_the_api_and_worded_on_the_page(
    api_client, client, content, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            sf.lesson(content["hel"], f"Phone lesson {i}", visibility="public")
    settings.SEARCH_FACET_EXACT_LIMIT = 2  # 4 readable matches: counted from a sample of 2
    body = api_client.get("/api/v1/search/", {"q": "phone"}).json()
    assert body["count"] == 4
    types = {v["value"]: v for v in body["facets"]["type"]}
    assert all(v["approximate"] for v in types.values())
    assert sum(v["count"] for v in types.values()) == 4
    html = client.get("/search/", {"q": "phone"}).content.decode()
    assert "(about " in html and "counted from a sample" in html
    assert "(noin " in client.get("/search/", {"q": "phone"}, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    settings.SEARCH_FACET_EXACT_LIMIT = 1000
    exact = api_client.get("/api/v1/search/", {"q": "phone"}).json()
    assert {v["value"]: (v["count"], v["approximate"]) for v in exact["facets"]["type"]} == {
        "lesson": (3, False),
        "template": (1, False),
    }
    assert "(about " not in client.get("/search/", {"q": "phone"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

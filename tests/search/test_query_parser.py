"""The search-box parser: web-search syntax in, plain words out, never an engine operator."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.search.backends.sqlite import fts_expression
from network.search.query import Atom, InvalidSearch, SearchQuery, parse
from network.search.text import WORD_RE


def words(*ws: str) -> Atom:
    return Atom(tuple(ws))


def test_words_are_anded_and_case_folded():
    parsed = parse("Smartphone CONTRACT")
    assert parsed.clauses == ((words("smartphone"),), (words("contract"),))
    assert parsed.excluded == ()


def test_quoted_phrase_is_one_atom():
    assert parse('"contract clauses" ew').clauses == ((words("contract", "clauses"),), (words("ew"),))


def test_minus_excludes_a_word_or_a_phrase():
    parsed = parse('laptops -leasing -"lease model"')
    assert parsed.clauses == ((words("laptops"),),)
    assert parsed.excluded == (words("leasing"), words("lease", "model"))


def test_or_joins_neighbours_into_one_clause():
    parsed = parse("laptops OR tablets | phones monitors")
    assert parsed.clauses == ((words("laptops"), words("tablets"), words("phones")), (words("monitors"),))


def test_lowercase_or_is_a_word():
    assert parse("this or that").clauses == ((words("this"),), (words("or"),), (words("that"),))


def test_punctuated_token_becomes_a_phrase_so_it_can_only_narrow():
    assert parse("title:secret").clauses == ((words("title", "secret"),),)
    assert parse("e-waste").clauses == ((words("e", "waste"),),)
    assert parse("30213100-6").clauses == ((words("30213100", "6"),),)


def test_blank_query_browses_but_symbol_only_query_matches_nothing():
    assert parse("   ").blank and not parse("  ").matches_nothing
    for text in ["*", '"', "-", "OR", ") (", "-laptop", "^", "NEAR(", "—"]:
        parsed = parse(text)
        assert not parsed.blank
        assert parsed.matches_nothing or parsed.clauses, text
    assert parse("-laptop").matches_nothing  # exclusions alone never list "everything else"


def test_unclosed_quote_runs_to_the_end():
    assert parse('"fair phone').clauses == ((words("fair", "phone"),),)


def test_sizes_are_bounded():
    parsed = parse(" ".join(f"w{i}" for i in range(100)))
    assert len(parsed.clauses) == 24
    assert all(len(w) <= 60 for c in parsed.clauses for a in c for w in a.words)


def test_duplicates_collapse():
    assert parse("laptop laptop").clauses == ((words("laptop"),),)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_input_parses_to_letters_and_digits_only(text):
    parsed = parse(text)
    for atom in [a for c in parsed.clauses for a in c] + list(parsed.excluded):
        for word in atom.words:
            assert WORD_RE.fullmatch(word), word
    if parsed.clauses:
        expression = fts_expression(parsed, ["en", "fi"])
        # Every user-derived token is inside double quotes; the only bare words are our operators.
        outside = expression.split('"')[0::2]
        bare = {t for chunk in outside for t in WORD_RE.findall(chunk)}
        assert bare <= {"AND", "OR", "NOT", "title", "summary", "body", "extra"}


def test_fts_expression_matches_each_language_with_its_own_terms():
    expression = fts_expression(parse('datorer -"hyrda datorer"'), ["sv"])
    # A word: its lemma's stem, its plain stem and the stem of that, in every column; a phrase:
    # the main terms in order, in the positional columns only.
    assert expression == (
        '((({title summary body extra} : ("sv0dat" OR "sv0dator"))) '
        'NOT (({title summary body} : "sv0hyr sv0dat")))'
    )
    # Every term carries its language: Swedish terms never meet English text.
    assert fts_expression(parse("datorer"), ["en", "sv"]).count('"en0') == 1


def test_search_query_rejects_undeclared_filters_sorts_and_pages():
    with pytest.raises(InvalidSearch) as exc:
        SearchQuery("x", filters={"organisation_id": ["1"]}, sort="price", page=0)
    assert set(exc.value.errors) == {"organisation_id", "sort", "page"}
    with pytest.raises(InvalidSearch):
        SearchQuery("x", page="two")
    with pytest.raises(InvalidSearch):
        SearchQuery("x", page_size=1000)
    with pytest.raises(InvalidSearch):
        SearchQuery("x", page=10**20)


def test_search_query_cleans_filter_values():
    query = SearchQuery("x", filters={"country": ["FI", " ", "FI", "SE\x00"], "type": "template"})
    assert query.filters == {"country": ["FI", "SE"], "type": ["template"]}
    assert query.text == "x"


def test_postgres_phrase_is_an_exact_and_of_word_pairs():
    from network.search.backends.postgres import tsquery

    # Two words: one pair lexeme per language, which the GIN index answers without a recheck.
    assert tsquery(parse('"electronics watch"'), ["en", "sv"]) == (
        "((('en0electron_en0watch') | ('sv0electronic_sv0watch')))"
    )
    # Longer phrases chain the pairs by position (checked only where every pair is present).
    assert tsquery(parse('"repairable laptops spare" -parts'), ["en"]) == (
        "(((('en0repair_en0laptop' <-> 'en0laptop_en0spare')))) & !(('en0part'))"
    )
    # The rank functions read the positioned words in the text fields (field weights, proximity).
    assert tsquery(parse('"electronics watch"'), ["en"], ranking=True) == (
        "((('en0electron':ABC <-> 'en0watch':ABC)))"
    )


def test_postgres_document_vector_holds_the_word_pairs_of_each_field():
    from network.search.analysis import DocumentTerms
    from network.search.backends.postgres import tsvector_literal, with_pairs

    terms = DocumentTerms("en0a en0b en0a", "en0c", "en0it's en0d", "en0z")
    literal = tsvector_literal(terms)
    entries = set(literal.split(" "))
    # A pair sits at its first word's position with weight D (it never ranks); none spans two fields.
    assert {"'en0a_en0b':1D", "'en0b_en0a':2D", "'en0it''s_en0d':205D"} <= entries
    assert not any("en0a_en0c" in e or "en0c_en0it" in e or "_en0z" in e for e in entries)
    # The migration rebuilds exactly these pairs from a literal stored without them.
    stored = " ".join(e for e in literal.split(" ") if "_" not in e)
    assert set(with_pairs(stored).split(" ")) == entries
    assert set(with_pairs(literal).split(" ")) == entries


def test_postgres_word_pairs_stop_where_long_texts_are_clamped():
    from network.search.analysis import DocumentTerms
    from network.search.backends.postgres import MAX_POSITION, tsvector_literal, with_pairs

    body = " ".join(f"en0w{n % 700}" for n in range(MAX_POSITION + 50))
    literal = tsvector_literal(DocumentTerms("en0t", "", body, ""))
    # Past the clamp every word shares MAX_POSITION: no pair sits at or beyond it.
    assert not any(e.startswith("'en0") and "_" in e and f":{MAX_POSITION}D" in e for e in literal.split(" "))
    stored = " ".join(e for e in literal.split(" ") if "_" not in e)
    assert set(with_pairs(stored).split(" ")) == set(literal.split(" "))

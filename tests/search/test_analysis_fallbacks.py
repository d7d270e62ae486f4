"""A missing analyser degrades search, never breaks it: Finnish without Voikko falls back to
simplemma and Snowball, compounds without a Hunspell word list stay whole, and ``/readyz`` and
``search_index --check`` say which analysers run."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from network.search import SearchQuery, analysis, compounds, lemmas, search
from network.search.backends import base
from tests import factories as f
from tests.search import factories as sf


@pytest.fixture
def without_voikko_and_hunspell(monkeypatch, tmp_path):
    """Voikko's shared library and the Hunspell word lists made unavailable for this test only."""
    monkeypatch.setattr(lemmas, "_voikko", None)
    monkeypatch.setattr(lemmas, "_voikko_tried", True)
    monkeypatch.setattr(lemmas, "_voikko_error", "OSError: libvoikko.so.1: cannot open shared object file")
    monkeypatch.setattr(compounds, "HUNSPELL_DIR", tmp_path)  # an empty folder: no .dic files
    monkeypatch.setattr(compounds, "_words", {})
    monkeypatch.setattr(compounds, "_errors", {})
    for cached in (
        analysis.analyse_word,
        analysis.query_alternatives,
        base._wanted,
        lemmas.finnish_analyses,
        compounds.split,
    ):
        cached.cache_clear()
    yield
    for cached in (
        analysis.analyse_word,
        analysis.query_alternatives,
        base._wanted,
        lemmas.finnish_analyses,
        compounds.split,
    ):
        cached.cache_clear()


def test_the_full_chain_reports_every_analyser_active():
    states = analysis.status()
    assert states["fi"] == "Voikko: ok"
    assert all(states[f"compounds_{lang}"].startswith("Hunspell: ok") for lang in ("sv", "de", "nl"))
    assert analysis.degraded() == []


@pytest.mark.django_db
def test_missing_voikko_and_dictionaries_fall_back_and_are_reported(
    without_voikko_and_hunspell, client, django_capture_on_commit_callbacks
):
    assert set(analysis.degraded()) == {"fi", "compounds_sv", "compounds_de", "compounds_nl"}
    # Finnish still lemmatises (simplemma) and stems; compounds are simply not split.
    assert analysis.analyse_word("tietokoneet", "fi").main == "fi0tietokon"
    assert compounds.split("surfplattor", "sv") == ()
    # Indexing and searching keep working.
    hel = f.organisation("City of Helsinki", country="FI")
    with django_capture_on_commit_callbacks(execute=True):
        lesson = sf.lesson(hel, "Kannettavat tietokoneet", language="fi", visibility="public")
    assert [h.id for h in search(None, SearchQuery("tietokone")).hits] == [lesson.pk]
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    detail = body["components"]["search_analysers"]["detail"]
    assert detail.startswith("degraded (fi, compounds_sv, compounds_de, compounds_nl fall back to Snowball)")
    out = io.StringIO()
    call_command("search_index", "--check", stdout=out)
    assert "fi: Voikko: missing (OSError" in out.getvalue()
    assert "compounds_sv: Hunspell: missing" in out.getvalue()

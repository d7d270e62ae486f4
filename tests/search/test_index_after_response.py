"""Index updates of a request run after its response (``IndexAfterResponseMiddleware``): the
response and the commit's live events no longer wait for the analysis of the new text, and what a
request wrote is still findable once the response is closed — which the test client (like the ASGI
handler, after sending the body) does before it returns."""

from __future__ import annotations

import gc

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIClient

from network.search import SearchQuery, indexing, search
from network.search.middleware import IndexAfterResponseMiddleware
from tests import factories as f
from tests.forums.factories import world
from tests.search import factories as sf
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_batch_left_waiting():
    """A batch a test left waiting would run in a later test (or at exit, with no database)."""
    yield
    indexing.run_waiting_batches()


def _found(text: str, person=None) -> int:
    return search(person, SearchQuery(text)).total


def test_what_a_view_wrote_is_indexed_when_its_response_is_closed_not_before():
    org = f.organisation()

    def view(request):
        sf.lesson(org, "Lesson about heat pumps", visibility="public")
        return HttpResponse("ok")

    response = IndexAfterResponseMiddleware(view)(RequestFactory().get("/"))
    assert _found("pumps") == 0  # committed, not yet indexed: the response is still being sent
    response.close()
    assert _found("pumps") == 1


def test_a_post_through_the_api_is_findable_when_the_client_returns():
    w = world()
    client = APIClient()
    client.force_authenticate(w.bob)
    response = client.post(
        f"/api/v1/threads/{w.thread.pk}/posts/", {"body": "Refurbished tablets"}, format="json"
    )
    assert response.status_code == 201
    assert _found("tablets", w.bob) == 1
    assert _found("tablets", w.mallory) == 0  # the visibility of the thread still applies


def test_a_response_dropped_unclosed_leaves_its_updates_to_the_next_flush():
    org = f.organisation()

    def view(request):
        sf.lesson(org, "Lesson about solar panels", visibility="public")
        return HttpResponse("ok")

    response = IndexAfterResponseMiddleware(view)(RequestFactory().get("/"))
    del response  # the client went away mid-request: Django never closes the response
    gc.collect()
    assert _found("panels") == 0
    sf.lesson(org, "Lesson about wind turbines", visibility="public")  # any later flush of the process
    assert _found("panels") == 1
    assert _found("turbines") == 1


def test_a_view_that_raises_indexes_what_it_committed_at_once():
    org = f.organisation()

    def view(request):
        sf.lesson(org, "Lesson about geothermal wells", visibility="public")
        raise RuntimeError("after the commit")

    with pytest.raises(RuntimeError):
        IndexAfterResponseMiddleware(view)(RequestFactory().get("/"))
    assert _found("geothermal") == 1


def test_outside_a_request_updates_still_run_on_commit():
    org = f.organisation()
    sf.lesson(org, "Lesson about biogas", visibility="public")
    assert not indexing._deferring()
    assert _found("biogas") == 1


def test_batched_updates_of_several_responses_run_together_a_moment_later(settings, monkeypatch):
    """With ``SEARCH_INDEX_BATCH_SECONDS`` (production's default) the updates of the responses
    closed within the window run once, on a thread of their own: one ``reindex`` for every post of
    a burst, not one per post."""
    settings.SEARCH_INDEX_BATCH_SECONDS = 3
    calls: list[tuple[str, list]] = []
    original = indexing.reindex

    def spy(label, pks, **kwargs):
        calls.append((label, sorted(pks)))
        return original(label, pks, **kwargs)

    monkeypatch.setattr(indexing, "reindex", spy)
    w = world()
    client = APIClient()
    client.force_authenticate(w.bob)
    ids = []
    for word in ("Ruggedised", "Refurbished", "Repairable"):
        response = client.post(
            f"/api/v1/threads/{w.thread.pk}/posts/", {"body": f"{word} quoxite laptops"}, format="json"
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert _found("quoxite", w.bob) == 0  # stored and answered; the batch is still waiting
    assert wait_until(
        lambda: _found("quoxite", w.bob) == 1, timeout=10
    )  # the thread's posts collapse onto it
    post_batches = [pks for label, pks in calls if label == "forums.Post" and set(pks) & set(ids)]
    assert post_batches == [sorted(ids)]
    assert _found("quoxite", w.mallory) == 0  # the visibility of the thread still applies


def test_updates_still_waiting_run_when_the_process_exits(settings):
    settings.SEARCH_INDEX_BATCH_SECONDS = 60  # far longer than the test
    org = f.organisation()

    def view(request):
        sf.lesson(org, "Lesson about zelvanite harvesting", visibility="public")
        return HttpResponse("ok")

    IndexAfterResponseMiddleware(view)(RequestFactory().get("/")).close()
    assert _found("zelvanite") == 0
    indexing.run_waiting_batches()  # registered with atexit
    assert _found("zelvanite") == 1

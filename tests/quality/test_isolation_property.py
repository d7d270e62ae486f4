"""Isolation as a property: for random networks, every read surface shows exactly what the policy
allows — no more (a leak), no less (a broken feature).

Hypothesis draws organisations (verified or not), working groups (conveners, approved and pending
members), a viewer per organisation with a random role, a person without an organisation, the
anonymous visitor, and content of every type with every visibility (statements drafted or opened).
The expected answer comes from :func:`tests.quality.network.may_read`, DESIGN.md's table written
out again, never from ``network.visibility``. Surfaces checked per viewer: API lists and details,
HTML detail pages, search hits and type-facet counts, exports (OCDS, signatories CSV, iCalendar),
thread WebSocket subscriptions (accepted vs closed), and mention notifications. The search checks
run a second time with the live search engine (the OpenSearch node in CI) as the backend.

Each example runs in a savepoint rolled back at its end; on-commit work (search indexing,
notification pushes) runs inside it through ``django_capture_on_commit_callbacks``.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from itertools import count

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings

from tests.quality.network import BUILDERS, KINDS, TOKEN, Built, build, may_read, networks

pytestmark = pytest.mark.django_db
_example = count(1)
EXAMPLES = int(__import__("os").environ.get("ISOLATION_EXAMPLES", "12"))

API_LIST = {
    "template": "/api/v1/templates/",
    "lesson": "/api/v1/lessons/",
    "tender": "/api/v1/tenders/",
    "statement": "/api/v1/statements/",
    "thread": "/api/v1/threads/",
    "event": "/api/v1/events/",
    "resource": "/api/v1/resources/",
}


def test_every_registered_content_type_is_built_and_checked():
    """A type that declares itself in the registry (network.content) joins this test, or it fails."""
    assert set(KINDS) == set(BUILDERS) == set(API_LIST)


def api_detail(kind: str, obj) -> str:
    key = obj.slug if kind in ("statement", "event") else obj.pk
    return f"{API_LIST[kind]}{key}/"


def exports(kind: str, obj) -> list[str]:
    if kind == "statement":
        return [f"/api/v1/statements/{obj.slug}/signatories.csv", f"/api/v1/statements/{obj.slug}/demand/"]
    if kind == "tender":
        return [f"/api/v1/tenders/{obj.pk}/ocds/"]
    if kind == "event":
        return [f"/api/v1/events/{obj.slug}/ics/"]
    if kind == "thread":
        return [f"/api/v1/threads/{obj.pk}/posts/"]
    return []


def client_for(person) -> Client:
    c = Client()
    if person is not None:
        c.force_login(person)
    return c


def listed(c: Client, url: str) -> set[str]:
    response = c.get(url, {"page_size": 100})
    assert response.status_code == 200, (url, response.status_code)
    results = response.json()["results"]
    return {r["title"] for r in results if TOKEN in r.get("title", "")}


@contextmanager
def socket_db_in_this_thread(monkeypatch):
    """Consumers reach the database through ``database_sync_to_async``, which (run from this
    synchronous test through ``async_to_sync``) executes in this thread, on this test's connection —
    but first closes "old" connections, which would abort the example's transaction."""
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    yield


def thread_socket_accepts(person, thread_id: int) -> bool:
    from network.asgi import application

    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if person is not None:
        headers.append((b"cookie", f"sessionid={client_for(person).cookies['sessionid'].value}".encode()))

    async def attempt() -> bool:
        """Accepted and kept open (the first frame is not a close); refusals accept-then-close
        with 4401/4403 so browsers can tell "sign in" from "no access"."""
        communicator = WebsocketCommunicator(application, f"/ws/threads/{thread_id}/", headers=headers)
        connected, code = await communicator.connect(timeout=5)
        if not connected:
            assert code in (4401, 4403), code
            return False
        first = await communicator.receive_output(timeout=5)
        if first["type"] == "websocket.close":
            assert first.get("code") in (4401, 4403), first
            return False
        await communicator.disconnect()
        return True

    return async_to_sync(attempt)()


def check_search(built: Built, viewer, c: Client, who: str) -> None:
    """Search: the hits, their count and the type facet's counts, all within the policy.

    A post is found by its thread's title. Every backend (the database's and the engine) shows a
    thread once, its two posts grouped under it (``matches``). The type facet counts every readable
    document, posts included.
    """
    spec = built.spec
    expected = {obj.title for item, obj in built.items if may_read(spec, viewer, item)}
    want_hits = Counter(item.kind for item, _obj in built.items if may_read(spec, viewer, item))
    want_docs = Counter(want_hits)
    if want_hits["thread"]:
        want_docs["post"] = 2 * want_hits["thread"]
    body = c.get("/api/v1/search/", {"q": TOKEN, "page_size": 100}).json()
    assert {h["title"] for h in body["results"]} == expected, f"search for {who}"
    assert Counter(h["type"] for h in body["results"]) == want_hits, f"search hits for {who}"
    assert body["count"] == want_hits.total(), f"search count for {who}"
    assert all(h["matches"] == 2 for h in body["results"] if h["type"] == "thread"), f"posts for {who}"
    facet = {f["value"]: f["count"] for f in body["facets"].get("type", [])}
    assert facet == dict(want_docs), f"type facet for {who}"


def check_every_surface(built: Built) -> None:
    spec = built.spec
    for viewer in built.viewer_specs:
        person = built.viewers[viewer.label]
        c = client_for(person)
        who = f"{viewer.label} (org {viewer.org}, role {spec.roles[viewer.org] if viewer.org is not None else '-'})"

        # API lists: exactly the readable items of each type.
        for kind, url in API_LIST.items():
            want = {obj.title for item, obj in built.objects(kind) if may_read(spec, viewer, item)}
            assert listed(c, url) == want, f"{url} for {who}"

        for item, obj in built.items:
            readable = may_read(spec, viewer, item)
            # API detail: 200 when readable, 404 (never 403) otherwise.
            status = c.get(api_detail(item.kind, obj)).status_code
            assert status == (200 if readable else 404), f"API {item} for {who}: {status}"
            # HTML page: the same (anonymous visitors may be sent to sign in instead).
            response = c.get(obj.get_absolute_url())
            if readable:
                assert response.status_code == 200, f"page {item} for {who}: {response.status_code}"
            elif person is None and response.status_code == 302:
                assert "/accounts/login/" in response.headers["Location"]
            else:
                assert response.status_code == 404, f"page {item} for {who}: {response.status_code}"
            # Exports follow the object.
            for url in exports(item.kind, obj):
                status = c.get(url).status_code
                assert status == (200 if readable else 404), f"{url} {item} for {who}: {status}"

        check_search(built, viewer, c, who)

        # OCDS list export of planned tenders.
        ocds = c.get("/api/v1/tenders/ocds/").content.decode()
        for item, obj in built.objects("tender"):
            assert (obj.title in ocds) == may_read(spec, viewer, item), f"OCDS list {item} for {who}"

        # Thread sockets: a signed-in reader is accepted; everyone else is closed (4401/4403).
        for item, obj in built.objects("thread"):
            want = person is not None and may_read(spec, viewer, item)
            assert thread_socket_accepts(person, obj.pk) == want, f"socket {item} for {who}"

        # Notifications: a mention reaches only people who can read the thread.
        if person is not None:
            notes = c.get("/api/v1/notifications/", {"page_size": 100}).json()["results"]
            mentioned_in = {n["url"].split("#")[0] for n in notes if n["kind"] == "forum.mention"}
            for item, obj in built.objects("thread"):
                assert (obj.get_absolute_url() in mentioned_in) == may_read(spec, viewer, item), (
                    f"mention notification {item} for {who}"
                )


@pytest.mark.timeout(360)  # a dozen random networks, every surface each; a timeout ends the pass
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(spec=networks())
def test_every_read_surface_shows_exactly_what_the_policy_allows(
    spec, django_capture_on_commit_callbacks, monkeypatch
):
    with transaction.atomic(), socket_db_in_this_thread(monkeypatch):
        with django_capture_on_commit_callbacks(execute=True):
            built = build(spec, tag=f"x{next(_example)}")
        check_every_surface(built)
        transaction.set_rollback(True)


def _search_viewers(built: Built):
    for viewer in built.viewer_specs:
        org = viewer.org
        who = f"{viewer.label} (org {org}, role {built.spec.roles[org] if org is not None else '-'})"
        yield viewer, client_for(built.viewers[viewer.label]), who


@pytest.fixture(scope="module")
def engine_backend():
    from tests.search.engine import live_backend

    backend = live_backend("bn-isolation")
    yield backend
    backend.drop()


@pytest.mark.engine
@pytest.mark.timeout(360)  # a dozen random networks, every surface each; a timeout ends the pass
@settings(
    max_examples=int(__import__("os").environ.get("ISOLATION_ENGINE_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(spec=networks())
def test_search_on_the_live_engine_shows_exactly_what_the_policy_allows(
    spec, engine_backend, django_capture_on_commit_callbacks, monkeypatch
):
    """The same search checks with the live engine (OpenSearch in CI) as the backend: its visibility
    filter, totals, thread grouping and facet counts answer to the policy table like the database's."""
    from network.search import registry as search_registry

    monkeypatch.setattr(search_registry, "get_backend", lambda: engine_backend)
    engine_backend.clear()  # the engine keeps no savepoint: start each example empty
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            built = build(spec, tag=f"e{next(_example)}")
        # The documents are in the engine (not only in the database this savepoint rolls back).
        assert engine_backend.transport.count(engine_backend.alias) >= len(built.items)
        for viewer, c, who in _search_viewers(built):
            check_search(built, viewer, c, who)
        transaction.set_rollback(True)

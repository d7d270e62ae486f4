"""The engine's life cycle, live: a rebuild swapping the alias while searches run, a rebuild in
another process meeting the web workers' updates, and the real node stopped and restarted under a
running application (changes queue, saves never fail, ``/readyz`` says so, the queue drains).

Against the OpenSearch node of ``scripts/services.sh`` (see :mod:`tests.search.engine`); the
outage test starts a second node of its own through ``engines/opensearch/run.sh`` so that stopping
it disturbs nothing else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone

from network.search import SearchQuery, indexing, search
from network.search import registry as search_registry
from network.search.models import ReindexQueue
from network.visibility import ANONYMOUS
from tests import factories as f
from tests.search import factories as sf
from tests.search.engine import live_backend, require_engine

pytestmark = [pytest.mark.django_db, pytest.mark.engine]
ROOT = Path(__file__).resolve().parents[2]
RUN_SH = ROOT / "engines" / "opensearch" / "run.sh"


@pytest.fixture
def engine(monkeypatch):
    backend = live_backend("bn-live")
    monkeypatch.setattr(search_registry, "get_backend", lambda: backend)
    yield backend
    backend.drop()


def test_workers_starting_together_on_an_empty_cluster_create_one_index():
    from concurrent.futures import ThreadPoolExecutor

    from network.search.backends.engine import EngineBackend

    first = live_backend("bn-race")
    prefix = first.alias.removesuffix("-search")
    workers = [first] + [EngineBackend(first.url, prefix, engine=first.name) for _ in range(5)]
    try:
        with ThreadPoolExecutor(len(workers)) as pool:
            list(pool.map(lambda backend: backend._ensure_alias(), workers))
        assert first.transport.alias_targets(first.alias) == [f"{first.alias}-initial"]
        assert first.transport.indices(f"{first.alias}-*") == [f"{first.alias}-initial"]
    finally:
        first.drop()


def test_rebuild_swaps_the_alias_while_searches_run_without_a_failed_search(
    engine, django_capture_on_commit_callbacks
):
    org = f.organisation("City of Turku")
    with django_capture_on_commit_callbacks(execute=True):
        lessons = [sf.lesson(org, f"Tablet lesson {i}", visibility="public") for i in range(12)]
    query = SearchQuery("tablet", page_size=50, facets=True)
    parsed = query.parsed()
    assert engine.search(ANONYMOUS, query, parsed).total == len(lessons)
    first_generation = engine.transport.alias_targets(engine.alias)

    outcomes: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_searching() -> None:
        # The engine backend reads no database row to answer, so this thread needs no connection.
        while not stop.is_set():
            try:
                outcomes.append(engine.search(ANONYMOUS, query, parsed).total)
            except BaseException as exc:  # every failure is the finding
                errors.append(exc)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        generations = []
        for _ in range(3):  # the third rebuild also deletes the first generation while searching
            indexing.rebuild(batch_size=5)
            generations.append(engine.transport.alias_targets(engine.alias))
        time.sleep(0.2)  # a few searches on the last generation too
    finally:
        stop.set()
        searcher.join(timeout=30)

    assert errors == []
    assert len(outcomes) >= 10 and set(outcomes) == {len(lessons)}  # never empty, never doubled
    assert len({tuple(g) for g in generations}) == 3 and first_generation not in generations
    # The live generation plus the one it replaced; older ones are gone, no rebuild alias is left.
    remaining = engine.transport.indices(f"{engine.alias}-*")
    assert sorted(remaining) == sorted(generations[-1] + generations[-2])
    assert engine.transport.alias_targets(engine.rebuild_alias) == []


def test_updates_from_other_processes_during_a_rebuild_reach_the_new_index(
    engine, monkeypatch, django_capture_on_commit_callbacks
):
    """The rebuild runs in ``manage.py`` while web workers save: a second backend on the same prefix
    (another process's view of the engine) saves a change the rebuild has already passed."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from network.search.backends.engine import EngineBackend

    org = f.organisation("City of Vantaa")
    with django_capture_on_commit_callbacks(execute=True):
        lesson = sf.lesson(org, "Printer lesson", visibility="public")
    worker = EngineBackend(engine.url, engine.alias.removesuffix("-search"), engine=engine.name)

    started = timezone.now()
    engine.begin_rebuild()
    declaration = search_registry.index_for_model(type(lesson))
    engine.index(declaration.build([lesson], ContentType.objects.get_for_model(lesson).pk))
    monkeypatch.setattr(search_registry, "get_backend", lambda: worker)
    with django_capture_on_commit_callbacks(execute=True):
        lesson.title = "Scanner lesson"
        lesson.save()
    monkeypatch.setattr(search_registry, "get_backend", lambda: engine)
    engine.end_rebuild(started)

    assert ("lesson", lesson.pk) in {(h.type, h.id) for h in search(None, SearchQuery("scanner")).hits}
    assert search(None, SearchQuery("printer")).total == 0


def test_a_write_after_the_index_was_lost_recreates_it_with_its_mappings(
    engine, django_capture_on_commit_callbacks
):
    """A node back without its data (a lost volume, a new node at the old address): the next
    write must not let the engine auto-create an index under the alias's name with guessed
    mappings (``doc_key`` as text, so every search then fails on its sort); the index is created
    again, with its mappings, and the write lands in it."""
    org = f.organisation("City of Lahti")
    with django_capture_on_commit_callbacks(execute=True):
        sf.lesson(org, "Monitor lesson", visibility="public")
    lost = engine.transport.alias_targets(engine.alias)
    for name in lost:
        engine.transport.delete_index(name)
    assert engine.transport.alias_targets(engine.alias) == []

    with django_capture_on_commit_callbacks(execute=True):
        added = sf.lesson(org, "Headset lesson", visibility="public")

    assert engine.transport.alias_targets(engine.alias) == [f"{engine.alias}-initial"]
    assert engine.transport.indices(engine.alias) == [f"{engine.alias}-initial"]  # no index by that name
    mapping = engine.transport.client.indices.get_mapping(index=engine.alias)
    properties = next(iter(mapping.values()))["mappings"]["properties"]
    assert properties["doc_key"]["type"] == "keyword"
    assert [(h.type, h.id) for h in search(None, SearchQuery("headset")).hits] == [("lesson", added.pk)]


def _cat(port: int, what: str) -> str:
    """The node's ``_cat`` table (indices, aliases) as text, for a failure's report."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_cat/{what}?v", timeout=5) as answer:
            return answer.read().decode()
    except OSError as exc:
        return f"_cat/{what}: {exc!r}"


def _run(action: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(RUN_SH), action], env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, f"run.sh {action} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.timeout(420)  # two JVM starts of a real node on a shared 2-core machine
def test_engine_stopped_mid_run_queues_changes_readyz_reports_it_and_the_queue_drains(
    monkeypatch, client, django_capture_on_commit_callbacks
):
    require_engine()  # same fail-or-skip rule as every engine test
    port = int(os.environ.get("SEARCH_OUTAGE_TEST_PORT", "9211"))
    # The node's data must outlive its restart: a directory of its own, not pytest's tmp_path,
    # which another pytest session on the machine may prune meanwhile (it keeps the last three);
    # the node then came back empty and the queued writes created an index without mappings.
    home = Path(tempfile.mkdtemp(prefix="bn-outage-node-"))
    env = {
        **os.environ,
        "OPENSEARCH_PORT": str(port),
        "OPENSEARCH_TRANSPORT_PORT": str(port + 100),
        "OPENSEARCH_HOME": str(home / "node"),
        "OPENSEARCH_HEAP": "384m",
    }
    from network.search.backends.engine import EngineBackend

    _run("up", env)
    try:
        backend = EngineBackend(f"http://127.0.0.1:{port}", "bn-outage", engine="opensearch", timeout=3)
        monkeypatch.setattr(search_registry, "get_backend", lambda: backend)
        org = f.organisation("City of Oulu")
        with django_capture_on_commit_callbacks(execute=True):
            kept = sf.lesson(org, "Monitor lesson", visibility="public")
        assert ("lesson", kept.pk) in {(h.type, h.id) for h in search(None, SearchQuery("monitor")).hits}
        ReindexQueue.objects.all().delete()

        _run("down", env)  # the real node stops mid-run
        with django_capture_on_commit_callbacks(execute=True):
            kept.title = "Docking station lesson"
            kept.save()  # never fails
            added = sf.lesson(org, "Headset lesson", visibility="public")
        assert type(kept).objects.get(pk=kept.pk).title == "Docking station lesson"
        queued = set(ReindexQueue.objects.values_list("object_id", flat=True))
        assert {kept.pk, added.pk} <= queued

        response = client.get("/readyz")
        assert response.status_code == 503
        detail = response.json()["components"]["search"]
        assert detail["status"] == "down"
        assert "opensearch unreachable" in detail["detail"] and "pending reindex" in detail["detail"]
        assert indexing.process_queue()[0] == 0  # still down: nothing drains, nothing is lost
        assert set(ReindexQueue.objects.values_list("object_id", flat=True)) >= {kept.pk, added.pk}

        _run("up", env)  # back, with its data
        print(
            "after the restart:", _cat(port, "indices"), _cat(port, "aliases"), sep="\n"
        )  # shown on failure
        done, failing = indexing.process_queue()
        assert failing == 0 and done >= 2
        assert not ReindexQueue.objects.exists()
        assert ("lesson", kept.pk) in {(h.type, h.id) for h in search(None, SearchQuery("docking")).hits}
        assert ("lesson", added.pk) in {(h.type, h.id) for h in search(None, SearchQuery("headset")).hits}
        assert search(None, SearchQuery("monitor")).total == 0  # the old title is gone
        search_status = client.get("/readyz").json()["components"]["search"]
        assert search_status["status"] == "ok" and "0 pending reindex" in search_status["detail"]
    finally:
        _run("down", env)
        shutil.rmtree(home, ignore_errors=True)


def test_an_index_from_before_thread_grouping_is_reported_by_status():
    from network.search.backends.engine import index_definition

    backend = live_backend("bn-old")
    try:
        body = index_definition(f"{backend.alias}-old").to_dict()
        del body["mappings"]["properties"]["group"]
        backend.transport.create_index(f"{backend.alias}-old", {**body, "aliases": {backend.alias: {}}})
        with pytest.raises(RuntimeError, match=r"predates thread grouping.*search_index --rebuild"):
            backend.status()
        backend.begin_rebuild()
        backend.end_rebuild(timezone.now())  # a rebuild swaps in an index of the current mapping
        assert backend.status().startswith("ok (")
    finally:
        backend.drop()

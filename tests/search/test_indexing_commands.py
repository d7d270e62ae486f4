"""``search_index`` (rebuild with progress and count, queue processing), bulk suppression, /readyz."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from network.search import SearchQuery, indexing, search
from network.search.models import ReindexQueue, SearchDocument
from tests import factories as f
from tests.search import factories as sf

pytestmark = pytest.mark.django_db


def test_rebuild_indexes_everything_in_batches_with_progress_and_count():
    org = f.organisation("City of Espoo")
    with indexing.suppress_index_updates():
        for i in range(7):
            sf.lesson(org, f"Lesson about tablets {i}", visibility="public")
    indexing.flush()
    assert search(None, SearchQuery("tablets")).total == 0  # suppressed: nothing indexed yet
    out = StringIO()
    call_command("search_index", "--rebuild", "--batch-size", "3", stdout=out)
    text = out.getvalue()
    assert "lesson" in text and "7/7" in text and "docs/s" in text
    assert "Indexed 8 documents (" in text  # 7 lessons + 1 organisation
    assert search(None, SearchQuery("tablets")).total == 7


def test_rebuild_drops_documents_whose_objects_are_gone():
    org = f.organisation()
    lesson = sf.lesson(org, "Orphan lesson", visibility="public")
    indexing.reindex("knowledge.Lesson", [lesson.pk])
    with indexing.suppress_index_updates():
        lesson.delete()
    assert SearchDocument.objects.filter(type="lesson").count() == 1
    call_command("search_index", "--rebuild", stdout=StringIO())
    assert not SearchDocument.objects.filter(type="lesson").exists()


def test_rebuild_of_one_type_leaves_the_others():
    org = f.organisation()
    indexing.reindex("members.Organisation", [org.pk])
    call_command("search_index", "--rebuild", "--type", "lesson", stdout=StringIO())
    assert SearchDocument.objects.filter(type="organisation").exists()
    with pytest.raises(CommandError):
        call_command("search_index", "--rebuild", "--type", "nonsense", stdout=StringIO())


def test_process_queue_reindexes_queued_objects():
    org = f.organisation()
    lesson = sf.lesson(org, "Queued lesson about servers", visibility="public")
    from django.contrib.contenttypes.models import ContentType

    ReindexQueue.objects.create(content_type=ContentType.objects.get_for_model(lesson), object_id=lesson.pk)
    out = StringIO()
    call_command("search_index", "--process-queue", stdout=out)
    assert "Reindexed 1 queued objects; 0 still failing." in out.getvalue()
    assert search(None, SearchQuery("servers")).total == 1
    assert not ReindexQueue.objects.exists()


def test_readyz_reports_the_search_backend_and_pending_reindex_count(client):
    org = f.organisation()
    from django.contrib.contenttypes.models import ContentType

    ReindexQueue.objects.create(content_type=ContentType.objects.get_for_model(org), object_id=org.pk)
    body = client.get("/readyz").json()
    assert body["components"]["search"]["status"] == "ok"
    assert "1 pending reindex" in body["components"]["search"]["detail"]
    assert "database" in body["components"]["search"]["detail"]


def test_status_command_prints_backend_status():
    out = StringIO()
    call_command("search_index", "--status", stdout=out)
    assert "pending reindex" in out.getvalue()


def test_renaming_the_owner_refreshes_its_documents_facets(django_capture_on_commit_callbacks):
    org = f.organisation("City of Turku")
    with django_capture_on_commit_callbacks(execute=True):
        sf.lesson(org, "Lesson about monitors", visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        org.name = "Turun kaupunki"
        org.country = "SE"
        org.save()
    facets = search(None, SearchQuery("monitors")).facets
    assert [(v.value, v.label) for v in facets["organisation"]] == [(org.slug, "Turun kaupunki")]
    assert [v.value for v in facets["country"]] == ["SE"]


def test_an_unrelated_save_of_the_owner_does_not_reindex_its_content(django_capture_on_commit_callbacks):
    org = f.organisation("City of Oulu")
    with django_capture_on_commit_callbacks(execute=True):
        lesson = sf.lesson(org, "Lesson about docks", visibility="public")
    before = SearchDocument.objects.get(type="lesson", object_id=lesson.pk).indexed_at
    with django_capture_on_commit_callbacks(execute=True):
        org.description = "A city in the north."
        org.save()
    assert SearchDocument.objects.get(type="lesson", object_id=lesson.pk).indexed_at == before


@pytest.mark.database("postgresql")
def test_rebuild_fills_the_first_pass_vector_with_title_and_summary_terms_only():
    from django.db import connection

    org = f.organisation("City of Espoo")
    with indexing.suppress_index_updates():
        template = sf.template(
            org,
            "Refurbished tablets",
            summary="Leasing contracts.",
            visibility="public",
            criteria=[("award", "Warranty", "Batteries replaceable without tools.")],
        )
    indexing.flush()
    call_command("search_index", "--rebuild", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(head_vector), tsvector_to_array(search_vector), body "
            "FROM search_searchdocument WHERE type = 'template' AND object_id = %s",
            [template.pk],
        )
        head, full, body = cursor.fetchone()
    assert "Batteries" in body and "en0batteri" in full
    # The title's and summary's terms only: no body term, no word pair (pairs match phrases in
    # search_vector, weight D), no access token.
    assert set(head) == {"en0refurbish", "en0tablet", "en0leas", "en0contract"}
    assert "en0refurbish_en0tablet" in full


@pytest.mark.database("postgresql")
def test_postgres_search_rows_keep_only_the_first_pass_vector_inline():
    """Every match's row is read from the heap; the wide columns live out of line (migration 0015)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_searchdocument'")
        (options,) = cursor.fetchone()
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'search_searchdocument'::regclass "
            "AND attname IN ('head_vector', 'search_vector')"
        )
        storage = dict(cursor.fetchall())
    assert "toast_tuple_target=256" in (options or [])
    assert storage == {"head_vector": "m", "search_vector": "x"}


@pytest.mark.database("postgresql")
@pytest.mark.django_db(transaction=True)
def test_postgres_rebuild_vacuums_so_facet_counts_can_read_the_index_alone():
    """Outside a transaction the rebuild ends with VACUUM (ANALYZE): the facet table's pages are
    all-visible, so counting reads ``(document, name, value)`` from the index, not the rows."""
    from django.db import connection

    org = f.organisation("City of Vantaa")
    with indexing.suppress_index_updates():
        for n in range(3):
            sf.template(org, f"Refurbished tablets {n}", summary="Leasing contracts.", visibility="public")
    call_command("search_index", "--rebuild", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'search_searchfacet'")
        pages, visible = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM search_searchfacet")
        (facet_rows,) = cursor.fetchone()
    assert facet_rows > 0 and pages > 0 and visible == pages
    assert search(None, SearchQuery("tablets")).total == 3

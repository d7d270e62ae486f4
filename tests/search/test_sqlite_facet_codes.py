"""SQLite counts facets from each document's packed facet codes (``search_facet_codes``, see
``network.search.backends.sqlite_facets``): the codes must follow every write, and counts from
them must be the counts of the facet rows themselves. Through the real backend and tables."""

from __future__ import annotations

import pytest
from django.db import connection

from network.search import SearchQuery, search
from network.search.backends.sqlite import SQLiteBackend
from network.search.backends.sqlite_facets import fill_codes, unpack
from tests.search import factories as sf
from tests.search.contract import BackendWorld


def stored_codes() -> dict[int, set[tuple[str, str]]]:
    """Each document's facet values as its codes say."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, name, value FROM search_facet_dict")
        names = {code: (name, value) for code, name, value in cursor.fetchall()}
        cursor.execute("SELECT id, codes FROM search_facet_codes")
        return {pk: {names[code] for code in unpack([blob])} for pk, blob in cursor.fetchall()}


def facet_rows() -> dict[int, set[tuple[str, str]]]:
    """Each document's facet values as ``search_searchfacet`` holds them."""
    found: dict[int, set[tuple[str, str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT document_id, name, value FROM search_searchfacet")
        for pk, name, value in cursor.fetchall():
            found.setdefault(pk, set()).add((name, value))
    return found


def grouped_counts(person_filter_ids: set[int]) -> dict[str, dict[str, int]]:
    """Per-value counts grouped from the facet rows of the given documents (the old way)."""
    counts: dict[str, dict[str, int]] = {}
    for pk, values in facet_rows().items():
        if pk in person_filter_ids:
            for name, value in values:
                counts.setdefault(name, {}).setdefault(value, 0)
                counts[name][value] += 1
    return counts


@pytest.mark.database("sqlite")
class TestSQLiteFacetCodes(BackendWorld):
    @pytest.fixture
    def search_backend(self):
        return SQLiteBackend()

    def test_codes_follow_every_write(self, world, django_capture_on_commit_callbacks):
        assert stored_codes() == facet_rows() and facet_rows()
        with django_capture_on_commit_callbacks(execute=True):
            laptop = sf.template(
                world.mal, "Laptop refresh", visibility="public", cpv_codes=["30213100"], labels=["epeat"]
            )
        assert stored_codes() == facet_rows()
        with django_capture_on_commit_callbacks(execute=True):
            laptop.visibility = "network"
            laptop.language = "sv"
            laptop.save()
        assert stored_codes() == facet_rows()
        with django_capture_on_commit_callbacks(execute=True):
            laptop.delete()
        assert stored_codes() == facet_rows()
        SQLiteBackend().clear()
        assert stored_codes() == {}

    def test_migration_fill_gives_the_codes_writes_give(self, world):
        written = stored_codes()
        fill_codes(connection)
        assert stored_codes() == written == facet_rows()

    def test_counts_are_the_facet_rows_counts_of_the_visible_matches(self, world):
        for person in (None, world.hel_member, world.mal_member, world.unv_member):
            for text, filters in (("laptop OR phone OR tietokone", {}), ("", {"type": ["template"]})):
                results = search(person, SearchQuery(text, filters=filters, page_size=50))
                assert results.total < 1000  # exact counts
                shown = {(h.type, h.id) for h in results.hits}
                documents = self.document_ids(results)
                assert len(documents) == results.total
                counted = {
                    name: {v.value: v.count for v in values} for name, values in results.facets.items()
                }
                expected = grouped_counts(documents)
                assert counted == expected, (person, text)
                if person != world.mal_member:
                    assert ("template", world.secret.pk) not in shown

    def test_private_document_from_other_organisation_never_counted(self, world):
        for person in (None, world.hel_member, world.ams_member, world.unv_member):
            facets = search(person, SearchQuery("secret OR pricing OR laptop")).facets
            assert "epeat" not in {v.value for v in facets.get("label", [])}  # the secret's label
        own = search(world.mal_member, SearchQuery("secret")).facets
        assert {v.value for v in own["label"]} == {"epeat"}

    @staticmethod
    def document_ids(results) -> set[int]:
        """The search documents behind a page that holds every match (no thread grouping here)."""
        from network.search.models import SearchDocument

        keys = {(h.type, h.id) for h in results.hits}
        return {
            pk
            for pk, kind, object_id in SearchDocument.objects.values_list("pk", "type", "object_id")
            if (kind, object_id) in keys
        }

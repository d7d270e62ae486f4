"""The embedded default: search the database itself (SQLite FTS5 or PostgreSQL full text).

Both engines share the denormalised :class:`~network.search.models.SearchDocument` table, the
permission filter, facet filtering and facet counting (ordinary ORM queries); a vendor subclass
only contributes the full-text match, its rank and the snippets. The match, the permission filter
and the facet filters end up in ONE SQL statement for the page (ranked and limited by the engine),
one for the total and one for all facet counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet

from network.search.backends.base import FACET_LIMIT, SearchBackend, highlight
from network.search.models import SearchDocument, SearchDocumentCoOwner, SearchDocumentGroup, SearchFacet
from network.search.query import ParsedQuery, SearchQuery
from network.search.results import FacetCount, Hit, SearchResults
from network.search.spec import IndexedDocument
from network.search.text import ALL_LANGUAGES
from network.visibility import Viewer, Visibility

DOCUMENT_FIELDS = (
    "type",
    "language",
    "title",
    "summary",
    "body",
    "url",
    "date",
    "organisation_id",
    "organisation_name",
    "visibility",
    "is_public",
)


def document_visibility_q(viewer: Viewer) -> Q:
    """:func:`network.visibility.visible_q` for search documents, from their copied visibility fields.

    Same rule, same order: public (or public by state) to anyone; then the viewer's own
    organisations; ``network`` to members of verified organisations; ``group`` to members of the
    working groups the document is shared with.
    """
    rule = Q(is_public=True)
    if viewer.is_anonymous:
        return rule
    if viewer.organisation_ids:
        rule |= Q(organisation_id__in=viewer.organisation_ids)
        co_owned = SearchDocumentCoOwner.objects.filter(
            document_id=OuterRef("pk"), organisation_id__in=viewer.organisation_ids
        )
        rule |= Q(Exists(co_owned))
    if viewer.verified_member:
        rule |= Q(visibility=Visibility.NETWORK)
    if viewer.group_ids:
        shared = SearchDocumentGroup.objects.filter(document_id=OuterRef("pk"), group_id__in=viewer.group_ids)
        rule |= Q(Exists(shared), visibility=Visibility.GROUP)
    return rule


@dataclass
class Match:
    """A vendor's full-text condition and rank, as raw SQL fragments with their parameters."""

    where: str
    params: list
    rank: str
    rank_params: list
    tables: tuple[str, ...] = ()


class DatabaseBackend(SearchBackend):
    """Shared by the SQLite and PostgreSQL backends; pick one with :func:`database_backend`."""

    name = "database"
    #: Whether a higher engine rank is better (PostgreSQL) or lower (SQLite's bm25).
    rank_descending = True

    # --- indexing ---------------------------------------------------------------------------------

    def index(self, documents: Sequence[IndexedDocument]) -> None:
        if not documents:
            return
        with transaction.atomic():
            rows = [
                SearchDocument(
                    content_type_id=d.content_type_id,
                    object_id=d.object_id,
                    **{f: getattr(d, f) for f in DOCUMENT_FIELDS},
                )
                for d in documents
            ]
            SearchDocument.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["content_type", "object_id"],
                update_fields=[*DOCUMENT_FIELDS, "indexed_at"],
            )
            ids = self._ids(documents)
            doc_ids = list(ids.values())
            SearchDocumentGroup.objects.filter(document_id__in=doc_ids).delete()
            SearchDocumentCoOwner.objects.filter(document_id__in=doc_ids).delete()
            SearchFacet.objects.filter(document_id__in=doc_ids).delete()
            SearchDocumentGroup.objects.bulk_create(
                SearchDocumentGroup(document_id=ids[d.key], group_id=g)
                for d in documents
                for g in d.group_ids
            )
            SearchDocumentCoOwner.objects.bulk_create(
                SearchDocumentCoOwner(document_id=ids[d.key], organisation_id=o)
                for d in documents
                for o in d.co_owner_ids
            )
            SearchFacet.objects.bulk_create(
                SearchFacet(document_id=ids[d.key], name=name, value=value, label=label)
                for d in documents
                for name, values in d.facets.items()
                for value, label in values
            )
            self.write_fulltext([(ids[d.key], d) for d in documents])

    def _ids(self, documents: Sequence[IndexedDocument]) -> dict[str, int]:
        by_type: dict[int, list[int]] = {}
        for d in documents:
            by_type.setdefault(d.content_type_id, []).append(d.object_id)
        condition = Q()
        for ct, object_ids in by_type.items():
            condition |= Q(content_type_id=ct, object_id__in=object_ids)
        return {
            f"{ct}-{oid}": pk
            for pk, ct, oid in SearchDocument.objects.filter(condition).values_list(
                "pk", "content_type_id", "object_id"
            )
        }

    def delete(self, content_type_id: int, object_ids: Sequence[int]) -> None:
        if not object_ids:
            return
        with transaction.atomic():
            docs = SearchDocument.objects.filter(content_type_id=content_type_id, object_id__in=object_ids)
            self.delete_fulltext(list(docs.values_list("pk", flat=True)))
            docs.delete()

    def clear(self) -> None:
        with transaction.atomic():
            self.delete_fulltext(None)
            SearchDocument.objects.all().delete()

    def end_rebuild(self, started: datetime) -> None:
        with transaction.atomic():
            stale = SearchDocument.objects.filter(indexed_at__lt=started)
            self.delete_fulltext(list(stale.values_list("pk", flat=True)))
            stale.delete()

    def write_fulltext(self, rows: list[tuple[int, IndexedDocument]]) -> None:
        """Engine structures beside the table (SQLite: the FTS5 rows). PostgreSQL: generated."""

    def delete_fulltext(self, document_ids: list[int] | None) -> None:
        """Remove engine structures for these documents (``None``: all)."""

    # --- searching --------------------------------------------------------------------------------

    def match(self, parsed: ParsedQuery, languages: Sequence[str]) -> Match:
        raise NotImplementedError

    def snippets(self, rows: list[dict], parsed: ParsedQuery, languages: Sequence[str]) -> dict[int, str]:
        terms = parsed.positive_words()
        return {
            row["pk"]: highlight(
                " ".join(filter(None, [row["summary"], row["body"]])) or row["title"], terms, row["language"]
            )
            for row in rows
        }

    def search(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> SearchResults:
        results = SearchResults(
            hits=[], total=0, page=query.page, page_size=query.page_size, backend=self.name
        )
        if parsed.matches_nothing:
            return results
        base = SearchDocument.objects.filter(document_visibility_q(viewer))
        for name, values in query.filters.items():
            base = base.filter(
                Exists(SearchFacet.objects.filter(document_id=OuterRef("pk"), name=name, value__in=values))
            )
        languages = query_languages(query)
        found: QuerySet = base
        rank_select: dict = {}
        order: list[str] = ["-date", "-pk"]
        if not parsed.blank:
            m = self.match(parsed, languages)
            found = base.extra(where=[m.where], params=m.params, tables=list(m.tables))  # noqa: S610 - built from parsed words, parameterised
            rank_select = {"select": {"rank": m.rank}, "select_params": m.rank_params}
            if query.sort == "relevance":
                order = ["-rank" if self.rank_descending else "rank", *order]
        results.total = found.count()
        if results.total == 0:
            return results
        results.facets = self.facet_counts(found)
        # Rank and limit inside the engine carrying only (id, rank); then read the page's rows.
        page = found.extra(**rank_select) if rank_select else found
        ranked = list(
            page.order_by(*order).values_list("pk", *(["rank"] if rank_select else []))[
                query.offset : query.offset + query.page_size
            ]
        )
        details = {
            row["pk"]: row
            for row in SearchDocument.objects.filter(pk__in=[r[0] for r in ranked]).values(
                "pk",
                "object_id",
                "type",
                "title",
                "url",
                "summary",
                "body",
                "language",
                "date",
                "organisation_name",
            )
        }
        rows = [{**details[r[0]], "rank": r[1] if len(r) > 1 else 0.0} for r in ranked if r[0] in details]
        snippets = self.snippets(rows, parsed, languages)
        labels = type_labels()
        for row in rows:
            rank = float(row.get("rank") or 0.0)
            results.hits.append(
                Hit(
                    type=row["type"],
                    id=row["object_id"],
                    title=row["title"],
                    url=row["url"],
                    snippet_html=snippets.get(row["pk"], ""),
                    score=round(rank if self.rank_descending else -rank, 6),
                    language=row["language"],
                    date=row["date"],
                    organisation=row["organisation_name"],
                    type_label=labels.get(row["type"], row["type"]),
                )
            )
        return results

    def facet_counts(self, found: QuerySet) -> dict[str, list[FacetCount]]:
        """Every facet's values with counts over the visible, filtered matches: one query."""
        # Grouped over a join from the matched documents (not a subquery): the engine's raw match
        # condition names the document table, which a subquery would re-alias.
        rows = (
            found.order_by()
            .values(name=F("facet_values__name"), value=F("facet_values__value"))
            .annotate(count=Count("facet_values__id"), label=Max("facet_values__label"))
            .filter(count__gt=0)
            .order_by("name", "-count", "value")
        )
        facets: dict[str, list[FacetCount]] = {}
        for row in rows:
            values = facets.setdefault(row["name"], [])
            if len(values) < FACET_LIMIT:
                values.append(FacetCount(row["value"], row["label"] or row["value"], row["count"]))
        return facets

    def status(self) -> str:
        count = SearchDocument.objects.count()
        return f"ok (database: {connection.vendor}, {count} documents)"


def query_languages(query: SearchQuery) -> list[str]:
    """Languages whose stems to try: the query's, else the filtered languages, else all."""
    if query.language:
        from network.search.text import normalise_language

        return [normalise_language(query.language)]
    wanted = [lang for lang in query.filters.get("language", []) if lang in ALL_LANGUAGES]
    return wanted or list(ALL_LANGUAGES)


def type_labels() -> dict[str, str]:
    from network.search.registry import indexes

    return {i.type: str(i.type_label) for i in indexes()}

"""The denormalised search table the database backends query, and the reindex queue.

A :class:`SearchDocument` copies, from the object it stands for, the text to search and the
*visibility fields* (owner organisation, visibility, shared working groups, public-by-state), so
the permission filter runs inside the same SQL statement as the full-text match and the facet
counts. The full-text structures themselves are engine-specific and created by migration: an FTS5
table ``search_fts`` on SQLite, a stored ``tsvector`` column with a GIN index on PostgreSQL.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    type = models.CharField(max_length=32, db_index=True)
    language = models.CharField(max_length=8, default="und")
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    date = models.DateTimeField(null=True, blank=True, db_index=True)
    # Visibility fields, copied from the object (or its visibility parent) at index time.
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    visibility = models.CharField(max_length=10, db_index=True)
    is_public = models.BooleanField(default=False, db_index=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    #: Who may read it and its facet values, as tokens (``pub o12 net g3 x<hex>``; see
    #: :func:`network.search.backends.database.access_tokens`): PostgreSQL indexes them in
    #: ``search_vector``, so visibility and facet filters are answered by the same GIN scan.
    access = models.TextField(blank=True, default="")
    #: PostgreSQL: the analysed terms as a ``tsvector`` literal (``search_vector`` is generated
    #: from it); empty on SQLite, whose FTS5 table holds the terms.
    terms = models.TextField(blank=True, default="")
    #: Language of each text field that differs from ``language`` (detected, mixed documents).
    field_languages = models.JSONField(blank=True, default=dict)
    #: Documents with the same key show as one hit (a thread and its posts).
    collapse = models.CharField(max_length=64, blank=True, default="", db_index=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_id}: {self.title}"


class SearchDocumentGroup(models.Model):
    """Working groups a ``group``-visibility document is shared with (a side table both engines join)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="groups")
    group_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "group_id"], name="search_document_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → group {self.group_id}"


class SearchDocumentCoOwner(models.Model):
    """Co-owning organisations (``visibility_co_owners``: statement co-issuers, event co-hosts).

    Their members read the document as the owner's members do, whatever its visibility.
    """

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="co_owners")
    organisation_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation_id"], name="search_document_co_owner_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → co-owner {self.organisation_id}"


class SearchFacet(models.Model):
    """One facet value of a document (a document has several labels, CPV divisions, groups...)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="facet_values")
    name = models.CharField(max_length=32)
    value = models.CharField(max_length=100)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["name", "value"], name="search_facet_name_value")]
        constraints = [
            models.UniqueConstraint(fields=["document", "name", "value"], name="search_facet_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ReindexQueue(models.Model):
    """Objects whose index update failed (e.g. Elasticsearch down); ``search_index --process-queue`` retries.

    Keyed by object, so a row changed ten times while the engine was down is retried once.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pending reindex")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="reindex_queue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} ({self.attempts} attempts)"


class SearchWord(models.Model):
    """A word some indexed document holds (case-folded, as written): the vocabulary "did you
    mean" draws candidates from. Never shown as is: a candidate is offered only after a search for
    it finds something the person may read (see :mod:`network.search.suggest`)."""

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word

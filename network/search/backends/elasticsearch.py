"""Elasticsearch backend on ``elasticsearch.dsl`` (for when the database no longer scales).

* One field per language for each text (``title_fi``, ``summary_fi``, ``body_fi``...), each with
  that language's analyser (standard tokenizer, lowercase, the language's stop words and Snowball
  stemmer); a document fills only its own language's fields, so a Finnish query word is stemmed
  as Finnish only against Finnish documents, like the database backends.
* The visibility filter is a ``bool`` *filter* clause built from the same
  :class:`~network.visibility.Viewer` as everywhere else, so hits and aggregations (facet counts)
  are both limited by it.
* Queries are built from :mod:`network.search.query`'s parsed atoms as ``multi_match`` clauses
  (never ``query_string``), so no Lucene syntax can come from input.
* Rebuilds fill a new timestamped index and swap the alias in one ``update_aliases`` call.
* Nothing connects at import or construction; a failure raises to the indexer, which queues the
  keys (see :mod:`network.search.indexing`) and never fails the user's save.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Long,
    Object,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)

from network.search.backends.base import FACET_LIMIT, SearchBackend
from network.search.query import FACETS, ParsedQuery, SearchQuery
from network.search.results import FacetCount, Hit, SearchResults
from network.search.spec import IndexedDocument
from network.search.text import ALL_LANGUAGES, LANGUAGES, UNDETERMINED, stem_variants
from network.visibility import Viewer, Visibility

TEXT_FIELDS = {"title": 3.0, "summary": 2.0, "body": 1.0}
LABEL_SEPARATOR = "\x1f"


def language_analyzer(language: str):
    """Standard tokenizer, lowercase, ASCII folding kept out (stems depend on å/ä/ö), stop words, stems."""
    if language == UNDETERMINED:
        return analyzer("bn_und", tokenizer="standard", filter=["lowercase"])
    algorithm = LANGUAGES[language][0]
    return analyzer(
        f"bn_{language}",
        tokenizer="standard",
        filter=[
            "lowercase",
            token_filter(f"bn_{language}_stop", "stop", stopwords=f"_{algorithm}_"),
            token_filter(f"bn_{language}_stem", "snowball", language=algorithm.capitalize()),
        ],
    )


def _document_class() -> type[Document]:
    fields: dict[str, Any] = {
        "doc_key": Keyword(),
        "type": Keyword(),
        "object_id": Long(),
        "content_type_id": Integer(),
        "language": Keyword(),
        "title": Keyword(index=False),
        "url": Keyword(index=False),
        "snippet_source": Text(index=False),
        "date": Date(),
        "organisation_id": Long(),
        "organisation_name": Keyword(index=False),
        "visibility": Keyword(),
        "is_public": Boolean(),
        "group_ids": Long(),
        "co_owner_ids": Long(),
        "facet_labels": Object(enabled=False),
    }
    for language in ALL_LANGUAGES:
        for name in TEXT_FIELDS:
            fields[f"{name}_{language}"] = Text(analyzer=language_analyzer(language))
    for facet in FACETS:
        fields[f"facet_{facet}"] = Keyword()
        fields[f"facet_{facet}_kv"] = Keyword()
    return type("SearchDocumentES", (Document,), fields)


SearchDocumentES = _document_class()


def to_source(doc: IndexedDocument) -> dict[str, Any]:
    """The Elasticsearch ``_source`` of a document (pure function, unit-tested)."""
    lang = doc.language if doc.language in ALL_LANGUAGES else UNDETERMINED
    source: dict[str, Any] = {
        "doc_key": doc.key,
        "type": doc.type,
        "object_id": doc.object_id,
        "content_type_id": doc.content_type_id,
        "language": lang,
        "title": doc.title,
        "url": doc.url,
        "snippet_source": "\n".join(filter(None, [doc.summary, doc.body])) or doc.title,
        "date": doc.date.isoformat() if doc.date else None,
        "organisation_id": doc.organisation_id,
        "organisation_name": doc.organisation_name,
        "visibility": doc.visibility,
        "is_public": doc.is_public,
        "group_ids": list(doc.group_ids),
        "co_owner_ids": list(doc.co_owner_ids),
        "facet_labels": {name: dict(values) for name, values in doc.facets.items()},
        f"title_{lang}": doc.title,
        f"summary_{lang}": doc.summary,
        f"body_{lang}": doc.body,
    }
    for name, values in doc.facets.items():
        source[f"facet_{name}"] = [v for v, _ in values]
        source[f"facet_{name}_kv"] = [f"{v}{LABEL_SEPARATOR}{label}" for v, label in values]
    return source


def visibility_filter(viewer: Viewer) -> Q:
    """:func:`network.visibility.visible_q` as an Elasticsearch filter clause."""
    should = [Q("term", is_public=True)]
    if not viewer.is_anonymous:
        if viewer.organisation_ids:
            should.append(Q("terms", organisation_id=sorted(viewer.organisation_ids)))
            should.append(Q("terms", co_owner_ids=sorted(viewer.organisation_ids)))
        if viewer.verified_member:
            should.append(Q("term", visibility=Visibility.NETWORK.value))
        if viewer.group_ids:
            should.append(
                Q(
                    "bool",
                    filter=[
                        Q("term", visibility=Visibility.GROUP.value),
                        Q("terms", group_ids=sorted(viewer.group_ids)),
                    ],
                )
            )
    return Q("bool", should=should, minimum_should_match=1)


def _fields(languages: Sequence[str]) -> list[str]:
    return [f"{name}_{lang}^{boost:g}" for lang in languages for name, boost in TEXT_FIELDS.items()]


def atom_query(words: tuple[str, ...], languages: Sequence[str]) -> Q:
    if len(words) > 1:
        return Q("multi_match", query=" ".join(words), type="phrase", fields=_fields(languages))
    word = words[0]
    should = [Q("multi_match", query=word, fields=_fields(languages))]
    for lang in languages:  # the stem of the stem (see network.search.text.stem_variants)
        if lang in LANGUAGES:
            variants = stem_variants(word, lang)
            if len(variants) > 1:
                should += [Q("term", **{f"{name}_{lang}": variants[1]}) for name in TEXT_FIELDS]
    return should[0] if len(should) == 1 else Q("bool", should=should, minimum_should_match=1)


def build_search(viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, languages: Sequence[str]) -> Search:
    """The complete request for one page (pure function, unit-tested with ``.to_dict()``)."""
    s = Search().extra(track_total_hits=True)
    filters = [visibility_filter(viewer)]
    for name, values in query.filters.items():
        filters.append(Q("terms", **{f"facet_{name}": list(values)}))
    must = [
        Q("bool", should=[atom_query(a.words, languages) for a in clause], minimum_should_match=1)
        for clause in parsed.clauses
    ]
    must_not = [atom_query(a.words, languages) for a in parsed.excluded]
    s = s.query(Q("bool", must=must or [Q("match_all")], must_not=must_not, filter=filters))
    for facet in FACETS:
        s.aggs.bucket(facet, "terms", field=f"facet_{facet}_kv", size=FACET_LIMIT)
    if query.sort == "date" or parsed.blank:
        s = s.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    else:
        s = s.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    if not parsed.blank:
        s = s.highlight_options(
            encoder="html",
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            number_of_fragments=2,
            fragment_size=160,
        ).highlight(*[f"{name}_{lang}" for lang in languages for name in ("summary", "body")])
    s = s.source(
        ["type", "object_id", "title", "url", "language", "date", "organisation_name", "snippet_source"]
    )
    return s[query.offset : query.offset + query.page_size]


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, prefix: str, *, timeout: float = 5.0):
        self.url = url
        self.alias = f"{prefix}-search"
        self.timeout = timeout
        self._client = None
        self._rebuild_index: str | None = None
        self._alias_checked = False

    # --- connection -------------------------------------------------------------------------------

    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(self.url, request_timeout=self.timeout, max_retries=0)
        return self._client

    def new_index(self) -> Index:
        name = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        index = Index(name)
        index.settings(number_of_shards=1, number_of_replicas=0)
        index.document(SearchDocumentES)
        return index

    def _ensure_alias(self) -> None:
        if self._alias_checked:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            index = self.new_index()
            index.create(using=self.client)
            self.client.indices.put_alias(index=index._name, name=self.alias)
        self._alias_checked = True

    # --- indexing -------------------------------------------------------------------------------

    def _targets(self) -> list[str]:
        return [self.alias] + ([self._rebuild_index] if self._rebuild_index else [])

    def index(self, documents: Sequence[IndexedDocument]) -> None:
        if not documents:
            return
        from elasticsearch.helpers import bulk

        self._ensure_alias()
        actions = [
            {"_op_type": "index", "_index": target, "_id": d.key, "_source": to_source(d)}
            for target in self._targets()
            for d in documents
        ]
        bulk(self.client, actions, refresh="wait_for" if not self._rebuild_index else False)

    def delete(self, content_type_id: int, object_ids: Sequence[int]) -> None:
        if not object_ids:
            return
        from elasticsearch.helpers import bulk

        self._ensure_alias()
        actions = [
            {"_op_type": "delete", "_index": target, "_id": f"{content_type_id}-{oid}"}
            for target in self._targets()
            for oid in object_ids
        ]
        bulk(self.client, actions, refresh="wait_for", raise_on_error=False)

    def clear(self) -> None:
        self._ensure_alias()
        self.client.delete_by_query(
            index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed"
        )

    def begin_rebuild(self) -> None:
        index = self.new_index()
        index.create(using=self.client)
        self._rebuild_index = index._name

    def end_rebuild(self, started: datetime) -> None:
        new = self._rebuild_index
        if new is None:
            return
        self.client.indices.refresh(index=new)
        actions: list[dict] = []
        old: list[str] = []
        if self.client.indices.exists_alias(name=self.alias):
            old = list(self.client.indices.get_alias(name=self.alias))
            actions += [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)  # atomic: searches never see no index
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        self._rebuild_index = None
        self._alias_checked = True

    def abort_rebuild(self) -> None:
        if self._rebuild_index:
            try:
                self.client.indices.delete(index=self._rebuild_index, ignore_unavailable=True)
            finally:
                self._rebuild_index = None

    # --- searching ------------------------------------------------------------------------------

    def search(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> SearchResults:
        from network.search.backends.database import query_languages, type_labels

        results = SearchResults(
            hits=[], total=0, page=query.page, page_size=query.page_size, backend=self.name
        )
        if parsed.matches_nothing:
            return results
        self._ensure_alias()
        languages = query_languages(query)
        response = (
            build_search(viewer, query, parsed, languages).using(self.client).index(self.alias).execute()
        )
        results.total = response.hits.total.value
        labels = type_labels()
        for hit in response:
            highlight = getattr(hit.meta, "highlight", None)
            fragments = [f for field in (highlight.to_dict().values() if highlight else []) for f in field]
            snippet = (
                mark_safe(" … ".join(fragments[:2]))  # noqa: S308 - encoder=html escaped the text
                if fragments
                else escape(" ".join(str(getattr(hit, "snippet_source", "")).split()[:30]))
            )
            date = getattr(hit, "date", None)
            results.hits.append(
                Hit(
                    type=hit.type,
                    id=int(hit.object_id),
                    title=hit.title,
                    url=hit.url,
                    snippet_html=snippet,
                    score=float(hit.meta.score or 0.0),
                    language=hit.language,
                    date=datetime.fromisoformat(date) if isinstance(date, str) else date,
                    organisation=getattr(hit, "organisation_name", ""),
                    type_label=labels.get(hit.type, hit.type),
                )
            )
        for facet in FACETS if query.facets else ():
            buckets = getattr(response.aggregations, facet).buckets
            values = []
            for bucket in buckets:
                value, _, label = str(bucket.key).partition(LABEL_SEPARATOR)
                values.append(FacetCount(value, label or value, bucket.doc_count))
            if values:
                results.facets[facet] = values
        return results

    def status(self) -> str:
        health = self.client.cluster.health(timeout="2s")
        count = (
            self.client.count(index=self.alias)["count"]
            if self.client.indices.exists_alias(name=self.alias)
            else 0
        )
        return f"ok (elasticsearch {health['status']}, {count} documents)"

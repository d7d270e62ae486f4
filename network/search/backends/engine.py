"""The search-engine backend: Elasticsearch 8/9 or OpenSearch 2/3, one builder, a thin transport each.

For when one database no longer carries the search load (DESIGN.md §Search). What it shares with
the database backends, by construction rather than by imitation:

* **The same terms.** Text is analysed by :mod:`network.search.analysis` in Python — the very
  chain the database backends index (:func:`~network.search.analysis.document_terms` for
  documents, :func:`~network.search.analysis.query_alternatives` for query words) — and the engine
  indexes those terms with a whitespace-only analyser (``bn_terms``). The engine
  never stems, so every backend finds the same documents and a change of the analysis chain
  reaches the engine without touching this module. One field per language and text
  (``title_fi``, ``body_sv``...): a document fills only its own language's fields, so a Finnish
  query's stems only meet Finnish documents and each language keeps its own term statistics.
* **The same visibility rule.** Documents carry the audience tokens of
  :func:`~network.search.backends.database.audience_tokens` (``pub``, ``net``, ``o<id>``,
  ``g<id>``); a search filters on the viewer's :func:`~network.search.backends.database.viewer_tokens`
  as a ``bool`` *filter*, so hits, totals and facet counts are all limited by it.
* **The same snippets.** Built for the page shown by :func:`~network.search.backends.base.highlight`
  from the stored source text (the engine's highlighter would mark stems, not words).
* **The same syntax.** Queries come from :mod:`network.search.query`'s parsed atoms as
  ``multi_match`` clauses of analysed terms (never ``query_string``): no input reaches Lucene syntax.

Index lifecycle: the live index sits behind the alias ``<prefix>-search``; a rebuild fills a new
timestamped index (incremental updates go to both meanwhile) and swaps the alias in one
``update_aliases`` request, atomic for searches. The index it replaced is kept, without alias, until
the next rebuild, so a search that resolved the alias just before the swap still finishes on it.

Engines: ``SEARCH_URL`` is asked ``GET /`` once (``version.distribution``) unless
``OPENSEARCH_URL`` / ``ELASTICSEARCH_URL`` (or ``SEARCH_ENGINE``) says which; see
:mod:`network.search.backends.transport` for what differs between them. Nothing connects at import
or construction; a failure raises to the indexer, which queues the keys
(:mod:`network.search.indexing`) and never fails the user's save.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Long,
    MetaField,
    Object,
    Q,
    Search,
    Text,
    analyzer,
)

from network.search.analysis import SEPARATOR, analyse_word, document_terms, query_alternatives
from network.search.backends.base import FACET_LIMIT, SearchBackend
from network.search.backends.database import audience_tokens, query_languages, viewer_tokens
from network.search.backends.transport import Transport, detect_engine, transport_for
from network.search.query import FACETS, MAX_PAGE, MAX_PAGE_SIZE, Atom, ParsedQuery, SearchQuery
from network.search.results import SearchResults
from network.search.spec import IndexedDocument
from network.search.text import ALL_LANGUAGES, normalise_language
from network.visibility import Viewer

#: Field boosts: a title match outranks a summary match outranks a body match; ``extra`` holds a
#: word's other lemmas, plain stem and compound parts (network.search.analysis).
TEXT_FIELDS = {"title": 3.0, "summary": 2.0, "body": 1.0, "extra": 1.0}
PHRASE_FIELDS = ("title", "summary", "body")
LABEL_SEPARATOR = "\x1f"
#: Terms arrive analysed (folded, stemmed) from network.search.text; the engine only splits them.
TERMS_ANALYZER = analyzer("bn_terms", tokenizer="whitespace")


def _document_class() -> type[Document]:
    fields: dict[str, Any] = {
        "doc_key": Keyword(),
        "type": Keyword(),
        "object_id": Long(),
        "content_type_id": Integer(),
        "language": Keyword(),
        "date": Date(),
        "audience": Keyword(),
        # A thread and its posts share one key (``thread:12``), every other document has its own
        # (its ``doc_key``): searches collapse on it, so a thread is one hit.
        "group": Keyword(),
        # What a hit shows (title, url, snippet source, organisation): stored, never searched.
        "display": Object(enabled=False),
        "facet_labels": Object(enabled=False),
    }
    for language in ALL_LANGUAGES:
        for name in TEXT_FIELDS:
            fields[f"{name}_{language}"] = Text(analyzer=TERMS_ANALYZER)
    for facet in FACETS:
        fields[f"facet_{facet}"] = Keyword()
        fields[f"facet_{facet}_kv"] = Keyword()
    # Strict about what is indexed: a field the mapping does not name (say a language the
    # analysis chain knows and ALL_LANGUAGES does not) stays in _source, unindexed, instead of
    # growing the mapping with the engine's default analyser.
    fields["Meta"] = type("Meta", (), {"dynamic": MetaField(False)})
    return type("EngineDocument", (Document,), fields)


EngineDocument = _document_class()


def index_definition(name: str, *, shards: int = 1, replicas: int = 0) -> Index:
    """The index body (settings, analysis, mappings) both engines accept."""
    index = Index(name)
    # Pages run to MAX_PAGE x MAX_PAGE_SIZE (as on the database backends); the engine's default
    # window (10,000) would refuse the deep ones with an error.
    index.settings(
        number_of_shards=shards, number_of_replicas=replicas, max_result_window=MAX_PAGE * MAX_PAGE_SIZE
    )
    index.document(EngineDocument)
    return index


def to_source(doc: IndexedDocument) -> dict[str, Any]:
    """A document's ``_source``: analysed terms for its own language's fields (pure, unit-tested)."""
    lang = normalise_language(doc.language)
    source: dict[str, Any] = {
        "doc_key": doc.key,
        "type": doc.type,
        "object_id": doc.object_id,
        "content_type_id": doc.content_type_id,
        "language": lang,
        "date": doc.date.isoformat() if doc.date else None,
        "audience": audience_tokens(
            is_public=doc.is_public,
            visibility=doc.visibility,
            organisation_id=doc.organisation_id,
            co_owner_ids=doc.co_owner_ids,
            group_ids=doc.group_ids,
        ),
        "group": doc.collapse or doc.key,
        "display": {
            "title": doc.title,
            "url": doc.url,
            "text": "\n".join(filter(None, [doc.summary, doc.body])) or doc.title,
            "organisation": doc.organisation_name,
            "field_languages": dict(doc.field_languages),
        },
        "facet_labels": {name: dict(values) for name, values in doc.facets.items()},
    }
    # The chain's terms carry their language (``fi0tietokone``): each goes to its language's field,
    # so a mixed-language document's Swedish field is found by Swedish terms.
    for name, terms in document_terms(doc).as_dict().items():
        by_language: dict[str, list[str]] = {}
        for value in terms.split():
            by_language.setdefault(value.split(SEPARATOR, 1)[0], []).append(value)
        for language, values in by_language.items():
            source[f"{name}_{language}"] = " ".join(values)
    for name, values in doc.facets.items():
        source[f"facet_{name}"] = [v for v, _ in values]
        source[f"facet_{name}_kv"] = [f"{v}{LABEL_SEPARATOR}{label}" for v, label in values]
    return source


def visibility_filter(viewer: Viewer) -> Q:
    """The viewer may read a document carrying any of its tokens (the database backends' rule)."""
    return Q("terms", audience=viewer_tokens(viewer))


def _fields(language: str, names: Sequence[str] = tuple(TEXT_FIELDS)) -> list[str]:
    return [f"{name}_{language}^{TEXT_FIELDS[name]:g}" for name in names]


def atom_query(atom: Atom, languages: Sequence[str]) -> Q:
    """One word (any of its terms) or one phrase (adjacent main terms), in any query language,
    each language's terms only against that language's fields."""
    per_language = []
    for lang in languages:
        if atom.is_phrase:
            terms = " ".join(analyse_word(w, lang).main for w in atom.words)
            per_language.append(
                Q("multi_match", query=terms, type="phrase", fields=_fields(lang, PHRASE_FIELDS))
            )
        else:
            terms = " ".join(query_alternatives(atom.words[0], lang))
            per_language.append(Q("multi_match", query=terms, operator="or", fields=_fields(lang)))
    if len(per_language) == 1:
        return per_language[0]
    return Q("bool", should=per_language, minimum_should_match=1)


DATE_DESC = {"date": {"order": "desc", "missing": "_last"}}
#: What a hit needs from ``_source`` to be shown.
SHOWN = ["type", "object_id", "language", "date", "group", "display"]
#: A thread and its posts share a group key (see ``to_source``).
FORUM_TYPES = ("post", "thread")
#: ``cardinality`` counts exactly (it keeps every hash) up to this many distinct values.
EXACT_COUNT = 40_000


def clause_query(clause: Sequence[Atom], languages: Sequence[str], *, name: str = "") -> Q:
    """Any atom of one clause; ``name`` makes the engine say which hits matched it
    (``matched_queries``), which is how a forgiving search knows the words a hit lacks."""
    named = {"_name": name} if name else {}
    return Q("bool", should=[atom_query(a, languages) for a in clause], minimum_should_match=1, **named)


def filter_clauses(viewer: Viewer, query: SearchQuery) -> list[Q]:
    """Visibility first, then the facet filters (values OR-ed within a facet, facets AND-ed)."""
    filters = [visibility_filter(viewer)]
    for name, values in sorted(query.filters.items()):
        filters.append(Q("terms", **{f"facet_{name}": list(values)}))
    return filters


def match_query(viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, languages: Sequence[str]) -> Q:
    """Visible, filtered documents holding every clause and no exclusion."""
    must = [clause_query(clause, languages) for clause in parsed.clauses]
    must_not = [atom_query(a, languages) for a in parsed.excluded]
    return Q("bool", must=must or [Q("match_all")], must_not=must_not, filter=filter_clauses(viewer, query))


def loose_query(viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, languages: Sequence[str]) -> Q:
    """The forgiving form: forced clauses (``"quoted"``, ``+word``) and at least ONE optional clause,
    each optional clause named ``c<index>`` (what :func:`network.search.forgiving.relaxed` matches)."""
    must = [clause_query(parsed.clauses[i], languages) for i in parsed.forced]
    should = [clause_query(parsed.clauses[i], languages, name=f"c{i}") for i in parsed.optional]
    must_not = [atom_query(a, languages) for a in parsed.excluded]
    return Q(
        "bool",
        must=must,
        should=should,
        minimum_should_match=1,
        must_not=must_not,
        filter=filter_clauses(viewer, query),
    )


def sort_order(query: SearchQuery, parsed: ParsedQuery) -> list:
    """A stable order: equal scores and dates fall back to the document key, so pages never overlap."""
    if query.sort == "date" or parsed.blank:
        return [DATE_DESC, "_score", {"doc_key": "desc"}]
    return ["_score", DATE_DESC, {"doc_key": "desc"}]


def add_aggregations(s: Search, *, facets: bool) -> Search:
    """Facet counts (over matching documents, as the database backends count them) and the forum
    matches' distinct threads, from which the number of hits (threads count once) follows."""
    if facets:
        for facet in FACETS:
            s.aggs.bucket(facet, "terms", field=f"facet_{facet}_kv", size=FACET_LIMIT)
    s.aggs.bucket("forum", "filter", filter=Q("terms", type=list(FORUM_TYPES))).metric(
        "threads", "cardinality", field="group", precision_threshold=EXACT_COUNT
    )
    return s


def build_search(viewer: Viewer, query: SearchQuery, parsed: ParsedQuery, languages: Sequence[str]) -> Search:
    """The complete request for one page of hits holding every word (pure function, unit-tested
    with ``.to_dict()``): collapsed on ``group``, so the engine pages threads, not their posts."""
    s = Search().extra(track_total_hits=True, track_scores=True)
    s = s.query(match_query(viewer, query, parsed, languages))
    s = add_aggregations(s, facets=query.facets)
    s = s.sort(*sort_order(query, parsed)).collapse("group")
    s = s.source(SHOWN)
    return s[query.offset : query.offset + query.page_size]


def grouped_total(response: dict[str, Any]) -> int:
    """Hits as shown: matching documents minus the forum matches beyond the first of their thread."""
    total = int(response["hits"]["total"]["value"])
    forum = response.get("aggregations", {}).get("forum")
    if not forum:
        return total
    return max(total - (int(forum["doc_count"]) - int(forum["threads"]["value"])), 0)


class EngineBackend(SearchBackend):
    """Elasticsearch or OpenSearch behind the alias ``<prefix>-search``."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        engine: str = "",
        timeout: float = 5.0,
        shards: int = 1,
        replicas: int = 0,
    ):
        self.url = url
        self.alias = f"{prefix}-search"
        self.timeout = timeout
        self.shards = shards
        self.replicas = replicas
        self._engine = engine
        self._transport: Transport | None = None
        self._rebuild_index: str | None = None
        self._alias_checked = False
        self._lock = threading.Lock()

    # --- connection -------------------------------------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._engine or "engine"

    @property
    def transport(self) -> Transport:
        """The engine's transport; the engine is asked what it is on first use when not configured."""
        if self._transport is None:
            with self._lock:
                if self._transport is None:
                    engine = self._engine or detect_engine(self.url, timeout=self.timeout)
                    self._transport = transport_for(engine, self.url, timeout=self.timeout)
                    self._engine = engine
        return self._transport

    def new_index(self) -> Index:
        return index_definition(
            f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}", shards=self.shards, replicas=self.replicas
        )

    def _create(self, index: Index) -> str:
        self.transport.create_index(index._name, index.to_dict())
        return index._name

    def _ensure_alias(self) -> None:
        """Create the first index with the alias on first use.

        Several processes (web workers) may start at once on an empty cluster: the first index has
        a fixed name and carries the alias in its creation request, so exactly one creation wins
        and the alias never points at two indices (which would refuse every write)."""
        if self._alias_checked:
            return
        if not self.transport.alias_targets(self.alias):
            index = index_definition(f"{self.alias}-initial", shards=self.shards, replicas=self.replicas)
            body = {**index.to_dict(), "aliases": {self.alias: {}}}
            try:
                self.transport.create_index(index._name, body)
            except Exception:
                if not self.transport.alias_targets(self.alias):  # not a lost race: a real failure
                    raise
        self._alias_checked = True

    # --- indexing -------------------------------------------------------------------------------

    @property
    def rebuild_alias(self) -> str:
        """Points at the index a rebuild is filling, while it runs (in whichever process)."""
        return f"{self.alias}-rebuilding"

    def _targets(self) -> list[str]:
        """Where updates go. In the process running a rebuild: the new index only (its batches
        need not rewrite the live index). Elsewhere: the live index, plus the index a rebuild is
        filling — ``manage.py search_index --rebuild`` runs in its own process, so the web
        workers find its index through an alias (one small request per update) and their
        updates are not lost when the alias swaps."""
        if self._rebuild_index:
            return [self._rebuild_index]
        return [self.alias, *self.transport.alias_targets(self.rebuild_alias)]

    def index(self, documents: Sequence[IndexedDocument]) -> None:
        if not documents:
            return
        self._ensure_alias()
        sources = [(d.key, to_source(d)) for d in documents]
        targets = self._targets()
        # Writes through the alias alone require it to be one: a node that came back without its
        # data (a lost volume, a new node at the same address) would otherwise auto-create an
        # index of that name with guessed mappings (``doc_key`` as text: every search then fails
        # on its sort). Refused instead, the index is created again with its mappings.
        through_alias = targets == [self.alias]
        try:
            self._write(targets, sources, require_alias=through_alias)
        except Exception:
            if not through_alias or self.transport.alias_targets(self.alias):
                raise
            self._alias_checked = False
            self._ensure_alias()
            self._write(targets, sources, require_alias=True)

    def _write(self, targets: list[str], sources: list[tuple[str, dict]], *, require_alias: bool) -> None:
        actions = [
            {"_op_type": "index", "_index": target, "_id": key, "_source": source}
            for target in targets
            for key, source in sources
        ]
        # Saves are read back at once (the contract: searchable after commit), so refresh per
        # request; a rebuild's bulk loads skip it and refresh once at the end.
        self.transport.bulk(actions, refresh=not self._rebuild_index, require_alias=require_alias)

    def delete(self, content_type_id: int, object_ids: Sequence[int]) -> None:
        if not object_ids:
            return
        self._ensure_alias()
        actions = [
            {"_op_type": "delete", "_index": target, "_id": f"{content_type_id}-{oid}"}
            for target in self._targets()
            for oid in object_ids
        ]
        self.transport.bulk(actions, refresh=True, raise_on_error=False)  # absent is not an error

    def clear(self) -> None:
        self._ensure_alias()
        self.transport.delete_by_query(self.alias, {"match_all": {}})

    def begin_rebuild(self) -> None:
        self._ensure_alias()
        self._rebuild_index = self._create(self.new_index())
        self.transport.update_aliases([{"add": {"index": self._rebuild_index, "alias": self.rebuild_alias}}])

    def end_rebuild(self, started: datetime) -> None:
        new = self._rebuild_index
        if new is None:
            return
        self.transport.refresh(new)
        old = self.transport.alias_targets(self.alias)
        actions: list[dict] = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        actions.append({"remove": {"index": new, "alias": self.rebuild_alias}})
        self.transport.update_aliases(actions)  # atomic: a search sees the old index or the new
        # Older generations go; the index just replaced stays until the next rebuild (a search that
        # resolved the alias a moment before the swap is still reading it).
        for name in self.transport.indices(f"{self.alias}-*"):
            if name != new and name not in old:
                self.transport.delete_index(name)
        self._rebuild_index = None
        self._alias_checked = True

    def abort_rebuild(self) -> None:
        if self._rebuild_index:
            try:
                self.transport.delete_index(self._rebuild_index)
            finally:
                self._rebuild_index = None

    def drop(self) -> None:
        """Delete every index of this prefix (tests, and ``search_index`` when a prefix is retired)."""
        for name in self.transport.indices(f"{self.alias}-*"):
            self.transport.delete_index(name)
        self._alias_checked = False

    # --- searching ------------------------------------------------------------------------------

    def search(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> SearchResults:
        """Hits holding every word, one per thread; when few, the best partial matches follow
        (:mod:`network.search.backends.engine_steps`)."""
        from network.search.backends.engine_steps import EngineSearch

        self._ensure_alias()
        return EngineSearch(self, viewer, query, parsed).run()

    def count(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> int:
        """Matching documents ``viewer`` may read (``suggest`` asks this per candidate word)."""
        if parsed.matches_nothing:
            return 0
        self._ensure_alias()
        languages = query_languages(query)
        body = {
            "size": 0,
            "track_total_hits": True,
            "query": match_query(viewer, query, parsed, languages).to_dict(),
        }
        return int(self.transport.search(self.alias, body)["hits"]["total"]["value"])

    def status(self) -> str:
        health = self.transport.health()
        targets = self.transport.alias_targets(self.alias)
        count = self.transport.count(self.alias) if targets else 0
        outdated = [name for name in targets if "group" not in self.transport.fields(name)]
        if outdated:
            # Searches collapse threads on ``group``: an index built before it cannot answer them.
            raise RuntimeError(
                f"index {', '.join(outdated)} predates thread grouping (no 'group' field): "
                "run manage.py search_index --rebuild"
            )
        return f"ok ({self.name} {health['status']}, {count} documents)"

"""Forgiving queries and one hit per thread on the search engine: what
:mod:`network.search.forgiving` does over SQL windows, done with the engine's own means, to the
same rules, so every backend answers alike.

**One hit per thread.** The page request collapses on the ``group`` keyword (a thread and its posts
share ``thread:<id>``, every other document is a group of its own), so the engine pages threads,
not posts. The total counts groups: matching documents minus the forum matches beyond the first of
their thread (a ``cardinality`` of the forum matches' groups; it keeps exact hashes below its
40,000 precision threshold, far beyond what a search matches in one forum). For the page's
threads, ONE more request gets, under the same query, each thread's matching posts (``terms`` on
the group, a ``filter`` on posts: its count is the hit's ``matches``), its best post
(``top_hits`` in the page's order: the snippet) and, through a ``global`` aggregation, the
thread's own document (found even when only posts matched), which is what the hit shows.

**Forgiving.** When fewer than :data:`~network.search.forgiving.RELAX_BELOW` documents hold every
word and the query has optional words, a second request asks for the first documents holding the
forced clauses and at least one optional clause, each optional clause named (``_name``: a hit's
``matched_queries`` says which words it holds), and — in a ``global`` aggregation limited to what the
person may read — how many readable documents there are and how many hold each clause: the
clauses' inverse document frequencies. The window is then ordered in Python by (words held,
rarity of the words held, engine rank) and grouped by thread, exactly as the database backends
order theirs, each hit naming the words it lacks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch.dsl import Q, Search

from network.search import forgiving
from network.search.backends.base import highlight
from network.search.backends.database import query_languages, type_labels
from network.search.backends.engine import (
    FACET_LIMIT,
    FORUM_TYPES,
    LABEL_SEPARATOR,
    SHOWN,
    add_aggregations,
    build_search,
    clause_query,
    filter_clauses,
    grouped_total,
    loose_query,
    match_query,
    sort_order,
)
from network.search.labels import facet_label
from network.search.query import FACETS, ParsedQuery, SearchQuery
from network.search.results import FacetCount, Hit, SearchResults
from network.visibility import Viewer

#: The largest forgiving window scored in Python (the index allows deeper pages, see
#: ``index_definition``; the database backends' windows grow the same way).
MAX_WINDOW = 10_000
#: Members of a group considered for its snippet (the database backends look at 20 too).
GROUP_MEMBERS = 20


@dataclass
class Member:
    """One matching document of a group, in rank order."""

    key: str
    type: str
    score: float
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class Group:
    key: str
    members: list[Member]
    missing: list[str] = field(default_factory=list)

    @property
    def forum(self) -> bool:
        return any(m.type in FORUM_TYPES for m in self.members)


def facets_of(response: dict[str, Any], query: SearchQuery) -> dict[str, list[FacetCount]]:
    aggregations = response.get("aggregations", {})
    facets: dict[str, list[FacetCount]] = {}
    for facet in FACETS if query.facets else ():
        values = []
        for bucket in aggregations.get(facet, {}).get("buckets", [])[:FACET_LIMIT]:
            value, _, label = str(bucket["key"]).partition(LABEL_SEPARATOR)
            values.append(FacetCount(value, facet_label(facet, value, label), int(bucket["doc_count"])))
        if values:
            facets[facet] = values
    return facets


def _score(hit: dict[str, Any]) -> float:
    return float(hit.get("_score") or 0.0)


def thread_documents(keys: list[str]) -> dict[str, Any]:
    """The threads' own documents, whatever the query: a ``global`` aggregation (a thread shows
    as itself even when only its posts matched; it is as visible as they are, being in their forum)."""
    return {
        "global": {},
        "aggs": {
            "docs": {
                "filter": {"bool": {"filter": [{"terms": {"group": keys}}, {"term": {"type": "thread"}}]}},
                "aggs": {
                    "by": {
                        "terms": {"field": "group", "size": len(keys)},
                        "aggs": {"doc": {"top_hits": {"size": 1, "_source": SHOWN}}},
                    }
                },
            }
        },
    }


def _threads_from(aggregations: dict[str, Any]) -> dict[str, dict[str, Any]]:
    buckets = aggregations.get("threads", {}).get("docs", {}).get("by", {}).get("buckets", [])
    return {b["key"]: b["doc"]["hits"]["hits"][0]["_source"] for b in buckets if b["doc"]["hits"]["hits"]}


class EngineSearch:
    """The requests one :meth:`EngineBackend.search` call sends, and the hits they make."""

    def __init__(self, backend: Any, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery):
        self.backend, self.viewer, self.query, self.parsed = backend, viewer, query, parsed
        self.languages = query_languages(query)

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.backend.transport.search(self.backend.alias, body)

    def run(self) -> SearchResults:
        query = self.query
        results = SearchResults(
            hits=[], total=0, page=query.page, page_size=query.page_size, backend=self.backend.name
        )
        if self.parsed.matches_nothing:
            return results
        response = self.send(build_search(self.viewer, query, self.parsed, self.languages).to_dict())
        strict_total = int(response["hits"]["total"]["value"])
        if forgiving.relaxable(self.parsed) and strict_total < forgiving.RELAX_BELOW:
            partial = self.forgiving(strict_total, results)
            if partial is not None:
                return partial
        results.total = grouped_total(response)
        results.facets = facets_of(response, query)
        groups = [
            Group(
                hit["_source"].get("group") or hit["_id"],
                [Member(hit["_id"], hit["_source"]["type"], _score(hit), hit["_source"])],
            )
            for hit in response["hits"]["hits"]
        ]
        results.hits = self.hits(groups, match_query(self.viewer, query, self.parsed, self.languages))
        return results

    # --- one hit per thread ---------------------------------------------------------------------

    def hits(self, groups: list[Group], matched: Q, *, partial: bool = False) -> list[Hit]:
        """The page's hits: a thread group shows as its thread, snippeted from its best post."""
        forum_keys = [g.key for g in groups if g.forum]
        threads: dict[str, dict[str, Any]] = {}
        best_posts: dict[str, dict[str, Any]] = {}
        counts: dict[str, int] = {}
        sources = {m.key: m.source for g in groups for m in g.members if m.source}
        if partial:
            wanted = {m.key for g in groups for m in self._shown_members(g)} - set(sources)
            sources.update(self._details(sorted(wanted), forum_keys, matched, threads, counts))
        elif forum_keys:
            threads, best_posts, counts = self._forum_details(forum_keys, matched)
        labels = type_labels()
        terms = self.parsed.positive_words()
        found = []
        for group in groups:
            best = group.members[0]
            post = next((m for m in group.members[:GROUP_MEMBERS] if m.type == "post"), None)
            snippet = sources.get(post.key) if post else best_posts.get(group.key)
            snippet = snippet or sources.get(best.key)
            shown = threads.get(group.key) if group.forum else None
            shown = shown or sources.get(best.key)
            if not shown or not snippet:
                continue
            found.append(self._hit(shown, snippet, best.score, group, labels, terms, counts))
        return found

    @staticmethod
    def _shown_members(group: Group) -> list[Member]:
        post = next((m for m in group.members[:GROUP_MEMBERS] if m.type == "post"), None)
        return [group.members[0], *([post] if post else [])]

    def _hit(self, shown, snippet, score, group, labels, terms, counts) -> Hit:
        display, snip = shown.get("display") or {}, snippet.get("display") or {}
        language = snippet.get("language", "")
        date = shown.get("date")
        kind = shown["type"]
        return Hit(
            type=kind,
            id=int(shown["object_id"]),
            title=display.get("title", ""),
            url=display.get("url", ""),
            snippet_html=highlight(
                snip.get("text", ""), terms, [language, *(snip.get("field_languages") or {}).values()]
            ),
            score=round(score, 6),
            language=language,
            date=datetime.fromisoformat(date) if isinstance(date, str) else None,
            # A post is credited to its author's organisation, so the snippeted post's is named.
            organisation=snip.get("organisation", ""),
            type_label=labels.get(kind, kind),
            missing=group.missing,
            matches=counts.get(group.key, 0) if group.forum else 0,
        )

    def _forum_details(self, keys: list[str], matched: Q):
        """Per thread of the page, in one request: matching posts (count and best), its document."""
        body = {
            "size": 0,
            "query": Q("bool", must=[matched], filter=[Q("terms", group=keys)]).to_dict(),
            "aggs": {
                "groups": {
                    "terms": {"field": "group", "size": len(keys)},
                    "aggs": {
                        "posts": {
                            "filter": {"term": {"type": "post"}},
                            "aggs": {
                                "best": {
                                    "top_hits": {
                                        "size": 1,
                                        "sort": sort_order(self.query, self.parsed),
                                        "_source": SHOWN,
                                    }
                                }
                            },
                        }
                    },
                },
                "threads": thread_documents(keys),
            },
        }
        aggregations = self.send(body).get("aggregations", {})
        counts, best = {}, {}
        for bucket in aggregations.get("groups", {}).get("buckets", []):
            posts = bucket["posts"]
            counts[bucket["key"]] = int(posts["doc_count"])
            if posts["best"]["hits"]["hits"]:
                best[bucket["key"]] = posts["best"]["hits"]["hits"][0]["_source"]
        return _threads_from(aggregations), best, counts

    def _details(
        self, keys: list[str], forum_keys: list[str], matched: Q, threads: dict, counts: dict
    ) -> dict[str, dict[str, Any]]:
        """Sources of the page's documents (a forgiving window fetches ids only), plus, for its
        threads, their documents and how many of their posts the (forgiving) query matches."""
        body: dict[str, Any] = {
            "size": len(keys),
            "query": {"ids": {"values": keys}},
            "_source": SHOWN,
        }
        if forum_keys:
            posts = Q("bool", filter=[matched, Q("terms", group=forum_keys), Q("term", type="post")])
            body["aggs"] = {
                "counts": {
                    "global": {},
                    "aggs": {
                        "posts": {
                            "filter": posts.to_dict(),
                            "aggs": {"by": {"terms": {"field": "group", "size": len(forum_keys)}}},
                        }
                    },
                },
                "threads": thread_documents(forum_keys),
            }
        if not keys and not forum_keys:
            return {}
        response = self.send(body)
        aggregations = response.get("aggregations", {})
        threads.update(_threads_from(aggregations))
        for bucket in aggregations.get("counts", {}).get("posts", {}).get("by", {}).get("buckets", []):
            counts[bucket["key"]] = int(bucket["doc_count"])
        return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}

    # --- forgiving --------------------------------------------------------------------------------

    def forgiving(self, strict_total: int, results: SearchResults) -> SearchResults | None:
        """Strict matches followed by the best partial ones, or ``None`` when no partial match
        adds anything (then the strict answer stands)."""
        query, parsed = self.query, self.parsed
        need = query.offset + query.page_size
        size = min(max(forgiving.RELAX_WINDOW, 2 * need), MAX_WINDOW)
        response = self.send(self._window(size, first=True))
        loose_total = int(response["hits"]["total"]["value"])
        if loose_total <= strict_total:
            return None
        idf = self._idf(response)
        results.partial = True
        results.total = grouped_total(response)
        results.facets = facets_of(response, query)
        while True:
            groups = self._grouped(response["hits"]["hits"], idf)
            exhausted = len(response["hits"]["hits"]) < size or size >= MAX_WINDOW
            if len(groups) >= need or exhausted:
                break
            size = min(size * 4, MAX_WINDOW)
            response = self.send(self._window(size, first=False))
        matched = loose_query(self.viewer, query, parsed, self.languages)
        results.hits = self.hits(groups[query.offset : need], matched, partial=True)
        return results

    def _window(self, size: int, *, first: bool) -> dict[str, Any]:
        """The first ``size`` partial matches (ids, types, groups and which clauses they hold);
        the first request also counts them, their facets, and the clauses' document frequencies."""
        query, parsed = self.query, self.parsed
        s = Search().extra(track_total_hits=True, track_scores=True)
        s = s.query(loose_query(self.viewer, query, parsed, self.languages))
        s = s.sort(*sort_order(query, parsed)).source(["type", "group"])[0:size]
        if first:
            s = add_aggregations(s, facets=query.facets)
            clauses = {
                f"c{i}": clause_query(parsed.clauses[i], self.languages).to_dict() for i in parsed.optional
            }
            readable = Q("bool", filter=filter_clauses(self.viewer, query))
            s.aggs.bucket("readable", "global").bucket("visible", "filter", filter=readable).bucket(
                "clauses", "filters", filters=clauses
            )
        return s.to_dict()

    def _idf(self, response: dict[str, Any]) -> dict[int, float]:
        """Inverse document frequency of each optional clause among the documents the person may
        read (with the query's filters): the database backends' formula."""
        visible = response["aggregations"]["readable"]["visible"]
        readable = max(int(visible["doc_count"]), 1)
        buckets = visible["clauses"]["buckets"]
        return {
            i: math.log((1 + readable) / (1 + int(buckets[f"c{i}"]["doc_count"]))) + 1.0
            for i in self.parsed.optional
        }

    def _grouped(self, window: list[dict[str, Any]], idf: dict[int, float]) -> list[Group]:
        """The window by (words held, rarity of the words held, engine rank), grouped by thread."""
        optional = self.parsed.optional

        def held(hit: dict[str, Any]) -> list[int]:
            names = set(hit.get("matched_queries") or [])
            return [i for i in optional if f"c{i}" in names]

        ranked = sorted(
            enumerate(window),
            key=lambda item: (-len(held(item[1])), -sum(idf[i] for i in held(item[1])), item[0]),
        )
        groups: dict[str, Group] = {}
        for _position, hit in ranked:
            source = hit["_source"]
            key = source.get("group") or hit["_id"]
            member = Member(hit["_id"], source["type"], _score(hit))
            if key not in groups:
                holds = set(held(hit))
                missing = [self.parsed.clause_text(i) for i in optional if i not in holds]
                groups[key] = Group(key, [], missing)
            groups[key].members.append(member)
        return list(groups.values())

"""A thin transport per search engine: the same request bodies, sent by each engine's own client.

The engine backend (:mod:`network.search.backends.engine`) builds every mapping and query once,
with ``elasticsearch.dsl`` serialised by ``.to_dict()``; a transport only carries those bodies.

* **Elasticsearch 8/9** goes through the official ``elasticsearch`` client.
* **OpenSearch 2/3** goes through ``opensearch-py``: the ``elasticsearch`` 8.x client cannot talk to
  OpenSearch (it sends ``Accept: application/vnd.elasticsearch+json; compatible-with=8``, which
  OpenSearch answers with 406, and refuses any answer without ``X-Elastic-Product:
  Elasticsearch``).

What else differs between the engines, and why it does not matter here: point-in-time APIs
(``_pit`` vs ``_search/point_in_time``; we page with ``from``/``size`` up to
:data:`~network.search.query.MAX_PAGE`, never with a PIT), dense vectors, ``semantic_text``,
retrievers and ES|QL (unused), ``flattened`` vs ``flat_object`` (unused: facet labels live in a
disabled object). Mappings, analysers, ``bool``/``multi_match``, aggregations, bulk,
delete-by-query and aliases behave alike, so nothing else branches on the engine.

Nothing connects at import or construction. Every method raises on failure (the indexer queues
the change, ``/readyz`` reports it); no method retries.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from typing import Any

ELASTICSEARCH = "elasticsearch"
OPENSEARCH = "opensearch"
ENGINES = (ELASTICSEARCH, OPENSEARCH)


def hosts(url: str) -> list[str]:
    """``SEARCH_URL`` may list several nodes, comma-separated (``http://a:9200,http://b:9200``)."""
    return [h.strip() for h in url.split(",") if h.strip()]


def detect_engine(url: str, *, timeout: float = 5.0) -> str:
    """Ask the cluster what it is (``GET /``): ``version.distribution`` is ``opensearch`` there and
    absent on Elasticsearch. Asked with ``opensearch-py``, which accepts either answer (the
    ``elasticsearch`` client refuses an OpenSearch one)."""
    from opensearchpy import OpenSearch

    info = OpenSearch(hosts(url), timeout=timeout, max_retries=0).info()
    distribution = str(info.get("version", {}).get("distribution") or ELASTICSEARCH).lower()
    return OPENSEARCH if distribution == OPENSEARCH else ELASTICSEARCH


class Transport(abc.ABC):
    """The requests the engine backend sends, engine-neutral (plain dict bodies in and out)."""

    engine: str
    #: The engine's own client (created on first use by each subclass).
    client: Any

    def __init__(self, url: str, *, timeout: float = 5.0):
        self.url = url
        self.timeout = timeout

    @abc.abstractmethod
    def info(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def health(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]: ...

    @abc.abstractmethod
    def count(self, index: str) -> int: ...

    @abc.abstractmethod
    def bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        refresh: bool,
        raise_on_error: bool = True,
        require_alias: bool = False,
    ) -> None:
        """Send ``actions`` in bulk; ``require_alias`` refuses a target that is not an alias
        (instead of auto-creating an index of that name)."""

    @abc.abstractmethod
    def create_index(self, name: str, body: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def delete_index(self, name: str) -> None: ...

    @abc.abstractmethod
    def indices(self, pattern: str) -> list[str]:
        """Names of the indices matching ``pattern`` (none is not an error)."""

    @abc.abstractmethod
    def alias_targets(self, alias: str) -> list[str]:
        """Indices behind ``alias`` (an absent alias is an empty list, not an error)."""

    @abc.abstractmethod
    def update_aliases(self, actions: Sequence[dict[str, Any]]) -> None:
        """Apply alias actions in ONE request: the engine applies them atomically."""

    @abc.abstractmethod
    def refresh(self, index: str) -> None: ...

    def fields(self, index: str) -> set[str]:
        """Top-level field names the mapping of ``index`` declares."""
        found = self.client.indices.get_mapping(index=index)
        return {name for mapping in found.values() for name in mapping["mappings"].get("properties", {})}

    @abc.abstractmethod
    def delete_by_query(self, index: str, query: dict[str, Any]) -> None: ...


class ElasticsearchTransport(Transport):
    """Elasticsearch 8.x/9.x through the official client (keyword-argument API)."""

    engine = ELASTICSEARCH

    def __init__(self, url: str, *, timeout: float = 5.0):
        super().__init__(url, timeout=timeout)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(hosts(self.url), request_timeout=self.timeout, max_retries=0)
        return self._client

    def info(self) -> dict[str, Any]:
        return dict(self.client.info())

    def health(self) -> dict[str, Any]:
        return dict(self.client.cluster.health())

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.client.search(index=index, body=body))

    def count(self, index: str) -> int:
        return int(self.client.count(index=index)["count"])

    def bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        refresh: bool,
        raise_on_error: bool = True,
        require_alias: bool = False,
    ) -> None:
        from elasticsearch.helpers import bulk

        extra = {"require_alias": True} if require_alias else {}
        bulk(self.client, actions, refresh=refresh, raise_on_error=raise_on_error, **extra)

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self.client.indices.create(index=name, **body)

    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name, ignore_unavailable=True)

    def indices(self, pattern: str) -> list[str]:
        return list(self.client.indices.get(index=pattern, ignore_unavailable=True, allow_no_indices=True))

    def alias_targets(self, alias: str) -> list[str]:
        from elasticsearch import NotFoundError

        try:
            return list(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def update_aliases(self, actions: Sequence[dict[str, Any]]) -> None:
        self.client.indices.update_aliases(actions=list(actions))

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index)

    def delete_by_query(self, index: str, query: dict[str, Any]) -> None:
        self.client.delete_by_query(index=index, query=query, refresh=True, conflicts="proceed")


class OpenSearchTransport(Transport):
    """OpenSearch 2.x/3.x through ``opensearch-py`` (``body=`` API)."""

    engine = OPENSEARCH

    def __init__(self, url: str, *, timeout: float = 5.0):
        super().__init__(url, timeout=timeout)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from opensearchpy import OpenSearch

            self._client = OpenSearch(hosts(self.url), timeout=self.timeout, max_retries=0)
        return self._client

    def info(self) -> dict[str, Any]:
        return dict(self.client.info())

    def health(self) -> dict[str, Any]:
        # No wait_for_* parameter: the health API answers at once (opensearch-py would take a
        # "timeout" parameter for its own socket timeout).
        return dict(self.client.cluster.health())

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.client.search(index=index, body=body))

    def count(self, index: str) -> int:
        return int(self.client.count(index=index)["count"])

    def bulk(
        self,
        actions: Iterable[dict[str, Any]],
        *,
        refresh: bool,
        raise_on_error: bool = True,
        require_alias: bool = False,
    ) -> None:
        from opensearchpy.helpers import bulk

        extra = {"require_alias": "true"} if require_alias else {}
        bulk(
            self.client,
            actions,
            refresh="true" if refresh else "false",
            raise_on_error=raise_on_error,
            **extra,
        )

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self.client.indices.create(index=name, body=body)

    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name, params={"ignore_unavailable": "true"})

    def indices(self, pattern: str) -> list[str]:
        return list(
            self.client.indices.get(
                index=pattern, params={"ignore_unavailable": "true", "allow_no_indices": "true"}
            )
        )

    def alias_targets(self, alias: str) -> list[str]:
        from opensearchpy import NotFoundError

        try:
            return list(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def update_aliases(self, actions: Sequence[dict[str, Any]]) -> None:
        self.client.indices.update_aliases(body={"actions": list(actions)})

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index)

    def delete_by_query(self, index: str, query: dict[str, Any]) -> None:
        self.client.delete_by_query(
            index=index, body={"query": query}, params={"refresh": "true", "conflicts": "proceed"}
        )


def transport_for(engine: str, url: str, *, timeout: float = 5.0) -> Transport:
    if engine == OPENSEARCH:
        return OpenSearchTransport(url, timeout=timeout)
    if engine == ELASTICSEARCH:
        return ElasticsearchTransport(url, timeout=timeout)
    raise ValueError(f"Unknown search engine {engine!r}; use one of {', '.join(ENGINES)}")

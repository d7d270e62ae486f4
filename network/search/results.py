"""What a search answers: hits for one page, the total and facet counts (all visibility-filtered)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.utils.safestring import SafeString


class FacetCount(NamedTuple):
    value: str
    label: str
    count: int
    #: The count is an estimate (the search matched more than ``SEARCH_FACET_EXACT_LIMIT``
    #: documents; see :func:`network.search.backends.database.facet_values`).
    approximate: bool = False


@dataclass
class Hit:
    type: str
    id: int
    title: str
    url: str
    snippet_html: SafeString
    score: float
    language: str = ""
    date: datetime | None = None
    organisation: str = ""
    type_label: str = ""
    #: Query words this hit lacks (a partial match of a forgiving search), as typed.
    missing: list[str] = field(default_factory=list)
    #: For a thread: how many of its posts match (the thread shows once, with its best post).
    matches: int = 0


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 20
    backend: str = ""
    #: Some hits lack some of the words (few documents held all of them).
    partial: bool = False
    #: "Did you mean": the query with misspelt words replaced by words the person may find.
    suggestion: str = ""
    #: When the query found nothing: the results are the suggestion's, and this is what was typed.
    corrected_from: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

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


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 20
    backend: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

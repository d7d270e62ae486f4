"""The search box language, parsed by the project so raw input never reaches an engine's syntax.

Supported, like a web search box::

    smartphone contract          both words; when few documents hold all of them, documents
                                 holding most of them follow (see network.search.forgiving)
    "contract clauses"           a phrase (always required)
    +refurbished                 a word that is always required
    -refurbished  -"lease model" exclusions
    laptops OR tablets           either (``OR`` in capitals, or ``|``)

Everything else is text: quotes that do not close, colons (``title:x``), parentheses, ``*``,
``NEAR``, ``AND``/``NOT`` and FTS5 or tsquery operators are cut into plain words by
:data:`network.search.text.WORD_RE`. A token that holds several words (``e-waste``, ``title:x``,
``30213100-6``) becomes a phrase, so punctuation can only narrow a search, never widen it. The
backends turn the parsed words into their own syntax (quoted FTS5 strings, ``plainto_tsquery``,
Elasticsearch clauses), so no user character is ever interpreted as an operator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from network.search.text import words

MAX_ATOMS = 24
MAX_PHRASE_WORDS = 12
MAX_QUERY_LENGTH = 500
OR_TOKENS = frozenset({"OR", "|", "||"})


@dataclass(frozen=True)
class Atom:
    """One word (a 1-tuple) or a phrase (words that must appear in this order, adjacent)."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """Conjunctive normal form: every clause must match (a clause is atoms OR-ed), no exclusion may.

    ``blank`` is true when the box was empty (browse by filters); a non-blank query with no
    positive atom (``*``, ``-foo``, ``"``) matches nothing rather than everything.
    """

    clauses: tuple[tuple[Atom, ...], ...] = ()
    excluded: tuple[Atom, ...] = ()
    blank: bool = True
    #: Indexes of clauses that must match even in a forgiving search (``"quoted"`` or ``+word``).
    forced: tuple[int, ...] = ()

    @property
    def matches_nothing(self) -> bool:
        return not self.blank and not self.clauses

    @property
    def optional(self) -> tuple[int, ...]:
        """Clauses a forgiving search may leave unmatched."""
        return tuple(i for i in range(len(self.clauses)) if i not in self.forced)

    def clause_text(self, index: int) -> str:
        """A clause as a person reads it: ``zebra``, ``"contract clauses"``, ``laptops OR tablets``."""
        return " OR ".join(
            f'"{" ".join(a.words)}"' if a.is_phrase else a.words[0] for a in self.clauses[index]
        )

    def positive_words(self) -> list[str]:
        """Every word to look for (for highlighting), in query order, without duplicates."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            for atom in clause:
                for word in atom.words:
                    seen.setdefault(word, None)
        return list(seen)


def _atom(text: str) -> Atom | None:
    found = words(text)[:MAX_PHRASE_WORDS]
    return Atom(tuple(found)) if found else None


def _tokens(text: str) -> list[tuple[str, str, bool | str]]:
    """Split into ``(kind, text, sign)`` with kind ``word``, ``phrase`` or ``or``; ``sign`` is
    ``True`` for ``-`` (excluded), ``"+"`` for ``+`` (forced), else ``False``."""
    tokens: list[tuple[str, str, bool | str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        negated: bool | str = False
        if ch in "-+" and i + 1 < n and not text[i + 1].isspace():
            negated = True if ch == "-" else "+"
            i += 1
            ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end == -1 else end
            tokens.append(("phrase", text[i + 1 : end], negated))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        raw = text[start:i]
        if not negated and raw in OR_TOKENS:
            tokens.append(("or", raw, False))
        else:
            tokens.append(("word", raw, negated))
    return tokens


def parse(text: str | None) -> ParsedQuery:
    """Parse what a person typed. Never raises; unknown syntax degrades to plain words."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    if not text.strip():
        return ParsedQuery()
    clauses: list[list[Atom]] = []
    forced: set[int] = set()
    excluded: list[Atom] = []
    join_next = False
    atoms = 0
    for kind, raw, sign in _tokens(text):
        if kind == "or":
            join_next = bool(clauses)
            continue
        atom = _atom(raw)
        if atom is None or atoms >= MAX_ATOMS:
            continue
        atoms += 1
        if sign is True:
            if atom not in excluded:
                excluded.append(atom)
            join_next = False
            continue
        must = sign == "+" or kind == "phrase"
        if join_next and clauses:
            if atom not in clauses[-1]:
                clauses[-1].append(atom)
            if must:
                forced.add(len(clauses) - 1)
        elif [atom] not in clauses:
            clauses.append([atom])
            if must:
                forced.add(len(clauses) - 1)
        elif must:
            forced.add(clauses.index([atom]))
        join_next = False
    return ParsedQuery(
        clauses=tuple(tuple(c) for c in clauses),
        excluded=tuple(excluded),
        blank=False,
        forced=tuple(sorted(forced)),
    )


# --- the query object the rest of the code passes around ------------------------------------------


class InvalidSearch(ValueError):
    """A filter, sort or page the search interface does not declare (never silently ignored)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


#: Facets every backend computes and filters on (DESIGN.md §Search).
FACETS: tuple[str, ...] = (
    "type",
    "country",
    "cpv",
    "label",
    "stage",
    "language",
    "organisation",
    "working_group",
    "year",
)
SORTS = ("relevance", "date")
MAX_PAGE_SIZE = 100
#: Deep pages are for crawlers, not people; the bound also keeps offsets inside 64-bit integers.
MAX_PAGE = 1000
_CONTROL = dict.fromkeys(range(32))


@dataclass
class SearchQuery:
    """What to search: text, facet filters (values OR-ed within a facet, AND-ed across), sort, page.

    ``language`` restricts query stemming to one language; by default every configured language's
    stems are tried, each only against documents written in that language.
    """

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    language: str | None = None
    #: Whether to count facet values (a results-only caller, e.g. an autocomplete, can skip it).
    facets: bool = True

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        clean: dict[str, list[str]] = {}
        for name, values in (self.filters or {}).items():
            if name not in FACETS:
                errors[name] = f"Unknown filter; use one of: {', '.join(FACETS)}."
                continue
            if isinstance(values, str | int):
                values = [values]
            kept = [str(v).translate(_CONTROL).strip()[:100] for v in values]
            kept = [v for v in kept if v]
            if kept:
                clean[name] = sorted(set(kept))
        if self.sort not in SORTS:
            errors["sort"] = f"Sort by one of: {', '.join(SORTS)}."
        try:
            self.page = int(self.page)
            self.page_size = int(self.page_size)
        except (TypeError, ValueError):
            errors["page"] = "Pages are whole numbers."
        else:
            if not 1 <= self.page <= MAX_PAGE:
                errors["page"] = f"Pages run from 1 to {MAX_PAGE}."
            if not 1 <= self.page_size <= MAX_PAGE_SIZE:
                errors["page_size"] = f"Between 1 and {MAX_PAGE_SIZE}."
        if errors:
            raise InvalidSearch(errors)
        self.filters = clean
        self.text = (self.text or "")[:MAX_QUERY_LENGTH]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def parsed(self) -> ParsedQuery:
        return parse(self.text)

    def as_params(self, **override: Any) -> dict[str, Any]:
        """URL parameters for this query (used by pagination and facet links)."""
        params: dict[str, Any] = {"q": self.text, **{k: list(v) for k, v in self.filters.items()}}
        if self.sort != "relevance":
            params["sort"] = self.sort
        params.update(override)
        return {k: v for k, v in params.items() if v not in ("", None, [])}

"""The interface every backend implements, and the pieces they share."""

from __future__ import annotations

import abc
import html
import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

from network.search.analysis import analyse_word, query_alternatives
from network.search.query import ParsedQuery, SearchQuery
from network.search.results import SearchResults
from network.search.spec import IndexedDocument
from network.search.text import MAX_WORD_LENGTH, UNDETERMINED, WORD_RE, normalise_language
from network.visibility import Viewer

FACET_LIMIT = 25


class SearchBackend(abc.ABC):
    name: str = "base"
    #: Whether ``index`` and ``delete`` write rows of the project's database (the database
    #: backends), so a reindex can commit them with its other rows at once; an engine's writes are
    #: HTTP calls and stay outside any transaction.
    writes_in_database: bool = False

    @abc.abstractmethod
    def index(self, documents: Sequence[IndexedDocument]) -> None:
        """Add or replace ``documents`` (keyed by content type and object id)."""

    @abc.abstractmethod
    def delete(self, content_type_id: int, object_ids: Sequence[int]) -> None:
        """Remove documents; removing one that is not indexed is not an error."""

    @abc.abstractmethod
    def search(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> SearchResults:
        """One page of hits, the total and facet counts, all limited to what ``viewer`` may read."""

    def count(self, viewer: Viewer, query: SearchQuery, parsed: ParsedQuery) -> int:
        """How many documents ``parsed`` matches that ``viewer`` may read (with ``query``'s filters)."""
        import copy

        probe = copy.copy(query)
        probe.page, probe.page_size, probe.facets = 1, 1, False
        return self.search(viewer, probe, parsed).total

    @abc.abstractmethod
    def status(self) -> str:
        """The engine's own short status; raises when it does not answer."""

    def check(self) -> str:
        """``/readyz``: the engine status plus how many objects wait in the reindex queue."""
        from network.search.models import ReindexQueue

        pending = ReindexQueue.objects.count()
        try:
            status = self.status()
        except Exception as exc:
            # The count first: probes truncate long details, and a connection error is long.
            raise RuntimeError(f"{self.name} unreachable, {pending} pending reindex: {exc}") from exc
        return f"{status}; {pending} pending reindex"

    def clear(self) -> None:
        """Drop every document (before a full database rebuild)."""
        return None

    def begin_rebuild(self) -> None:
        """Prepare a full rebuild (Elasticsearch: a fresh index behind the alias)."""
        return None

    def end_rebuild(self, started: datetime) -> None:
        """Finish a full rebuild: drop documents not refreshed since ``started`` (Elasticsearch:
        swap the alias to the new index atomically)."""
        return None

    def analyze(self) -> None:
        """Refresh the engine's statistics after bulk indexing (database backends: ``ANALYZE``)."""
        return None

    def abort_rebuild(self) -> None:
        """Abandon a rebuild that failed half-way (the live index stays untouched)."""
        return None


# --- snippets --------------------------------------------------------------------------------

SNIPPET_WORDS = 28


def highlight(
    text: str, terms: Sequence[str], language: str | Sequence[str], *, words: int = SNIPPET_WORDS
) -> SafeString:
    """An escaped excerpt of ``text`` around the first match, matching words wrapped in ``<mark>``.

    Used for the page shown only (never for the whole result set). A word matches when one of its
    terms in the document's language(s) is one a query word matches, the same rule the index used
    (:mod:`network.search.analysis`), so what is highlighted is what matched, compounds included.
    Everything but the ``<mark>`` we add is escaped.
    """
    languages = [language] if isinstance(language, str) else list(language)
    languages = tuple(dict.fromkeys(normalise_language(lang) for lang in languages)) or (UNDETERMINED,)
    wanted = _wanted(tuple(terms), languages)

    def hit_word(word: str) -> bool:
        return _matches(word, wanted, languages)

    # Read the text only as far as the excerpt needs: up to the first hit, then the window after
    # it and one word more (which says whether "…" follows). A long body is never split or
    # tested whole for a 28-word excerpt.
    tokens: list[tuple[bool, str]] = []
    word_positions: list[int] = []
    first_word: int | None = None if terms else 0
    for is_word, chunk in _split(text):
        if is_word:
            if first_word is not None and len(word_positions) >= max(0, first_word - 6) + words:
                word_positions.append(len(tokens))
                tokens.append((is_word, chunk))
                break
            if first_word is None and hit_word(chunk):
                first_word = len(word_positions)
            word_positions.append(len(tokens))
        tokens.append((is_word, chunk))
    if not word_positions:
        return mark_safe("")
    start_word = max(0, (first_word or 0) - 6)
    end_word = min(len(word_positions), start_word + words)
    start = word_positions[start_word] if start_word > 0 else 0
    end = word_positions[end_word - 1] + 1 if end_word < len(word_positions) else len(tokens)
    out = ["…" if start_word > 0 else ""]
    for i in range(start, end):
        is_word, chunk = tokens[i]
        escaped = html.escape(chunk)
        hit = is_word and bool(terms) and hit_word(chunk)
        out.append(f"<mark>{escaped}</mark>" if hit else escaped)
    if end_word < len(word_positions):
        out.append("…")
    return mark_safe(re.sub(r"\s+", " ", "".join(out)).strip())  # noqa: S308 - every chunk escaped above


@lru_cache(maxsize=1024)
def _wanted(terms: tuple[str, ...], languages: tuple[str, ...]) -> frozenset[str]:
    """The terms a snippet marks: computed once per page (every hit of a language shares them),
    not once per hit (10 ms of a 20-hit page at 100k went to recomputing them)."""
    return frozenset(v for t in terms for lang in languages for v in query_alternatives(t, lang))


def _split(text: str):
    pos = 0
    for m in WORD_RE.finditer(text):
        if m.start() > pos:
            yield False, text[pos : m.start()]
        yield True, m.group()
        pos = m.end()
    if pos < len(text):
        yield False, text[pos:]


@lru_cache(maxsize=16384)
def _matches(word: str, wanted: frozenset[str], languages: tuple[str, ...]) -> bool:
    """Whether ``word`` holds a wanted term; cached across the hits of a page and across pages
    (the same words recur: a 20-hit page tested ~500 words, most of them repeats)."""
    folded = word.casefold()[:MAX_WORD_LENGTH]
    for language in languages:
        analysed = analyse_word(folded, language)
        if (
            analysed.main in wanted
            or wanted.intersection(analysed.alternatives)
            or wanted.intersection(analysed.parts)
        ):
            return True
    return False

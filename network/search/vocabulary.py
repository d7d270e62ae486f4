"""The index's own vocabulary: every word indexed documents hold, for "did you mean".

Words are stored as written (case-folded), not as terms, so a suggestion reads like a word. The
table only grows; it never decides what anyone may see: :mod:`network.search.suggest` checks each
candidate against the person's visible documents before offering it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from network.search.text import words

MIN_LENGTH = 3
MAX_LENGTH = 40


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """Candidate suggestion words of some texts: alphabetic words of 3 to 40 letters."""
    return {w for text in texts for w in words(text) if MIN_LENGTH <= len(w) <= MAX_LENGTH and w.isalpha()}


def record_vocabulary(documents: Sequence) -> None:
    """Add the words of ``documents`` to the vocabulary (existing words are skipped)."""
    from network.search.models import SearchWord

    found = vocabulary_words(t for d in documents for t in (d.title, d.summary, d.body))
    if found:
        SearchWord.objects.bulk_create(
            [SearchWord(word=w) for w in sorted(found)], ignore_conflicts=True, batch_size=2000
        )

"""Snippets read a text only as far as the excerpt needs; the excerpt is the same as reading it all."""

from __future__ import annotations

import pytest

from network.search.backends.base import SNIPPET_WORDS, highlight

FILLER = "alpha"


def text_with_hit_at(position: int, length: int) -> str:
    words = [f"{FILLER}{chr(97 + i % 26)}" for i in range(length)]
    if position >= 0:
        words[position] = "laptops"
    return " ".join(words) + "."


@pytest.mark.parametrize(
    ("position", "length"),
    [
        (0, 100),  # hit first: the first 28 words
        (3, 100),  # fewer than six words before it: from the start
        (50, 100),  # the middle: six words before, the rest after
        (66, 100),  # the window ends exactly at the last word: no "…" after
        (65, 100),  # one word before that: one word follows the window
        (95, 100),  # near the end: the window runs out of words
        (-1, 100),  # no hit: the first 28 words, nothing marked
        (5, 20),  # a text shorter than the window: all of it
        (400, 2000),  # deep in a long text
    ],
)
def test_excerpt_window_around_the_first_hit(position, length):
    """Six words before the first hit, 28 in all, "…" where the text goes on."""
    snippet = str(highlight(text_with_hit_at(position, length), ["laptop"], "en"))
    start = max(0, position - 6)
    end = min(length, start + SNIPPET_WORDS)
    assert snippet.startswith("…") == (start > 0)
    assert snippet.endswith("…") == (end < length)
    words = snippet.strip("…").replace("<mark>", "").replace("</mark>", "").rstrip(".").split()
    assert len(words) == end - start
    if position >= 0:
        assert snippet.count("<mark>laptops</mark>") == 1
        assert words.index("laptops") == position - start
    else:
        assert "<mark>" not in snippet
    if end == length:
        assert snippet.endswith(".")  # the text's own end, punctuation included


def test_every_hit_in_the_window_is_marked_and_markup_escaped():
    text = "<b>Laptops</b> & spare parts: " + " ".join(["laptop"] * 3) + " " + "filler " * 60
    snippet = str(highlight(text, ["laptop"], "en"))
    assert snippet.startswith("&lt;b&gt;<mark>Laptops</mark>&lt;/b&gt; &amp; spare parts:")
    assert snippet.count("<mark>") == 4 and snippet.endswith("…")


def test_no_terms_shows_the_beginning():
    snippet = str(highlight(text_with_hit_at(40, 100), [], "en"))
    assert not snippet.startswith("…") and snippet.endswith("…") and "<mark>" not in snippet

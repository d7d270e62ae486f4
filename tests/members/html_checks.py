"""Small HTML checks for accessibility basics: every field labelled, headings in order."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict] = []
        self.label_for: set[str] = set()
        self.headings: list[int] = []
        self.inline_script = False
        self.inline_style = False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.inline_style = True
        if tag == "style":
            self.inline_style = True
        if tag == "script":
            self._in_script = "src" not in a
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.fields.append(a)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def check_page(html: str) -> _Collector:
    """Assert every visible field has a label (or aria-label), headings don't skip, no inline JS/CSS."""
    page = _Collector()
    page.feed(html)
    unlabelled = [f for f in page.fields if f.get("id") not in page.label_for and not f.get("aria-label")]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    assert page.headings and page.headings.count(1) == 1, f"one h1 expected: {page.headings}"
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading level skipped: {page.headings}"
    assert not page.inline_script, "inline script (CSP forbids it)"
    assert not page.inline_style, "inline style (CSP forbids it)"
    return page

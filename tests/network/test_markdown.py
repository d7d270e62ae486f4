"""Hostile Markdown renders inert: no executable element, attribute or URL survives."""

from html.parser import HTMLParser

import pytest

from network.markdown import plain_text, render


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "![img](https://tracker.example/pixel.gif)",
    ],
)
def test_hostile_markdown_renders_inert(source):
    for tag, attrs in elements(render(source)):
        assert tag not in {"script", "iframe", "img", "div", "style", "object", "embed"}
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:"))


def test_links_get_nofollow_noopener_and_formatting_survives():
    html = render("**Fair** ICT: see [Electronics Watch](https://electronicswatch.org)\n\n- one\n- two")
    assert "<strong>Fair</strong>" in html
    assert '<a href="https://electronicswatch.org" rel="nofollow noopener">' in html
    assert "<li>one</li>" in html


def test_plain_text_strips_markup():
    assert plain_text("# Title\n\n**bold** text") == "Title\nbold text"

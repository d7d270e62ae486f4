"""Safe Markdown: markdown-it-py renders, nh3 sanitises. Used for criteria, statements, posts.

Raw HTML in the source is escaped by the renderer (``html=False``) and the output is sanitised again
by nh3 with an allow-list, so no script, no event handlers and no ``javascript:`` URLs survive either
layer. Links get ``rel="nofollow noopener"``.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_SOURCE_LENGTH = 100_000


def render(source: str) -> str:
    """Markdown → sanitised HTML, safe to mark safe in templates."""
    html = _md.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )


def plain_text(source: str) -> str:
    """Markdown → text without markup (for search documents and e-mails)."""
    return nh3.clean(_md.render(source or ""), tags=set()).strip()

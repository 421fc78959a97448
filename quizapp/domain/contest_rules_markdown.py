"""A contest's rules (thể lệ) as organizers write them, in Markdown, turned into HTML that is safe to show.

Organizers are trusted to write rules, not to run scripts on participants' phones: the Markdown is rendered
without raw HTML (markdown-it's "js-default" preset escapes it) and the result is then cleaned by nh3 (an
allow-list of tags and attributes, links limited to http, https and mailto). Every page that shows rules calls
:func:`contest_rules_html`, so there is one place to get this right.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("js-default", {"breaks": True, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "blockquote", "code",
                "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def contest_rules_html(text: str | None) -> str:
    """The rules as sanitised HTML ('' for none). Headings are shifted down to h3 and below, since the page
    already has its own h1 and h2."""
    if not text or not text.strip():
        return ""
    html = _MARKDOWN.render(text).replace("<br>\n", "<br>")
    for level in range(6, 0, -1):
        shifted = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{shifted}>").replace(f"</h{level}>", f"</h{shifted}>")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")

"""A contest's rules (thể lệ) are Markdown shown on public pages: what organizers format survives, what could run
a script on a participant's phone does not."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from quizapp.domain.contest_rules_markdown import contest_rules_html


def test_paragraphs_lines_lists_emphasis_and_links_are_kept():
    html = contest_rules_html("# Thể lệ\n\n**Điều 1.** Đối tượng\nMọi công dân.\n\n- Tuần 1\n- Tuần 2\n\n"
                              "[Hiến pháp](https://quochoi.vn/hien-phap)")
    assert "<h3>Thể lệ</h3>" in html  # below the page's own h1 and h2
    assert "<p><strong>Điều 1.</strong> Đối tượng<br>Mọi công dân.</p>" in html
    assert "<li>Tuần 1</li>" in html
    assert '<a href="https://quochoi.vn/hien-phap" rel="noopener noreferrer nofollow">Hiến pháp</a>' in html


@pytest.mark.parametrize("rules", [
    "<script>alert(1)</script>",
    "Xem <img src=x onerror=alert(1)>",
    "[bấm vào đây](javascript:alert(1))",
    "[bấm](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">bấm</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://example.com"></iframe>',
    "<div onclick=\"alert(1)\">x</div>",
])
def test_scripts_and_script_links_do_not_survive(rules):
    tags = _tags(contest_rules_html(rules))
    assert not {name for name, _attrs in tags} & {"script", "img", "iframe", "div"}
    for _name, attrs in tags:
        assert not any(key.startswith("on") for key in attrs)
        assert not attrs.get("href", "").lower().startswith(("javascript:", "data:"))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    """The elements a browser would build from ``html`` (escaped text stays text)."""
    found: list[tuple[str, dict[str, str]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {k: v or "" for k, v in attrs}))

    Collect().feed(html)
    return found


def test_no_rules_is_nothing():
    assert contest_rules_html("") == "" and contest_rules_html("  \n") == "" and contest_rules_html(None) == ""

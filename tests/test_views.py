"""HTML views: offline, escaped, and drawn."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from govkg import KnowledgeGraph

HOSTILE = "<script>alert(1)</script>"


class Elements(HTMLParser):
    """Counts the elements a browser would create (script bodies are raw text, not markup)."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def count(self, name: str) -> int:
        return sum(t == name for t, _ in self.tags)


def test_view_is_self_contained(kg, tmp_path):
    page = kg.view(tmp_path / "v.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?https?:", page, re.I)
    assert "@import" not in page
    elements = Elements(page)
    assert elements.count("script") == 2         # vis-network and the page's own script, both inline
    assert all("src" not in attrs for tag, attrs in elements.tags if tag == "script")
    assert "中卫市" in page and "Practice" in page


def test_report_text_cannot_inject_script(tmp_path):
    report = tmp_path / "evil.txt"
    report.write_text("宁夏回族自治区中卫市\n\n2020年,中卫市全面推行行政执法“三项制度”" + HOSTILE
                      + "。建立“" + HOSTILE + "”工作机制。\n", encoding="utf-8")
    kg = KnowledgeGraph.build([report])
    page = kg.view(tmp_path / "v.html", title="标题" + HOSTILE).read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert Elements(page).count("script") == 2
    assert Elements(page).count("img") == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page       # the title, escaped as HTML
    assert "\\u003cscript\\u003ealert(1)" in page                 # the evidence, escaped inside JSON

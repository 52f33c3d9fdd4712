"""Hostile text from reports and file names: shown as text in every view, never run as code."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from govkg import KnowledgeGraph
from govkg.kg import views

from browser import render

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</script>"]

# Test harness only: make alert() leave a mark, then click every node and edge and collect what the
# evidence panel shows, as text.
PROBE_HEAD = "<script>window.alert=function(){document.documentElement.setAttribute('data-alerted','1');};</script>"
PROBE_TAIL = """<script>
window.addEventListener("load", function () {
  var n = window.govkgNetwork, out = [];
  var body = n.body;
  Object.keys(body.nodes).concat([]).forEach(function (id) {
    body.emitter.emit("click", { nodes: [id], edges: [], pointer: {} });
    out.push(document.getElementById("detail").textContent);
  });
  Object.keys(body.edges).forEach(function (id) {
    body.emitter.emit("click", { nodes: [], edges: [id], pointer: {} });
    out.push(document.getElementById("detail").textContent);
  });
  var pre = document.createElement("pre"); pre.id = "collected"; pre.textContent = out.join("\\n");
  document.body.appendChild(pre);
});
</script>"""


class Tags(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.tags = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def hostile_corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = ("宁夏回族自治区中卫市\n\n2020年,中卫市全面推行行政执法“三项制度”" + PAYLOADS[0] + "。\n"
            "中卫市建立“" + PAYLOADS[1] + "”工作机制,办理案件12件" + PAYLOADS[2] + "。\n"
            "中卫市深化“放管服”改革" + PAYLOADS[1] + ",此经验在全区推广。\n"
            "中卫市创新“调解" + PAYLOADS[2] + "”工作法。\n")
    (folder / (PAYLOADS[1] + ".txt")).write_text(text, encoding="utf-8")
    return folder


def instrument(page):
    html = page.read_text(encoding="utf-8")
    html = html.replace("<head>", "<head>" + PROBE_HEAD, 1)
    html = html[: html.rindex("</body>")] + PROBE_TAIL + "</body></html>\n"
    page.write_text(html, encoding="utf-8")
    return page


def check(page, shown_as_text=("&lt;script&gt;alert(1)&lt;/script&gt;", "&gt;&lt;img src=x onerror=alert(1)&gt;")):
    raw = page.read_text(encoding="utf-8")
    assert Tags(raw).tags.count("script") == 2 and "img" not in Tags(raw).tags
    dom, _ = render(instrument(page))
    assert "data-alerted" not in re.search(r"<html[^>]*>", dom).group(0), "a script from report text ran"
    collected = re.search(r'<pre id="collected">(.*?)</pre>', dom, re.S)
    assert collected, "the evidence panel probe did not run"
    shown = collected.group(1)
    for text in shown_as_text:
        assert text in shown                                         # shown as text
    assert "img" not in Tags(dom.replace(collected.group(0), "")).tags


@pytest.mark.browser
def test_overview_view_shows_hostile_text_as_text(tmp_path):
    kg = KnowledgeGraph.build([hostile_corpus(tmp_path)])
    check(kg.view(tmp_path / "v.html", title="报告" + PAYLOADS[0]))


@pytest.mark.browser
def test_spread_view_shows_hostile_text_as_text(tmp_path):
    kg = KnowledgeGraph.build([hostile_corpus(tmp_path)])
    t = kg.spread("fang-guan-fu")
    assert t.spreads and PAYLOADS[1] in t.spreads[0]["quote"]
    check(views.write_spread_view(t, tmp_path / "s.html"), ("&gt;&lt;img src=x onerror=alert(1)&gt;",))


def test_candidate_practice_and_file_name_survive_as_data(tmp_path):
    kg = KnowledgeGraph.build([hostile_corpus(tmp_path)])
    names = kg.store.query("SELECT ?n WHERE { ?r gov:sourceName ?n }").rows
    assert names[0]["n"] == PAYLOADS[1] + ".txt"
    terms = {r["t"] for r in kg.store.query(
        "SELECT ?t WHERE { ?c a gov:CandidatePractice ; skos:prefLabel ?t }").rows}
    assert any(PAYLOADS[2] in t for t in terms)
    out = tmp_path / "g.ttl"
    kg.export(out)
    assert KnowledgeGraph.open(out).summary["documents"] == 1

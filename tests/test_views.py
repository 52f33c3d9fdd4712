"""HTML views: offline, escaped, and drawn."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

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


# ---------------------------------------------------------------- the view fixes, in a real browser

def _body(page, fragment=""):
    from browser import console_errors, render
    dom, log = render(page, fragment=fragment)
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert "data-error" not in body, body
    assert not console_errors(log), console_errors(log)
    return dom, body


@pytest.mark.browser
def test_division_view_slider_spans_every_edge_year_and_can_go_back(kg, tmp_path):
    from govkg.kg import views
    data = views.collect(kg.store, division="640500")
    edge_years = sorted({int(e["year"]) for e in data.edges if e.get("year")})
    assert data.years == (edge_years[0], edge_years[-1]) and data.years[0] < data.years[1]
    page = kg.view(tmp_path / "d.html", division="640500")
    _, body = _body(page)
    assert f'data-shown="{len(data.nodes)} {len(data.edges)}"' in body          # nothing hidden at the start
    _, early = _body(page, f"#year={data.years[0]}")
    shown = int(re.search(r'data-shown="\d+ (\d+)"', early).group(1))
    assert shown < len(data.edges)                                               # later edges hidden …
    _, back = _body(page, f"#year={data.years[1]}")
    assert f'data-shown="{len(data.nodes)} {len(data.edges)}"' in back          # … and back at the end


def test_views_have_distinct_titles_and_a_full_legend(kg, tmp_path):
    titles = set()
    for name, kwargs in {"o": {}, "p": {"practice": "fengqiao-experience"}, "d": {"division": "640500"},
                         "c": {"classes": ("Division", "Agency", "Regulation")}}.items():
        page = kg.view(tmp_path / f"{name}.html", **kwargs).read_text(encoding="utf-8")
        titles.add(re.search(r"<title>(.*?)</title>", page).group(1))
        assert 'data-symbol="dot"' in page and "未注明年份" in page and 'id="colour-bar"' in page
        assert 'data-symbol="line"' in page and 'data-symbol="dashed"' in page
    from govkg.kg import views
    spread_page = views.write_spread_view(kg.spread("fengqiao-experience"), tmp_path / "s.html").read_text(encoding="utf-8")
    titles.add(re.search(r"<title>(.*?)</title>", spread_page).group(1))
    assert 'data-symbol="star"' in spread_page and 'data-symbol="box"' in spread_page
    assert len(titles) == 5, titles
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert 'data-symbol="triangle"' in page and 'data-symbol="square"' in page


def test_edges_of_the_same_pair_are_offset(kg):
    from govkg.kg import views
    data = views.collect(kg.store, division="640500")
    views.render(data)
    pairs: dict = {}
    for e in data.edges:
        pairs.setdefault(frozenset((e["from"], e["to"])), []).append(e)
    shared = [g for g in pairs.values() if len(g) > 1]
    assert shared, "the division view has a practice both piloted and adopted"
    for group in shared:
        bends = [(e["smooth"]["type"], e["smooth"]["roundness"]) for e in group]
        assert len(set(bends)) == len(group)


@pytest.mark.browser
def test_labels_do_not_collide_at_the_default_zoom(kg, tmp_path):
    for kwargs in ({}, {"division": "640500"}):
        _, body = _body(kg.view(tmp_path / "v.html", **kwargs))
        assert 'data-label-overlaps="0"' in body
        assert int(re.search(r'data-labels-hidden="(\d+)"', body).group(1)) >= 0


def test_network_data_is_what_pyvis_writes(kg):
    """The views assemble nodes and edges without importing pyvis (it imports IPython); they come out as
    pyvis's Network writes them, keys in the same order, for a division view and a spread view."""
    import json

    from pyvis.network import Network

    from govkg.kg import views
    from govkg.kg.spread import trace
    for data in (views.collect(kg.store, division="640500"), views.spread_view(trace(kg.store, "fengqiao-experience"))):
        assert data.nodes and data.edges
        net = Network(directed=True)
        for n in json.loads(json.dumps(data.nodes)):
            net.add_node(n.pop("id"), **n)
        for e in json.loads(json.dumps(data.edges)):
            net.add_edge(e.pop("from"), e.pop("to"), **e)
        ours = views._Network()
        for n in json.loads(json.dumps(data.nodes)):
            ours.add_node(n.pop("id"), **n)
        for e in json.loads(json.dumps(data.edges)):
            ours.add_edge(e.pop("from"), e.pop("to"), **e)
        theirs, mine = net.get_network_data()[:2], ours.get_network_data()
        assert json.dumps(theirs, ensure_ascii=False) == json.dumps(mine, ensure_ascii=False)
        assert json.dumps(mine[0], ensure_ascii=False) == json.dumps(data.nodes, ensure_ascii=False)

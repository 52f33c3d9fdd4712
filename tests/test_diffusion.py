"""Diffusion results: boundaries and adjacency, the adoption map, the figure, the event-history panel and the
inferred network — on the bundled corpus, and for the network on cascades simulated from a known network."""
from __future__ import annotations

import csv
import heapq
import random
import re
from itertools import pairwise

import networkx as nx
import pytest
from click.testing import CliRunner

from govkg import KnowledgeGraph
from govkg.cli import main
from govkg.kg import boundaries, maps, panel
from govkg.kg.network import Cascade, infer, read_cascades, trace_cascade
from govkg.kg.years import year_source

from browser import console_errors, render

SEEDS = ("three-enforcement-systems", "fengqiao-experience", "fang-guan-fu")
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def traces(kg):
    return {slug: kg.spread(slug) for slug in SEEDS}


# ---------------------------------------------------------------- boundaries

def test_county_neighbours_come_from_shared_borders():
    county = boundaries.level("County")
    assert county.divisions["640324"].name == "同心县"
    # 同心县 borders 中宁县, 海原县, 红寺堡区 and 盐池县 in Ningxia and 环县 across the Gansu border
    assert {"640521", "640522", "640303", "640323", "621022"} <= set(county.neighbours["640324"])
    assert "640324" in county.neighbours["640521"]                    # symmetric
    assert "110101" not in county.neighbours["640324"]
    prefecture = boundaries.level("Prefecture")
    assert "640300" in prefecture.neighbours["640500"]                # 吴忠市 next to 中卫市


def test_a_point_is_located_in_its_province():
    assert boundaries.locate(120.24, 29.71) == "330000"                # 诸暨, 浙江省
    assert boundaries.locate(105.19, 37.50) == "640000"                # 中卫, 宁夏
    assert boundaries.locate(150.0, 10.0) is None


# ---------------------------------------------------------------- year sources

def test_year_source_reads_the_sentence_unless_the_trace_says(traces):
    three = {a.name: a for a in traces["three-enforcement-systems"].adopters}
    assert year_source(three["中卫市"]) == "stated"                    # “2017年,中卫市被国务院确定为…”
    assert year_source(three["吴忠市"]) == "report"                    # “一是全面推行行政执法三项制度。”
    assert year_source(three["赤峰市"]) is None                        # undated
    three["吴忠市"].year_source = "context"
    try:
        assert year_source(three["吴忠市"]) == "context"
    finally:
        del three["吴忠市"].year_source


# ---------------------------------------------------------------- panel

def _check_panel(trace, rows):
    stated = {a.code: a.first_year for a in trace.adopters
              if a.code and a.level in boundaries.LEVEL_FILES and year_source(a) in ("stated", "context")}
    adoptions = [r for r in rows if r["adopted"] == 1]
    assert sorted(r["division_code"] for r in adoptions) == sorted(stated)          # one row each
    for r in adoptions:
        assert r["year"] == stated[r["division_code"]]
    for r in rows:
        if r["division_code"] in stated:
            assert r["year"] <= stated[r["division_code"]]                         # none after adoption
    observed = {a.code for a in trace.adopters if a.code and year_source(a) in ("report", None)} - set(stated)
    assert not observed & {r["division_code"] for r in rows}                        # left out, not non-adopters


def test_panel_has_one_adoption_row_per_stated_adopter_and_none_after(traces):
    for slug in SEEDS:
        _check_panel(traces[slug], panel.panel(traces[slug]))
    rows = panel.panel(traces["three-enforcement-systems"])
    zw = [r for r in rows if r["division_code"] == "640500"]
    assert [(r["year"], r["adopted"]) for r in zw] == [(2017, 1)]                   # the origin year: pilot
    observed = {a.code for a in traces["three-enforcement-systems"].adopters if a.year_source == "report"}
    assert observed and not [r for r in rows if r["division_code"] in observed]      # report years: no rows


def test_panel_covariates_when_every_year_is_stated(kg):
    trace = kg.spread("fang-guan-fu")
    for a in trace.adopters:
        a.year_source = "stated"
    rows = panel.panel(trace)
    _check_panel(trace, rows)
    by = {(r["division_code"], r["year"]): r for r in rows}
    wz = by[("640300", 2021)]                           # 吴忠市 adopts in 2021; 中卫市 next door adopted in 2020
    assert wz["adopted"] == 1 and wz["neighbours"] == 6
    assert wz["neighbours_adopted_share"] == pytest.approx(1 / 6, abs=1e-4)
    assert by[("640300", 2020)]["neighbours_adopted_share"] == 0.0                  # lagged: not yet in 2020
    assert by[("640300", 2015)]["mandate_in_force"] == 1                            # the 2015 national mandate
    assert by[("640300", 2015)]["years_since_origin"] == 0
    assert ("640500", 2021) not in by                                               # 中卫市 left after 2020
    assert {r["level"] for r in rows} == {"Prefecture", "County"}
    assert all(r["province_code"] in {"150000", "620000", "640000"} for r in rows)


def test_panel_start_is_chosen(traces):
    rows = panel.panel(traces["fengqiao-experience"], start=2010)
    assert min(r["year"] for r in rows) == 2010 and max(r["year"] for r in rows) == 2021
    assert rows[0]["years_since_origin"] == 2010 - 1963


# ---------------------------------------------------------------- network

def simulate(seed: int = 7, nodes: int = 30, out_degree: int = 2, cascades: int = 120, beta: float = 0.5,
             window: float = 10.0):
    """A known network and independent cascades on it: each infected node infects each out-neighbour with
    probability beta after an exponential delay, until the observation window closes."""
    rng = random.Random(seed)
    edges = {(f"n{u}", f"n{v}") for u in range(nodes)
             for v in rng.sample([x for x in range(nodes) if x != u], out_degree)}
    out: dict[str, list[str]] = {}
    for u, v in sorted(edges):
        out.setdefault(u, []).append(v)
    result = []
    while len(result) < cascades:
        source = f"n{rng.randrange(nodes)}"
        times, heap, done = {source: 0.0}, [(0.0, source)], set()
        while heap:
            tu, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            for v in out.get(u, []):
                if rng.random() < beta:
                    tv = tu + rng.expovariate(1.0)
                    if tv < window and tv < times.get(v, float("inf")):
                        times[v] = tv
                        heapq.heappush(heap, (tv, v))
        if len(times) > 1:
            result.append(Cascade(f"c{len(result)}", times))
    return edges, result


def test_netinf_recovers_a_known_network_from_its_cascades():
    truth, cascades = simulate(cascades=120)
    assert len({n for e in truth for n in e}) == 30 and len(cascades) >= 100
    found = infer(cascades, max_edges=len(truth))
    recovered = sum((e.source, e.target) in truth for e in found) / len(truth)
    assert recovered >= 0.7, recovered
    assert all(a.score >= b.score for a, b in pairwise(found))            # greedy: gains only fall
    assert all(e.cascades >= 1 for e in found)


def test_netinf_does_not_order_same_year_adoptions():
    found = infer([Cascade("p", {"a": 2019.0, "b": 2019.0}), Cascade("q", {"a": 2018.0, "b": 2020.0})])
    assert [(e.source, e.target, e.cascades) for e in found] == [("a", "b", 1)]


def test_cascades_of_the_corpus_use_stated_years(kg, traces):
    cascades, names = read_cascades(kg.store)
    three = next(c for c in cascades if c.name == "three-enforcement-systems")
    assert three.times["640500"] == 2017.0                                           # stated: the pilot
    assert names["640500"] == "中卫市"
    assert "640300" not in three.times                                               # 吴忠市: observed only
    everything, _ = read_cascades(kg.store, observed=True)
    assert len(everything) > len(cascades)
    t = traces["three-enforcement-systems"]
    ordered = {a.code: float(a.first_year) for a in t.adopters if a.year_source in ("stated", "context")}
    assert trace_cascade(t).times == ordered and ordered["640500"] == 2017.0


def test_network_command_writes_csv_and_graphml(ttl, tmp_path):
    out = tmp_path / "n.csv"
    result = CliRunner().invoke(main, ["network", "--graph", str(ttl), "--out", str(out), "--observed"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[:4] == ["source", "target", "score", "cascades"]
    assert all(re.fullmatch(r"\d{6}", r["source"]) for r in rows if r["source_name"].endswith(("市", "县", "旗")))
    assert float(rows[0]["score"]) >= float(rows[-1]["score"])
    g = tmp_path / "n.graphml"
    assert CliRunner().invoke(main, ["network", "--graph", str(ttl), "--out", str(g), "--observed"]).exit_code == 0
    assert nx.read_graphml(g).number_of_edges() == len(rows)


# ---------------------------------------------------------------- map

def test_map_pages_are_offline_escaped_and_small(traces, tmp_path):
    for slug, trace in traces.items():
        page = maps.write_map(trace, tmp_path / f"{slug}.html")
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < 2 * 1024 * 1024
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)
        assert "@import" not in text
        assert text.count("<script") == 1
        assert trace.label in text and 'class="county"' in text


def test_map_escapes_report_text(tmp_path):
    report = tmp_path / "evil.txt"
    report.write_text("宁夏回族自治区中卫市\n\n2020年,中卫市全面推行行政执法“三项制度”" + HOSTILE + "。\n", encoding="utf-8")
    trace = KnowledgeGraph.build([report]).spread("three-enforcement-systems")
    text = maps.write_map(trace, tmp_path / "m.html").read_text(encoding="utf-8")
    assert HOSTILE not in text and text.count("<script") == 1
    assert "\\u003cscript\\u003ealert(1)" in text


def _body(dom: str, log: str) -> str:
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert "data-error" not in body, body
    assert not console_errors(log), console_errors(log)
    return body


@pytest.mark.browser
def test_map_draws_in_a_browser_and_its_slider_replays_the_waves(traces, tmp_path):
    trace = traces["fang-guan-fu"]
    page = maps.write_map(trace, tmp_path / "m.html")
    drawn = [a for a in trace.adopters if a.code or a.longitude is not None]
    body = _body(*render(page))
    assert f'data-drawn="{len(drawn)}"' in body and f'data-shown="{len(drawn)}"' in body
    # at 2017 only 翁牛特旗 had adopted (and undated adopters, always shown)
    early = [a for a in drawn if a.first_year is None or a.first_year <= 2017]
    dom, log = render(page, fragment="#year=2017")
    assert f'data-shown="{len(early)}"' in _body(dom, log)
    assert re.search(r'<output id="year-out">2017</output>', dom)


# ---------------------------------------------------------------- figure

@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_figure_is_written_with_its_fonts(traces, tmp_path, suffix):
    pytest.importorskip("matplotlib")
    from govkg.kg.figures import write_figure
    first = write_figure(traces["three-enforcement-systems"], tmp_path / f"a{suffix}").read_bytes()
    assert len(first) > 20_000
    if suffix == ".pdf":
        assert b"NotoSansCJK" in first                                              # embedded subset
    if suffix == ".svg":                                                            # reproducible
        assert write_figure(traces["three-enforcement-systems"], tmp_path / "b.svg").read_bytes() == first


def test_spread_command_writes_map_figure_and_panel(ttl, tmp_path):
    pytest.importorskip("matplotlib")
    out = {"map": tmp_path / "m.html", "figure": tmp_path / "f.svg", "panel": tmp_path / "p.csv"}
    result = CliRunner().invoke(main, ["spread", "fang-guan-fu", "--graph", str(ttl)] +
                                [x for k, p in out.items() for x in (f"--{k}", str(p))])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out["panel"].open(encoding="utf-8")))
    assert tuple(rows[0]) == panel.PANEL_COLUMNS
    adopted = [r["division"] for r in rows if r["adopted"] == "1"]
    assert "翁牛特旗" in adopted and len(adopted) == len(set(adopted))                # one row per stated adopter
    bad = CliRunner().invoke(main, ["spread", "fang-guan-fu", "--graph", str(ttl), "--figure", str(tmp_path / "f.gif")])
    assert bad.exit_code == 2 and ".png, .svg or .pdf" in bad.output

"""How practices spread: traces, diffusion network, exports and the spread view in a real browser."""
from __future__ import annotations

import csv
import re

import networkx as nx
import pytest
from click.testing import CliRunner

from govkg.cli import main
from govkg.kg import views

from browser import console_errors, render


@pytest.fixture(scope="module")
def three(kg):
    return kg.spread("three-enforcement-systems")


@pytest.fixture(scope="module")
def fengqiao(kg):
    return kg.spread("fengqiao-experience")


def test_three_systems_trace_starts_at_the_national_origin(three):
    assert three.milestones[0]["kind"] == "NationalPilot" and int(three.milestones[0]["year"]) == 2017
    assert three.milestones[1]["kind"] == "NationalMandate" and three.milestones[1]["month"] == "2018-12"
    first = three.adopters[0]
    assert (first.name, first.first_year, first.designated_by) == ("中卫市", 2017, "国务院")
    assert first.designation_level == "National"
    assert all(a.first_year is None or a.first_year >= 2017 for a in three.adopters)
    later = [a.name for a in three.adopters[1:] if a.first_year]
    assert later and "中卫市" not in later
    # only years the text states rank adopters; a report's year shows as "by YEAR"
    for a in three.adopters:
        assert (a.innovativeness is not None) == a.ordered
        assert a.when == ("" if a.first_year is None else str(a.first_year) if a.ordered else f"by {a.first_year}")
    text = three.text()
    assert text.index("中卫市") < text.index("同心县")
    assert "国办发〔2017〕14号" in text and "2018-12" in text


def test_fengqiao_trace_includes_four_adopters_with_evidence(fengqiao):
    names = {a.name for a in fengqiao.adopters}
    assert {"中卫市", "同心县", "吴忠市", "兰州市"} <= names
    assert all(a.evidence and a.evidence[0].quote for a in fengqiao.adopters)
    assert fengqiao.milestones[0]["kind"] == "Origin" and fengqiao.milestones[0]["placeLabel"] == "诸暨市"
    assert fengqiao.milestones[0]["month"] == "1963-11"
    by_iri = {a.iri: a for a in fengqiao.adopters}
    for e in fengqiao.edges:   # order edges join adopters dated by the text, and never a division and its parent
        if e.kind == "horizontal":
            src, dst = by_iri[e.source], by_iri[e.target]
            assert src.ordered and dst.ordered and not src.related(dst)
    assert set(fengqiao.first_adopters.get("甘肃省", ["兰州市"])) == {"兰州市"}
    assert fengqiao.reach["宁夏回族自治区"] == 3


def test_edges_are_typed_and_carry_evidence(three):
    assert "vertical" in {e.kind for e in three.edges}
    designation = next(e for e in three.edges if "designated" in e.label)
    assert "国务院确定" in designation.evidence.quote
    assert designation.source == three.milestones[0]["node"]      # a national pilot hangs from the national record


def test_cascades_csv_has_the_documented_columns(three, tmp_path):
    path = three.write_cascades(tmp_path / "c.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == ["division_code", "division", "practice", "adopt_year", "year_source", "mode", "report",
                             "quote"]
    assert {k: rows[0][k] for k in ("division_code", "division", "practice", "adopt_year", "report")} == \
        {"division_code": "640500", "division": "中卫市", "practice": "three-enforcement-systems", "adopt_year": "2017",
         "report": "000_5b05b909241fc83c.txt"}
    assert "国务院确定" in rows[0]["quote"]
    assert len(rows) == len(three.adopters)                            # undated adopters are kept …
    undated = [r for r in rows if r["division"] == "赤峰市"]
    assert undated and undated[0]["adopt_year"] == "" and undated[0]["year_source"] == ""   # … with no year
    assert {r["year_source"] for r in rows} <= {"stated", "context", "report", ""}


def test_gexf_and_graphml_parse_in_networkx(three, tmp_path):
    gexf = three.write_gexf(tmp_path / "t.gexf")
    graphml = three.write_graphml(tmp_path / "t.graphml")
    assert 'mode="dynamic"' in gexf.read_text(encoding="utf-8")
    g, h = nx.read_gexf(gexf), nx.read_graphml(graphml)
    for graph in (g, h):
        years = nx.get_node_attributes(graph, "year")
        labels = nx.get_node_attributes(graph, "label")
        zw = next(n for n, lab in labels.items() if lab == "中卫市")
        assert int(years[zw]) == 2017
        cf = next(n for n, lab in labels.items() if lab == "赤峰市")
        assert cf not in years                                          # no -1 sentinel: no year at all
        assert all(int(y) > 0 for y in years.values())
        assert graph.number_of_edges() == len(three.edges)


def test_dataframe_has_nullable_years(three):
    df = three.to_dataframe()
    assert str(df["adopt_year"].dtype) == "Int64"
    assert list(df.columns[:8]) == ["division_code", "division", "practice", "adopt_year", "year_source", "mode",
                                    "report", "quote"]
    assert df.loc[df["division"] == "赤峰市", "adopt_year"].isna().all()
    assert int(df.loc[df["division"] == "中卫市", "adopt_year"].iloc[0]) == 2017


def test_spread_command_writes_everything(ttl, tmp_path):
    out = {k: tmp_path / f"f.{k}" for k in ("html", "csv", "gexf", "graphml")}
    result = CliRunner().invoke(main, ["spread", "fengqiao-experience", "--graph", str(ttl)] +
                                [x for k, p in out.items() for x in (f"--{k}", str(p))])
    assert result.exit_code == 0, result.output
    assert "诸暨市" in result.output and "吴忠市" in result.output
    assert all(p.stat().st_size > 0 for p in out.values())
    bad = CliRunner().invoke(main, ["spread", "no-such-practice", "--graph", str(ttl)])
    assert bad.exit_code == 2 and "no practice" in bad.output


def drawn(page) -> int:
    dom, log = render(page)
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert "data-error" not in body, body
    assert not console_errors(log), console_errors(log)
    m = re.search(r'data-drawn="(\d+)"', body)
    assert m, "the network was never drawn"
    return int(m.group(1))


@pytest.mark.browser
def test_spread_view_draws_in_a_browser(three, tmp_path):
    page = views.write_spread_view(three, tmp_path / "three.html")
    assert drawn(page) == len(three.adopters) + len(three.milestones) + len(three.others) + \
        len({e.target for e in three.edges if e.target.startswith("scope:")})


@pytest.mark.browser
@pytest.mark.parametrize("kwargs", [{}, {"practice": "fengqiao-experience"}, {"division": "640500"},
                                    {"classes": ("Division", "Agency", "Regulation")}])
def test_overview_and_neighbourhood_views_draw_in_a_browser(kg, tmp_path, kwargs):
    page = kg.view(tmp_path / "v.html", **kwargs)
    assert drawn(page) > 3


@pytest.mark.browser
def test_view_stays_usable_at_2000_nodes(tmp_path):
    data = views.ViewData("big")
    data.nodes = [{"id": f"n{i}", "label": f"区{i}", "x": (i % 50) * 40, "y": (i // 50) * 40, "shape": "dot",
                   "year": 2000 + i % 20} for i in range(2000)]
    data.edges = [{"from": f"n{i}", "to": f"n{i + 1}", "year": 2000 + i % 20} for i in range(1999)]
    page = tmp_path / "big.html"
    page.write_text(views.render(data), encoding="utf-8")
    assert drawn(page) == 2000


@pytest.mark.browser
def test_views_past_2000_nodes_aggregate_per_province(tmp_path):
    from govkg.builders import gazetteer
    counties = [d for d in gazetteer.load().by_code.values() if d.level == "county" and d.longitude][:2500]
    nodes = [{"id": f"d{d.code}", "label": d.name, "kind": "division", "x": d.longitude * 90, "y": -d.latitude * 90,
              "year": 2015 + i % 8, "info": {"code": d.code}} for i, d in enumerate(counties)]
    nodes.append({"id": "p", "label": "枫桥经验", "kind": "practice", "x": 0, "y": 0})
    edges = [{"from": n["id"], "to": "p", "year": n["year"]} for n in nodes[:-1]]
    merged, merged_edges = views.aggregate_by_province(nodes, edges)
    assert len(merged) < 40
    assert sum(e["value"] for e in merged_edges) == 2500
    data = views.ViewData("big")
    data.nodes, data.edges = merged, merged_edges
    page = tmp_path / "agg.html"
    page.write_text(views.render(data), encoding="utf-8")
    assert drawn(page) == len(merged)


def test_overview_filtered_by_class(kg, tmp_path):
    page = kg.view(tmp_path / "a.html", classes=("Division", "Agency")).read_text(encoding="utf-8")
    assert "中卫市司法局" in page and "行政执法三项制度" not in page
    page = kg.view(tmp_path / "r.html", classes=("Division", "Regulation")).read_text(encoding="utf-8")
    assert "民法典" in page

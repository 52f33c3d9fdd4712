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


def test_a_large_selection_is_aggregated_per_province_in_the_store(kg, tmp_path, monkeypatch):
    """Past the detail limits a view draws provinces and practice families with counts the store made."""
    monkeypatch.setattr(views, "DETAIL_DIVISIONS", 3)            # the five reports count as a large corpus
    monkeypatch.setattr(views, "TOP_EDGES", 10)
    data = views.collect(kg.store)
    provinces = {n["label"].split(" ")[0]: n for n in data.nodes if n["kind"] == "division"}
    assert set(provinces) == {"宁夏回族自治区", "甘肃省", "内蒙古自治区"}
    # the divisions behind each province node, counted independently of the view's queries
    adopters = kg.query("""SELECT DISTINCT ?d ?code WHERE { ?a gov:adopter ?d ; gov:practice ?p .
        ?p skos:notation [] . ?d gov:level [] OPTIONAL { ?d gov:adcode ?code } }""")
    ningxia = {r["d"] for r in adopters if (r["code"] or "").startswith("64")}
    assert provinces["宁夏回族自治区"]["label"] == f"宁夏回族自治区 ({len(ningxia)})"
    links = [e for e in data.edges if e["kind"] == "aggregate"]
    assert len(links) == 10 and all(e["value"] >= 1 for e in links)
    assert re.search(r"the 10 heaviest of (\d+) links drawn; \d+ left out \(\d+ statements\)", data.subtitle)
    families = {n["info"]["slug"] for n in data.nodes if n["kind"] == "practice"}
    narrower = {r["slug"] for r in kg.query("SELECT ?slug WHERE { ?p skos:notation ?slug ; skos:broader [] }")}
    assert families and not families & narrower                    # families, not their members
    page = tmp_path / "agg.html"
    page.write_text(views.render(data), encoding="utf-8")
    assert drawn(page) == len(data.nodes)


def test_first_years_are_those_of_dated_adoptions(kg, monkeypatch):
    """A division with an undated adoption beside dated ones keeps its first dated year: in the aggregated
    view (its province's first year and the curve) and in division-practices (SPARQL's MIN over a group
    holding an unbound year would be unbound)."""
    monkeypatch.setattr(views, "DETAIL_STATEMENTS", 2)
    dated = kg.query("""SELECT ?d ?code ?slug ?year WHERE { ?a gov:adopter ?d ; gov:practice ?p ; gov:mode [] .
        ?d gov:level [] OPTIONAL { ?d gov:adcode ?code } ?p skos:notation ?slug .
        OPTIONAL { ?a gov:year ?year } }""")
    undated = {(r["d"], r["slug"]) for r in dated if r["year"] is None}
    first: dict[tuple, int] = {}
    for r in dated:
        if r["year"] is not None:
            first[(r["d"], r["slug"])] = min(first.get((r["d"], r["slug"]), 9999), r["year"])
    assert {d for d, _ in undated} & {d for d, _ in first}      # the bundled corpus holds such divisions
    rows = {(r["division"], r["practice"]): r["firstYear"] for r in kg.query("division-practices")}
    names = {r["d"]: r["name"] for r in kg.query("SELECT ?d ?name WHERE { ?d gov:level [] ; rdfs:label ?name }")}
    for (d, slug), year in first.items():
        assert rows[(names[d], slug)] == year
    data = views.collect(kg.store)
    provinces = {n["info"]["code"]: n["year"] for n in data.nodes if n["kind"] == "division"}
    for code, year in provinces.items():
        years = [y for (d, _), y in first.items() if any(r["d"] == d and (r["code"] or "")[:2] == code[:2]
                                                          for r in dated)]
        if years:
            assert year == min(years), code


def test_one_family_aggregates_per_practice_of_the_family(kg, monkeypatch):
    monkeypatch.setattr(views, "DETAIL_STATEMENTS", 2)
    data = views.collect(kg.store, practice="three-enforcement-systems")
    practices = {n["info"]["slug"] for n in data.nodes if n["kind"] == "practice"}
    family = {r["narrower"] for r in kg.query("practice-family", practice="three-enforcement-systems")}
    assert "three-enforcement-systems" in practices and len(practices) > 1 and practices <= family
    assert "three-enforcement-systems" in data.title and "aggregated per province and practice" in data.subtitle


def test_views_ask_the_store_only_for_what_they_draw(kg, monkeypatch):
    """Filters are part of the queries: no answer of a division view is about another division."""
    zhongwei = {r["d"] for r in kg.query("SELECT ?d ?code WHERE { ?d gov:adcode ?code }", code="640500")}
    asked = []
    real = kg.store.query

    def recording(sparql, bindings=None):
        rows = real(sparql, bindings)
        asked.append(rows)
        return rows
    monkeypatch.setattr(kg.store, "query", recording)
    data = views.collect(kg.store, division="640500")
    monkeypatch.undo()
    divisions = {r["d"] for rows in asked if hasattr(rows, "variables") and "d" in rows.variables for r in rows}
    assert divisions == zhongwei
    assert {n["label"] for n in data.nodes if n["kind"] == "division"} == {"中卫市"}


def test_a_span_of_years_keeps_the_adoptions_stated_in_it(kg):
    data = views.collect(kg.store, practice="three-enforcement-systems", years=(2017, 2018))
    assert {n["label"] for n in data.nodes if n["kind"] == "division"} == {"中卫市"}
    assert {e["year"] for e in data.edges if "evidence" in e} == {2017}
    result = CliRunner().invoke(main, ["view", "--graph", "none.ttl", "--year", "2020-2018"])
    assert result.exit_code == 2 and "the first year is after the last" in result.output


def test_pages_stay_under_two_megabytes(kg, monkeypatch):
    for limits in ({}, {"DETAIL_DIVISIONS": 3}):
        for name, value in limits.items():
            monkeypatch.setattr(views, name, value)
        for classes in (("Division", "Practice"), ("Division", "Practice", "Agency", "Regulation")):
            assert len(views.render(views.collect(kg.store, classes=classes)).encode("utf-8")) < 2_000_000


def test_overview_filtered_by_class(kg, tmp_path):
    page = kg.view(tmp_path / "a.html", classes=("Division", "Agency")).read_text(encoding="utf-8")
    assert "中卫市司法局" in page and "行政执法三项制度" not in page
    page = kg.view(tmp_path / "r.html", classes=("Division", "Regulation")).read_text(encoding="utf-8")
    assert "民法典" in page

"""Interactive HTML views of the graph: self-contained pages that work offline.

The network data (nodes, edges) is assembled as pyvis assembles it (`_Network`).  The page itself is rendered
here rather than by pyvis's template, which links scripts from CDNs and writes its heading unescaped: this
page inlines vis-network from the pyvis package, escapes every string in HTML (Jinja2 autoescape), embeds data
as JSON made safe for a <script> element, and shows report text only through ``textContent``.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox

from govkg import queries
from govkg.kg.adoptions import AdoptionIndex
from govkg.kg.store import atomic_write, values_block
from govkg.kg.stores import Store, select, select_text

MODE_COLOURS = {"piloted": "#d62728", "adopted": "#1f77b4", "extended": "#2ca02c", "deepened": "#9467bd",
                "promoted": "#8c564b"}
# vis-network edge options: a colour, dashes (a flag or a pattern), a width
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "partOf": {"color": "#bbbbbb", "dashes": True}, "spread": {"color": "#ff7f0e", "dashes": [8, 4]},
    "learning": {"color": "#2ca02c", "dashes": [2, 3], "width": 3},
    "vertical": {"color": "#d62728", "dashes": False}, "horizontal": {"color": "#17becf", "dashes": [2, 4]}}
SCALE = 90.0      # pixels per degree of longitude


def script_json(value: object) -> str:
    """JSON that cannot close a <script> element or open an HTML comment, whatever strings it holds."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@dataclass
class ViewData:
    title: str
    subtitle: str = ""
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    # (symbol, colour, label); symbol: dot, box, star, triangle, square (nodes) or line, dashed, dotted (edges)
    legend: list[tuple[str, str, str]] = field(default_factory=list)
    curve: list[tuple[int, int]] = field(default_factory=list)         # (year, cumulative adopters)
    years: tuple[int, int] | None = None           # the year slider: every year a node or an edge carries
    colours: tuple[int, int] | None = None         # the colour bar: the span of first adoption years


def _position(lon: float | None, lat: float | None) -> tuple[float, float] | None:
    if lon is None or lat is None:
        return None
    return round((float(lon) - 105.0) * SCALE, 1), round(-(float(lat) - 35.0) * SCALE * 1.2, 1)


def _jitter(key: str, radius: float = 40.0) -> tuple[float, float]:
    h = hashlib.sha1(key.encode("utf-8")).digest()
    return (h[0] / 255 - 0.5) * 2 * radius, (h[1] / 255 - 0.5) * 2 * radius


# A view asks the store for what it draws and no more.  Its filters (a practice family, a division, a span of
# years) are VALUES blocks of terms read from the graph or written by Oxigraph, put first so that joins start
# from them.  It counts what matches before reading it: within DETAIL_DIVISIONS and DETAIL_STATEMENTS it
# draws every division and practice with the evidence of each adoption; past them it draws what the store
# aggregated — a node per province and per practice family (or per practice of the family asked for), an
# edge per pair with its counts, the TOP_EDGES heaviest — and says what it left out.  The page then stays
# readable, and under 2 MB, at any corpus size.
DETAIL_DIVISIONS = 300
DETAIL_STATEMENTS = 1500      # each drawn adoption carries its evidence sentence
TOP_EDGES = 300
TOP_AGENCIES = 400
TOP_REGULATIONS = 150
CLASSES = ("Division", "Practice", "Agency", "Regulation")
XSD_GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"

# The queries are in queries/internal/view-*.rq.  Lines that are only a marker (#VALUES, #GROUPS …) are
# comments until a view fills them with VALUES blocks of IRIs read from the graph or a FILTER of years
# written by Oxigraph; #ADOPTIONS takes the pattern of one of the view-adoptions queries.


def _pattern(name: str) -> str:
    """The group pattern of a view-adoptions query (what its WHERE { … } holds)."""
    text = queries.internal(name)
    return text[text.index("{", text.index("WHERE")) + 1:text.rindex("}")]


@dataclass
class Filter:
    """What a view is restricted to, as SPARQL: IRIs read from the graph, years written by Oxigraph."""
    practices: list[str] | None = None
    divisions: list[str] | None = None
    years: tuple[int, int] | None = None

    def _years(self) -> str:
        years = self.gyears()
        if not years:
            return ""
        gyear = ox.NamedNode(XSD_GYEAR)
        return "FILTER(?year IN (" + ", ".join(str(ox.Literal(y, datatype=gyear)) for y in years) + "))"

    def adoptions(self, groups: dict[str, str] | None = None, year: bool = True) -> str:
        """The pattern of the adoptions a view keeps, binding ?a ?d ?p ?prov ?year (and ?g with `groups`).

        A division or a practice family is followed from its VALUES; a whole corpus is read property by
        property in sub-queries joined by hash (see queries/internal/view-adoptions.rq).  Without `year`
        (and no years asked for) the adoptions' years are not read: ?year is left unbound."""
        blocks = [values_block(v, iris) for v, iris in (("d", self.divisions), ("p", self.practices))
                  if iris is not None]
        name = ("view-adoptions-division" if self.divisions is not None else
                "view-adoptions-selected" if self.practices is not None else "view-adoptions")
        pattern = _pattern(name).replace("#VALUES", "\n".join(blocks), 1)
        if not year and not self.years:
            pattern = "\n".join(line for line in pattern.splitlines() if not line.endswith("#OPTIONAL-YEAR"))
        return self.fill(pattern, groups)

    def gyears(self) -> list[str] | None:
        """The years asked for as gYear lexical forms (None: any year)."""
        return [f"{y:04d}" for y in range(self.years[0], self.years[1] + 1)] if self.years else None

    def indexed(self, store: Store, index: AdoptionIndex, groups: dict[str, str] | None) -> dict[str, list[dict]]:
        """The answers of view-province-years, view-links and view-count (and, with `groups`, of
        view-spread-links) from the adoption index: the divisions and their provinces are read from the store,
        the adoptions and spread statements from the index."""
        sparql = (_with("view-provinces", "d", self.divisions) if self.divisions is not None else
                  queries.internal("view-provinces").replace("#VALUES", "", 1))
        # the divisions are read from the store while the index aggregates the adoptions
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="govkg-view") as pool:
            asked = pool.submit(lambda: [(r["d"], r["prov"]) for r in select_text(store, sparql)])
            drawn = groups if groups is not None or self.practices is None else {p: p for p in self.practices}
            answers = index.aggregate(asked.result, drawn, self.gyears(), some_divisions=self.divisions is not None)
            if groups is not None:
                answers["spread-links"] = index.spread_links(asked.result(), groups, self.gyears())
        return answers

    def fill(self, sparql: str, groups: dict[str, str] | None = None) -> str:
        if "#ADOPTIONS" in sparql:
            # a query that reads no year of its own (it counts DISTINCT divisions or statements) is spared the
            # lookup of each adoption's year, which could only repeat rows it counts once
            reads_year = "?year" in "\n".join(line for line in sparql.splitlines() if not line.startswith("#"))
            sparql = sparql.replace("#ADOPTIONS", self.adoptions(groups, reads_year))
        if groups is not None:
            sparql = sparql.replace("#GROUPS", _pairs("p", "g", sorted(groups.items())))
        return sparql.replace("#YEARS", self._years())


def _pairs(a: str, b: str, pairs: list[tuple[str, str]]) -> str:
    """A VALUES block binding (?a ?b) to pairs of IRIs read from the graph, each written by Oxigraph."""
    values_block(a, [])
    values_block(b, [])                                      # (checks the variable names)
    return f"VALUES (?{a} ?{b}) {{ " + " ".join(f"({ox.NamedNode(x)} {ox.NamedNode(y)})" for x, y in pairs) + " }"


def _with(name_or_text: str, var: str, iris, marker: str = "#VALUES") -> str:
    """An internal query (or query text) with its `marker` line replaced by a VALUES block of `iris`."""
    sparql = queries.internal(name_or_text) if name_or_text.startswith("view-") else name_or_text
    return sparql.replace(marker, values_block(var, sorted(iris)), 1)


def _resolve_division(store: Store, division: str) -> list[str]:
    if division.isdigit():
        rows = select(store, "view-division-by-code", code=division)
    else:
        rows = select(store, "view-division-by-name", division=ox.Literal(division, language="zh"))
    found = sorted({r["d"] for r in rows})
    if not found:
        raise KeyError(f"no division {division!r} in the graph")
    return found


def collect(store: Store, practice: str | None = None, division: str | None = None,
            classes: tuple[str, ...] = ("Division", "Practice"), years: tuple[int, int] | None = None) -> ViewData:
    """The nodes and edges of a view: adopters and practices (optionally one family, one division, a span of
    years), and when asked for in `classes`, the agencies of those divisions and the regulations their
    reports cite.  Small selections are drawn in detail, large ones aggregated per province."""
    unknown = set(classes) - set(CLASSES)
    if unknown:
        raise KeyError(f"unknown class(es) {', '.join(sorted(unknown))}; choose from {', '.join(CLASSES)}")
    if years and years[0] > years[1]:
        raise KeyError(f"years {years[0]}-{years[1]}: the first is after the last")
    f = Filter(years=years)
    label = None
    if practice:
        f.practices = [r["p"] for r in select(store, "view-family", slug=practice)]
        if not f.practices:
            raise KeyError(f"no practice with slug {practice!r}")
        label = next((r["pl"] for r in select_text(store, _with("view-practices", "p", f.practices))
                      if r["slug"] == practice),
                     practice)
    if division:
        f.divisions = _resolve_division(store, division)
    index = store.adoption_index()
    large = (f.practices is None and f.divisions is None
             and (index.adopter_count() if index is not None else
                  select(store, "view-at-most")[0]["statements"]) > DETAIL_STATEMENTS)
    if not large:
        counts = (f.indexed(store, index, None)["view-count"][0] if index is not None else
                  select_text(store, f.fill(queries.internal("view-count")))[0])
        if not counts["statements"]:
            asked = [x for x in (practice and f"practice {practice!r}", division and f"division {division!r}",
                                 years and f"years {years[0]}-{years[1]}") if x]
            raise KeyError("no adoptions" + (" for " + " and ".join(asked) if asked else " in the graph"))
        large = counts["divisions"] > DETAIL_DIVISIONS or counts["statements"] > DETAIL_STATEMENTS
    data = _aggregate(store, f, classes, practice is not None, index) if large else _detail(store, f, classes)
    data.title = "govkg · 实践与采纳地区总览 Overview of practices and adopting divisions"
    if set(classes) != {"Division", "Practice"}:
        data.title = "govkg · " + " · ".join(CLASS_TITLES[c] for c in CLASSES if c in classes)
    if practice:
        data.title = f"{label} · {practice} — 采纳地区 Adopting divisions"
    elif division and data.nodes:
        names = sorted({n["label"] for n in data.nodes if n.get("kind") == "division"})
        data.title = f"{'、'.join(names)} · 采纳的实践 Practices adopted by this division"
    data.subtitle = _join("采纳地区按首次采纳年份着色 Divisions coloured by first year of adoption", data.subtitle)
    if years:
        data.subtitle = _join(f"{years[0]}–{years[1]}", data.subtitle)
    data.legend = _legend(data, classes)
    return data


def _legend(data: ViewData, classes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    legend = [("dot", _year_colour(data.colours[0], data.colours) if data.colours else UNDATED_COLOUR,
               "行政区划 division (colour: first year)"),
              ("dot", UNDATED_COLOUR, "未注明年份 division, undated")]
    if "Practice" in classes:
        legend.append(("box", "#fff3c4", "实践 practice"))
    if "Agency" in classes:
        legend.append(("triangle", "#8fbc8f", "机关 agency"))
    if "Regulation" in classes:
        legend.append(("square", "#aec7e8", "法规文件 regulation"))
    legend += [("line", c, f"{m} {MODE_WORDS.get(m, '')}") for m, c in MODE_COLOURS.items()]
    legend += [("dashed", "#ff7f0e", "推广 spread"),
               ("dotted", EDGE_STYLES["learning"]["color"], "学习借鉴 learning: from → learner"),
               ("dashed", "#bbbbbb", "隶属 part of")]
    if "Agency" in classes:
        legend.append(("dashed", "#8fbc8f", "管辖 jurisdiction"))
    if "Regulation" in classes:
        legend.append(("line", "#aec7e8", "报告引用 cited in its report"))
    return legend


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _detail(store: Store, f: Filter, classes: tuple[str, ...]) -> ViewData:
    """Every adopting division and practice, one edge per division, practice, mode and year with evidence."""
    edges_rows = sorted(select_text(store, f.fill(queries.internal("view-edges"))), key=lambda r: r["first"])
    divisions: dict[str, dict] = {}
    for r in select_text(store, _with("view-divisions", "d", {r["d"] for r in edges_rows})):
        divisions.setdefault(r["d"], r)
    practices = {r["p"]: r for r in select_text(store, _with("view-practices", "p", {r["p"] for r in edges_rows}))}
    edges_rows = [r for r in edges_rows if r["d"] in divisions and r["p"] in practices]
    show_practices = "Practice" in classes
    quotes: dict[str, dict] = {}
    if show_practices:
        for r in select_text(store, _with("view-evidence", "a", {r["first"] for r in edges_rows})):
            quotes.setdefault(r["a"], r)
        edges_rows = [r for r in edges_rows if r["first"] in quotes]
    data = ViewData("govkg · 实践扩散图 Practice diffusion")
    first_year: dict[str, int] = {}
    for r in edges_rows:
        if r["year"] is not None:
            first_year[r["d"]] = min(first_year.get(r["d"], 9999), int(r["year"]))
    years = sorted(set(first_year.values()))
    data.years = data.colours = (years[0], years[-1]) if years else None
    every = sorted({int(r["year"]) for r in edges_rows if r["year"] is not None})
    if every:                                    # the slider reaches every edge, not just first years
        data.years = (every[0], every[-1])
    nodes: dict[str, dict] = {}
    positions: dict[str, tuple[float, float]] = {}
    for d in sorted({r["d"] for r in edges_rows}):
        r = divisions[d]
        pos = _position(r["lon"], r["lat"]) or _jitter(d, 300)
        positions[d] = pos
        fy = first_year.get(d)
        nodes[d] = {"id": d, "label": r["dl"], "kind": "division", "shape": "dot", "size": 30,
                    "font": {"size": 36, "strokeWidth": 6}, "color": _year_colour(fy, data.colours),
                    "x": pos[0], "y": pos[1], "year": fy,
                    "title": f"{r['dl']}  {r['code'] or ''}\n首次采纳 first adoption: {fy or '—'}",
                    "info": {"type": "行政区划 Division", "name": r["dl"], "code": r["code"] or "", "first": fy}}
    edges: dict[tuple, dict] = {}
    if show_practices:
        by_practice: dict[str, list[str]] = {}
        for r in edges_rows:
            by_practice.setdefault(r["p"], []).append(r["d"])
        practice_at = _practice_ring(by_practice, positions)
        for p in sorted(by_practice):
            r = practices[p]
            x, y = practice_at[p]
            nodes[p] = {"id": p, "label": r["pl"], "kind": "practice", "shape": "box", "color": "#fff3c4",
                        "x": x, "y": y, "font": {"size": 28}, "title": f"{r['pl']}\n{r['pen'] or ''}",
                        "info": {"type": "实践 Practice", "name": r["pl"], "english": r["pen"] or "",
                                 "slug": r["slug"]}}
        for r in edges_rows:
            ev = quotes[r["first"]]
            edges[(r["d"], r["p"], r["mode"], r["year"])] = {
                "from": r["d"], "to": r["p"], "label": str(r["year"] or ""), "arrows": "to",
                "color": MODE_COLOURS.get(r["mode"], "#777777"), "year": r["year"], "kind": r["mode"],
                "title": f"{r['mode']} {r['year'] or ''}",
                "evidence": {"quote": ev["quote"], "report": ev["report"], "mode": r["mode"], "year": r["year"]}}
    notes = []
    if "Agency" in classes:
        agencies = select_text(store, _with("view-agencies", "d", positions))
        for r in agencies.rows[:TOP_AGENCIES]:
            x, y = positions[r["d"]]
            jx, jy = _jitter(r["a"], 90)
            nodes.setdefault(r["a"], {"id": r["a"], "label": r["name"], "kind": "agency", "shape": "triangle",
                                      "size": 10, "color": "#8fbc8f", "x": round(x + jx, 1),
                                      "y": round(y + jy + 60, 1), "title": r["name"],
                                      "info": {"type": "机关 Agency", "name": r["name"]}})
            edges[("agency", r["a"])] = {"from": r["a"], "to": r["d"], "kind": "jurisdiction",
                                         "title": "jurisdiction", "color": "#8fbc8f", "dashes": True}
        if len(agencies) > TOP_AGENCIES:
            notes.append(f"{TOP_AGENCIES} of {len(agencies)} agencies shown")
    if "Regulation" in classes:
        cited = sorted(select_text(store, _with("view-cited", "d", positions)), key=lambda r: (-r["n"], r["reg"]))
        top = [r["reg"] for r in cited[:TOP_REGULATIONS]]
        if top:
            titles: dict[str, dict] = {}
            for r in select_text(store, _with("view-regulations", "reg", top)):
                titles.setdefault(r["reg"], r)
            citing = select_text(store, _with(_with("view-citing", "d", positions), "reg", top, "#REGS"))
            for r in sorted(citing, key=lambda r: (r["reg"], r["d"])):
                t = titles.get(r["reg"])
                if t is None:
                    continue
                x, y = positions[r["d"]]
                jx, jy = _jitter(r["reg"], 220)
                nodes.setdefault(r["reg"], {"id": r["reg"], "label": t["title"][:16], "kind": "regulation",
                                            "shape": "square", "size": 8, "color": "#aec7e8",
                                            "x": round(x + jx, 1), "y": round(y + jy + 160, 1),
                                            "title": f"《{t['title']}》 {t['kind']}",
                                            "info": {"type": "法规文件 Regulation", "name": t["title"],
                                                     "english": t["kind"]}})
                edges[("cites", r["d"], r["reg"])] = {"from": r["d"], "to": r["reg"], "kind": "cites",
                                                      "title": "cited in its report", "color": "#aec7e8"}
        if len(cited) > TOP_REGULATIONS:
            notes.append(f"the {TOP_REGULATIONS} most cited of {len(cited)} regulations shown")
    if show_practices:
        for r in select_text(store, _with("view-spreads", "d", positions)):
            if r["p"] not in nodes:
                continue
            edges.setdefault(("spread", r["d"], r["p"], r["scope"]), {
                "from": r["p"], "to": r["d"], "label": f"推广 {r['scope']}", "arrows": "from", "year": r["year"],
                "kind": "spread", "title": f"spread → {r['scope']}",
                "evidence": {"quote": r["quote"], "report": r["report"], "mode": "spread", "year": r["year"]},
                **EDGE_STYLES["spread"]})
    for r in select_text(store, _with("view-learning", "learner", positions)):
        if r["from"] in nodes:      # 学习借鉴: from whose experience to the learner
            stated = r["source"] in ("StatedYear", "ContextYear")
            edges.setdefault(("learning", r["l"]), {
                "from": r["from"], "to": r["learner"], "label": "学习借鉴", "arrows": "to", "kind": "learning",
                "year": r["year"] if stated else None, "title": "learning: from → learner",
                "evidence": {"quote": r["quote"], "report": r["report"], "mode": "learning",
                             "year": r["year"] if stated or r["year"] is None else f"by {r['year']}"},
                **EDGE_STYLES["learning"]})
    for r in select_text(store, _with("view-parts", "d", positions)):
        if r["parent"] in nodes:
            edges[("partOf", r["d"], r["parent"])] = {"from": r["d"], "to": r["parent"], "kind": "partOf",
                                                      "title": "part of", **EDGE_STYLES["partOf"]}
    data.subtitle = _join(*notes)
    _finish(data, list(nodes.values()), list(edges.values()))
    data.curve = adoption_curve(first_year)
    return data


def _spread_links(f: Filter) -> str:
    text = queries.internal("view-spread-links")
    return _with(text, "d", f.divisions) if f.divisions is not None else text.replace("#VALUES", "", 1)


class _Network:
    """The nodes and edges of a directed network as pyvis's ``Network.add_node``/``add_edge`` write them (the
    same keys in the same order; a node id seen before is ignored), without importing pyvis: its package
    imports IPython, which cost a view more than a second of start-up."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self._ids: set = set()

    def add_node(self, n_id, label=None, shape: str = "dot", color: str | dict[str, str] = "#97c2fc",
                 **options) -> None:
        if not isinstance(n_id, (str, int)):
            raise TypeError(f"a node id is a str or an int, not {n_id!r}")
        if n_id in self._ids:
            return
        node = dict(options) if "group" in options else {"color": color, **options}
        node.update(id=n_id, label=label or n_id, shape=shape)
        self.nodes.append(node)
        self._ids.add(n_id)

    def get_nodes(self) -> list:
        return [n["id"] for n in self.nodes]

    def add_edge(self, source, to, **options) -> None:
        if source not in self._ids or to not in self._ids:
            raise KeyError(f"an edge between nodes not in the network: {source!r} → {to!r}")
        edge = dict(options)
        edge["from"], edge["to"] = source, to
        edge.setdefault("arrows", "to")
        self.edges.append(edge)

    def get_network_data(self) -> tuple[list[dict], list[dict]]:
        return self.nodes, self.edges


def _finish(data: ViewData, nodes: list[dict], edges: list[dict]) -> None:
    net = _Network()
    for n in nodes:
        net.add_node(n.pop("id"), **n)
    kept = set(net.get_nodes())
    for e in edges:
        if e["from"] in kept and e["to"] in kept:
            net.add_edge(e.pop("from"), e.pop("to"), **e)
    data.nodes, data.edges = net.get_network_data()[:2]


def _aggregate(store: Store, f: Filter, classes: tuple[str, ...], one_family: bool,
               index: AdoptionIndex | None = None) -> ViewData:
    """One node per province and per practice family (per practice, when one family was asked for), edges
    counted in the store (or in its adoption index); the TOP_EDGES heaviest are drawn and the rest are named
    in the subtitle."""
    from govkg.builders import gazetteer
    if one_family:
        groups = {p: p for p in f.practices or []}
    else:
        groups = {}
        for r in select(store, "view-families"):
            groups.setdefault(r["p"], r["g"])
    # The store answers queries without holding the GIL: the aggregates over the whole selection, each a pass
    # over its statements, run side by side.
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="govkg-view") as pool:
        def ask(name: str):
            return pool.submit(select_text, store, f.fill(queries.internal(name), groups))
        asked = {} if index is not None else {name: ask(name) for name in ("view-province-years", "view-links")}
        if "Practice" in classes and index is None:
            asked["spread-links"] = pool.submit(select_text, store, f.fill(_spread_links(f), groups))
        if "Agency" in classes:
            asked["view-province-agencies"] = ask("view-province-agencies")
        if "Regulation" in classes:
            asked["view-top-cited"] = ask("view-top-cited")
        labels = {r["p"]: r for r in select_text(store, _with("view-practices", "p", set(groups.values())))}
        gaz = gazetteer.load()
        answers = f.indexed(store, index, groups) if index is not None else {}
        return _aggregated(store, f, classes, one_family, groups, gaz, labels,
                           answers | {name: future.result() for name, future in asked.items()})


def _aggregated(store: Store, f: Filter, classes: tuple[str, ...], one_family: bool, groups: dict[str, str], gaz,
                labels: dict[str, dict], answers: dict) -> ViewData:
    """`_aggregate` from the answers of its aggregate queries."""
    data = ViewData("govkg · 实践扩散图 Practice diffusion")
    per_province: dict[str, int] = defaultdict(int)
    first_of: dict[str, int] = {}
    per_year: dict[int, int] = defaultdict(int)
    for r in answers["view-province-years"]:
        per_province[r["prov"]] += r["n"]
        if r["fy"] is not None:
            per_year[int(r["fy"])] += r["n"]
            first_of[r["prov"]] = min(first_of.get(r["prov"], 9999), int(r["fy"]))
    years = sorted(per_year)
    data.years = data.colours = (years[0], years[-1]) if years else None
    total = 0
    for y in years:
        total += per_year[y]
        data.curve.append((y, total))
    agencies = {r["prov"]: r["n"] for r in answers["view-province-agencies"]} if "Agency" in classes else {}
    nodes: dict[str, dict] = {}
    for prov in sorted(per_province):
        d = gaz.by_code.get(prov)
        name = d.name if d else "其他 other"
        pos = (_position(d.longitude, d.latitude) if d and d.longitude else None) or _jitter(prov, 300)
        n, first = per_province[prov], first_of.get(prov)
        extra = f", {agencies[prov]} agencies" if prov in agencies else ""
        nodes["province:" + prov] = {
            "id": "province:" + prov, "label": f"{name} ({n})", "kind": "division", "shape": "dot",
            "size": 12 + min(40, round(4 * math.sqrt(n))), "year": first, "color": _year_colour(first, data.years),
            "x": pos[0], "y": pos[1], "title": f"{name}: {n} adopting divisions{extra}",
            "info": {"type": "省份汇总 Province aggregate", "name": name, "code": prov, "first": first}}
    links = sorted(answers["view-links"], key=lambda r: (-r["divisions"], r["prov"], r["g"]))
    drawn = links[:TOP_EDGES] if "Practice" in classes else []
    positions = {k[len("province:"):]: (v["x"], v["y"]) for k, v in nodes.items()}
    edges: list[dict] = []
    if drawn:
        by_group: dict[str, list[str]] = defaultdict(list)
        for r in drawn:
            by_group[r["g"]].append(r["prov"])
        at = _practice_ring(by_group, positions)
        for g in sorted(by_group):
            lab = labels.get(g) or {"pl": g.rsplit("/", 1)[-1], "pen": "", "slug": g.rsplit("/", 1)[-1]}
            px, py = at[g]
            nodes[g] = {"id": g, "label": lab["pl"], "kind": "practice", "shape": "box", "color": "#fff3c4",
                        "x": px, "y": py, "font": {"size": 28}, "title": f"{lab['pl']}\n{lab['pen'] or ''}",
                        "info": {"type": "实践 Practice" if one_family else "实践类别 Practice family",
                                 "name": lab["pl"], "english": lab["pen"] or "", "slug": lab["slug"]}}
        for r in drawn:
            edges.append({"from": "province:" + r["prov"], "to": r["g"], "label": str(r["divisions"]),
                          "value": r["divisions"], "arrows": "to", "year": r["first"], "kind": "aggregate",
                          "color": "#1f77b4",
                          "title": f"{r['divisions']} divisions, {r['statements']} statements, "
                                   f"first {r['first'] or '—'}"})
        for r in sorted(answers["spread-links"], key=lambda r: (r["prov"], r["g"])):
            if r["g"] in nodes and "province:" + r["prov"] in nodes:
                edges.append({"from": r["g"], "to": "province:" + r["prov"], "label": f"推广 {r['n']}",
                              "value": r["n"], "arrows": "to", "year": r["first"], "kind": "spread",
                              "title": f"{r['n']} spread statements", **EDGE_STYLES["spread"]})
    if not links:
        raise KeyError("no adoptions of the practice vocabulary match")
    notes = [f"{sum(per_province.values())} adopting divisions and {sum(r['statements'] for r in links)} "
             "adoption statements, "
             f"aggregated per province and practice {'' if one_family else 'family '}"
             "(narrow with --practice, --division or --year for detail)"]
    if len(links) > len(drawn) and drawn:
        left = links[len(drawn):]
        notes.append(f"the {len(drawn)} heaviest of {len(links)} links drawn; {len(left)} left out "
                     f"({sum(r['statements'] for r in left)} statements)")
    if "Regulation" in classes:
        cited = sorted(answers["view-top-cited"], key=lambda r: (-r["n"], r["reg"]))
        top = [r["reg"] for r in cited[:TOP_REGULATIONS]]
        if top:
            titles: dict[str, dict] = {}
            for r in select_text(store, _with("view-regulations", "reg", top)):
                titles.setdefault(r["reg"], r)
            for i, reg in enumerate(top):
                t = titles.get(reg, {"title": reg.rsplit("/", 1)[-1], "kind": ""})
                a = 2 * math.pi * i / len(top)
                nodes[reg] = {"id": reg, "label": t["title"][:16], "kind": "regulation", "shape": "square",
                              "size": 8, "color": "#aec7e8", "x": round(3200 * math.cos(a), 1),
                              "y": round(3200 * math.sin(a), 1), "title": f"《{t['title']}》 {t['kind']}",
                              "info": {"type": "法规文件 Regulation", "name": t["title"], "english": t["kind"]}}
            citing = select_text(store, _with(f.fill(queries.internal("view-citing-provinces"), groups), "reg", top,
                                              "#REGS"))
            for r in sorted(citing, key=lambda r: (r["prov"], r["reg"])):
                edges.append({"from": "province:" + r["prov"], "to": r["reg"], "kind": "cites", "value": r["n"],
                              "title": f"cited in the reports of {r['n']} divisions", "color": "#aec7e8"})
        if len(cited) > len(top):
            notes.append(f"the {len(top)} most cited of {len(cited)} regulations drawn")
    data.subtitle = _join(*notes)
    _finish(data, list(nodes.values()), edges)
    return data


# The central government has no GB/T 2260 point; draw it at the capital.
CENTRAL_POSITION = (116.40, 39.90)
EDGE_KIND_STYLES: dict[str, dict[str, Any]] = {
    "vertical": {"color": "#d62728", "dashes": False, "width": 2},
    "horizontal": {"color": "#17becf", "dashes": [4, 4], "width": 2},
    "learning": {"color": "#2ca02c", "dashes": [2, 3], "width": 3},
    "spread": {"color": "#ff7f0e", "dashes": [10, 4], "width": 2}}
# Adopters known only "by" their report's year: hollow and grey, out of the year colour scale.
OBSERVED_COLOUR = {"background": "#ffffff", "border": "#888888"}


def spread_view(t) -> ViewData:
    """The spread of one practice: divisions at their coordinates, coloured by first adoption year,
    milestones from the curated record, typed edges with evidence, a year filter and the adoption curve."""
    years = [a.first_year for a in t.dated] + [int(m["year"]) for m in t.milestones]
    span = (min(years), max(years)) if years else None
    data = ViewData(f"{t.label} · {t.practice} — 扩散路径 Spread trace",
                    "扩散路径 How it spread: 参考里程碑 → 采纳 (curated milestones → adoptions)")
    data.years = span
    dated = [a.first_year for a in t.adopters if a.first_year is not None]
    data.colours = (min(dated), max(dated)) if dated else None
    net = _Network()
    placed: dict[str, tuple[float, float]] = {}
    for i, m in enumerate(t.milestones):
        pos = _position(m["lon"], m["lat"]) or _position(*CENTRAL_POSITION)
        assert pos is not None                  # the centre has both coordinates
        pos = (pos[0], pos[1] + 70 * i)   # milestones at one place stack in time order
        placed[m["node"]] = pos
        net.add_node(m["node"], label=f"{m['year']} {m['placeLabel'] or '中央'}", shape="star", size=22,
                     color="#333333", x=pos[0], y=pos[1], year=int(m["year"]), kind="milestone",
                     title=f"{m['label']}\n{m['en'] or ''}",
                     info={"type": "参考里程碑 Curated milestone", "name": m["label"], "english": m["en"] or "",
                           "first": m["year"]},
                     evidence={"quote": m["citation"], "report": "curated", "mode": m["kind"], "year": m["year"]})
    for a in t.adopters:
        pos = _position(a.longitude, a.latitude) or _jitter(a.iri, 300)
        placed[a.iri] = pos
        ev = a.evidence[0]
        year = a.first_year if a.ordered else None      # the year filter and colours use stated years only
        flag = "\n⚠ dated before the curated origin" if a.before_origin else ""
        net.add_node(a.iri, label=f"{a.name} {a.when}".strip(), shape="dot", size=18,
                     color=_year_colour(year, data.colours) if a.ordered else OBSERVED_COLOUR, borderWidth=2,
                     x=pos[0], y=pos[1], year=year, kind="division",
                     title=f"{a.name} {a.code or ''}\n首次采纳 first adoption: {a.when or '—'}"
                           f" ({a.year_source or 'undated'}){flag}",
                     info={"type": "行政区划 Division", "name": a.name, "code": a.code or "", "first": a.when,
                           "source": a.year_source or ""},
                     evidence={"quote": ev.quote, "report": ev.report, "mode": ", ".join(sorted(a.modes)),
                               "year": a.when})
    for iri, other in t.others.items():
        pos = _position(other.get("longitude"), other.get("latitude")) or _jitter(iri, 300)
        placed[iri] = pos
        net.add_node(iri, label=other["label"], shape="diamond", size=16, color="#9467bd", x=pos[0], y=pos[1],
                     kind=other["kind"], title=f"{other['label']} ({other['kind']})",
                     info={"type": "确定/学习来源 Designating or learned-from body", "name": other["label"]})
    for e in t.edges:
        for end in (e.source, e.target):
            if end not in placed:
                xs = [p[0] for p in placed.values()] or [0.0]
                ys = [p[1] for p in placed.values()] or [0.0]
                pos = (min(xs) - 150, min(ys) - 80 - 40 * len([k for k in placed if k.startswith("scope:")]))
                placed[end] = pos
                net.add_node(end, label=end.rsplit(":", 1)[-1], shape="box", color="#ffe0b3", x=pos[0], y=pos[1],
                             kind="scope", title="推广范围 spread scope",
                             info={"type": "推广范围 Scope", "name": end.rsplit(":", 1)[-1]})
        net.add_edge(e.source, e.target, label=e.label if e.kind != "horizontal" else "", arrows="to",
                     year=e.year if e.year_source in ("stated", "context", "curated") else None, kind=e.kind,
                     title=f"{e.kind}: {e.label}",
                     evidence={"quote": e.evidence.quote if e.evidence else "", "report":
                               e.evidence.report if e.evidence else "", "mode": e.kind,
                               "year": e.year if e.year_source != "report" else f"by {e.year}"},
                     **EDGE_KIND_STYLES[e.kind])
    data.nodes, data.edges = net.get_network_data()[:2]
    data.legend = [("star", "#333333", "参考里程碑 curated milestone"),
                   ("dot", _year_colour(data.colours[0], data.colours) if data.colours else UNDATED_COLOUR,
                    "采纳地区 adopting division (colour: first stated year)"),
                   ("ring", OBSERVED_COLOUR["border"], "○ by YEAR: report year only, not evidence of order"),
                   ("dot", UNDATED_COLOUR, "未注明年份 adopter, undated"),
                   ("diamond", "#9467bd", "确定/学习来源 designating or learned-from body"),
                   ("box", "#ffe0b3", "推广范围 spread scope"),
                   ("line", EDGE_KIND_STYLES["vertical"]["color"],
                    "纵向 vertical: designation, mandate, division above → rollout"),
                   ("dashed", EDGE_KIND_STYLES["horizontal"]["color"],
                    "横向 horizontal: earlier → later peer, same province"),
                   ("dotted", EDGE_KIND_STYLES["learning"]["color"], "学习借鉴 learning: from X → the learner"),
                   ("dashed", EDGE_KIND_STYLES["spread"]["color"], "推广 spread statement")]
    data.curve = t.curve
    return data


def write_spread_view(t, out: Path) -> Path:
    page = render(spread_view(t)).encode("utf-8")
    atomic_write(out, lambda f: f.write(page), 1)
    return out


def _practice_ring(by_practice: dict[str, list[str]], positions: dict[str, tuple[float, float]],
                   rings: int = 3, gap: float = 150.0) -> dict[str, tuple[float, float]]:
    """Practices around the map of their adopters: on rings outside the divisions, each near the angle of its
    adopters' centre, so that their labels spread out instead of piling up on the adopters."""
    if not by_practice:
        return {}
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    # wide enough that the practices on each ring have room for their labels (about 260 units each)
    radius = max(max(max(xs) - min(xs), max(ys) - min(ys)) / 2 + 250,
                 260 * len(by_practice) / rings / (2 * math.pi))

    def angle(p: str) -> tuple[float, str]:
        ds = sorted(set(by_practice[p]))
        mx = sum(positions[d][0] for d in ds) / len(ds)
        my = sum(positions[d][1] for d in ds) / len(ds)
        return math.atan2(my - cy, mx - cx), p

    ordered = sorted(by_practice, key=angle)
    out = {}
    for i, p in enumerate(ordered):
        a = 2 * math.pi * i / len(ordered)
        r = radius + gap * (i % rings)
        out[p] = (round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1))
    return out


def adoption_curve(first_year: dict[str, int]) -> list[tuple[int, int]]:
    if not first_year:
        return []
    out, total = [], 0
    for y in range(min(first_year.values()), max(first_year.values()) + 1):
        total += sum(1 for v in first_year.values() if v == y)
        out.append((y, total))
    return out


UNDATED_COLOUR = "#b0b0b0"
MODE_WORDS = {"piloted": "试点", "adopted": "采纳", "extended": "推广", "deepened": "深化", "promoted": "推进"}
CLASS_TITLES = {"Division": "行政区划 Divisions", "Practice": "实践 Practices", "Agency": "机关 Agencies",
                "Regulation": "法规文件 Regulations"}


def offset_parallel_edges(edges: list[dict]) -> None:
    """Edges between the same two nodes (either direction) curve apart instead of lying on each other."""
    groups: dict[frozenset, list[dict]] = {}
    for e in edges:
        groups.setdefault(frozenset((e.get("from"), e.get("to"))), []).append(e)
    for group in groups.values():
        if len(group) < 2:
            continue
        for i, e in enumerate(sorted(group, key=lambda e: (str(e.get("kind")), str(e.get("year")), str(e.get("from"))))):
            # opposite directions bend to opposite sides under the same curve type, so one type is enough
            side = "curvedCW" if i % 2 == 0 else "curvedCCW"
            e["smooth"] = {"enabled": True, "type": side, "roundness": round(0.15 + 0.15 * (i // 2), 2)}


def colour_bar(span: tuple[int, int] | None, steps: int = 6) -> list[tuple[int, str]]:
    """(year, colour) stops of the node colour scale, for the legend's colour bar."""
    if span is None:
        return []
    lo, hi = span
    years = sorted({round(lo + (hi - lo) * i / (steps - 1)) for i in range(steps)}) if hi > lo else [lo]
    return [(y, _year_colour(y, span)) for y in years]


def _year_colour(year: int | None, span: tuple[int, int] | None) -> str:
    if year is None or span is None:
        return UNDATED_COLOUR
    lo, hi = span
    t = 0.0 if hi == lo else (year - lo) / (hi - lo)
    # early = deep red, late = pale yellow
    r, g, b = 200 + int(55 * t), 30 + int(190 * t), 40 + int(80 * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def curve_svg(curve: list[tuple[int, int]], width: int = 320, height: int = 180) -> str:
    """The cumulative adoption curve as inline SVG (all text escaped)."""
    if not curve:
        return ""
    pad = 30
    ys = [c for _, c in curve]
    top = max(ys) or 1
    n = len(curve)

    def px(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)

    def py(v: int) -> float:
        return height - pad - (height - 2 * pad) * v / top

    pts = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, (_, v) in enumerate(curve))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="cumulative adopters by year">',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#888"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#888"/>',
             f'<polyline fill="none" stroke="#d62728" stroke-width="2" points="{pts}"/>']
    for i, (year, v) in enumerate(curve):
        parts.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3" fill="#d62728"/>')
        parts.append(f'<text x="{px(i):.1f}" y="{height - pad + 14}" font-size="10" text-anchor="middle">'
                     f'{html.escape(str(year))}</text>')
    parts.append(f'<text x="{pad - 4}" y="{pad}" font-size="10" text-anchor="end">{top}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _asset(name: str) -> str:
    # found, not imported: importing pyvis imports IPython
    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pyvis is not installed: it ships the vis-network script the views embed")
    folder = Path(spec.submodule_search_locations[0])
    return (folder / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


_ENV = jinja2.Environment(loader=jinja2.PackageLoader("govkg.kg", "templates"),
                          autoescape=jinja2.select_autoescape(default=True), keep_trailing_newline=True)


def render(data: ViewData) -> str:
    offset_parallel_edges(data.edges)
    # Label sizes are set for the screen once the page has framed the network (see view.html).
    options = {"physics": {"enabled": False}, "interaction": {"hover": True, "tooltipDelay": 120},
               "edges": {"smooth": False, "font": {"size": 13, "align": "horizontal", "strokeWidth": 4,
                                                   "strokeColor": "#ffffff"}},
               "nodes": {"font": {"size": 14, "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}}}
    return _ENV.get_template("view.html").render(
        title=data.title, subtitle=data.subtitle, legend=data.legend, years=data.years,
        colour_bar=colour_bar(data.colours),
        curve=jinja2.utils.markupsafe.Markup(curve_svg(data.curve)) if data.curve else "",
        nodes_json=jinja2.utils.markupsafe.Markup(script_json(data.nodes)),
        edges_json=jinja2.utils.markupsafe.Markup(script_json(data.edges)),
        options_json=jinja2.utils.markupsafe.Markup(script_json(options)),
        vis_js=jinja2.utils.markupsafe.Markup(_asset("vis-network.min.js")),
        vis_css=jinja2.utils.markupsafe.Markup(_asset("vis-network.css")),
        node_count=len(data.nodes), edge_count=len(data.edges))


def write_view(store: Store, out: Path, *, practice: str | None = None, division: str | None = None,
               title: str | None = None, classes: tuple[str, ...] = ("Division", "Practice"),
               years: tuple[int, int] | None = None) -> Path:
    data = collect(store, practice=practice, division=division, classes=classes, years=years)
    if title:
        data.title = title
    page = render(data).encode("utf-8")
    atomic_write(out, lambda f: f.write(page), 1)
    return out

"""How a practice spread: timeline, diffusion network, innovativeness, reach — all read from the graph.

A trace starts from the curated milestones of the practice's family (its origin, national pilots and
mandates, ``ontology/reference.ttl``) and follows the extracted adoptions, each with its evidence.

Edges of the diffusion network are typed:

- ``vertical``: a higher level acting on a lower one — a designation (被国务院确定为…试点), a national
  mandate reaching the adopters after it, a pilot followed by adoptions inside the piloting division;
- ``horizontal``: an earlier adopter → the next adopter in the same province (the order of adoption);
- ``spread``: a spread statement (此经验在全区推广, a region-wide on-site meeting, a national typical case).

Innovativeness follows the SPID convention (Boehmke & Skinner): for each adopter, the share of the other
dated adopters that adopted later, ties counting half — 1.0 for the first adopter, 0.0 for the last.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from govkg.kg.store import atomic_write

if TYPE_CHECKING:
    from govkg.kg.api import KnowledgeGraph

CASCADE_COLUMNS = ("division_code", "division", "practice", "adopt_year")

PRACTICE = """SELECT ?practice ?zh ?en WHERE { ?p skos:notation ?practice ; skos:prefLabel ?zh .
  FILTER(lang(?zh) = "zh") OPTIONAL { ?p skos:prefLabel ?en . FILTER(lang(?en) = "en") } }"""

MILESTONES = """SELECT DISTINCT ?practice ?m ?label ?en ?kind ?year ?place ?placeLabel ?lon ?lat ?citation WHERE {
  ?p skos:notation ?practice ; skos:broader* ?anc .
  ?m a gov:Milestone ; gov:practice ?anc ; gov:year ?year ; dcterms:type ?k ; gov:citation ?citation ;
     rdfs:label ?label . FILTER(lang(?label) = "zh")
  OPTIONAL { ?m rdfs:label ?en . FILTER(lang(?en) = "en") }
  OPTIONAL { ?m prov:atLocation ?place . ?place rdfs:label ?placeLabel . FILTER(lang(?placeLabel) = "zh")
             OPTIONAL { ?place schema:longitude ?lon ; schema:latitude ?lat } }
  BIND(STRAFTER(STR(?k), "#") AS ?kind)
} ORDER BY ?year ?m"""

ADOPTIONS = """SELECT DISTINCT ?practice ?a ?d ?name ?code ?level ?province ?lon ?lat ?slug ?mode ?year ?designator
                        ?quote ?report WHERE {
  ?family skos:notation ?practice . ?p skos:broader* ?family ; skos:notation ?slug .
  ?a gov:practice ?p ; gov:adopter ?d ; gov:mode ?m ; gov:evidence ?e .
  ?d rdfs:label ?name ; gov:level ?l .
  ?e gov:quote ?quote ; gov:inReport ?r . ?r gov:sourceName ?report .
  OPTIONAL { ?d gov:adcode ?code }
  OPTIONAL { ?d gov:partOf ?parent . ?parent gov:adcode ?parentCode }
  BIND(CONCAT(SUBSTR(COALESCE(?code, ?parentCode), 1, 2), "0000") AS ?pcode)
  OPTIONAL { ?prov gov:adcode ?pcode ; gov:level gov:Province ; rdfs:label ?province }
  OPTIONAL { ?d schema:longitude ?lon ; schema:latitude ?lat }
  OPTIONAL { ?a gov:year ?year }
  OPTIONAL { ?a gov:designatedBy ?dd . ?dd rdfs:label ?designator }
  BIND(LCASE(STRAFTER(STR(?m), "#")) AS ?mode)
  BIND(STRAFTER(STR(?l), "#") AS ?level)
} ORDER BY ?a"""

SPREADS = """SELECT DISTINCT ?practice ?s ?d ?name ?scope ?year ?quote ?report WHERE {
  ?family skos:notation ?practice . ?p skos:broader* ?family .
  ?s a gov:Spread ; gov:practice ?p ; gov:from ?d ; gov:scope ?scope ; gov:evidence ?e .
  ?d rdfs:label ?name . ?e gov:quote ?quote ; gov:inReport ?r . ?r gov:sourceName ?report .
  OPTIONAL { ?s gov:year ?year }
} ORDER BY ?s"""

LEVEL_RANK = {"National": 0, "Province": 1, "Prefecture": 2, "County": 3, "Zone": 4, "Township": 5}


@dataclass
class Evidence:
    quote: str
    report: str


@dataclass
class Adopter:
    iri: str
    name: str
    code: str | None
    level: str
    province: str | None
    longitude: float | None
    latitude: float | None
    first_year: int | None = None
    modes: set[str] = field(default_factory=set)
    designated_by: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    innovativeness: float | None = None
    since_origin: int | None = None
    since_mandate: int | None = None


@dataclass
class Edge:
    source: str
    target: str
    kind: str            # vertical | horizontal | spread
    label: str
    year: int | None
    evidence: Evidence | None


@dataclass
class Trace:
    practice: str
    label: str
    english: str
    milestones: list[dict]
    adopters: list[Adopter]
    edges: list[Edge]
    spreads: list[dict]

    # ---------------------------------------------------------------- derived figures
    @property
    def dated(self) -> list[Adopter]:
        return [a for a in self.adopters if a.first_year is not None]

    @property
    def curve(self) -> list[tuple[int, int]]:
        """Cumulative number of adopting divisions by year."""
        years = sorted({a.first_year for a in self.dated})
        if not years:
            return []
        out, total = [], 0
        for y in range(years[0], years[-1] + 1):
            total += sum(1 for a in self.dated if a.first_year == y)
            out.append((y, total))
        return out

    @property
    def first_adopters(self) -> dict[str, list[str]]:
        """Per province, the divisions with the earliest stated year."""
        best: dict[str, tuple[int, list[str]]] = {}
        for a in self.dated:
            prov = a.province or "—"
            year, names = best.get(prov, (9999, []))
            if a.first_year < year:
                best[prov] = (a.first_year, [a.name])
            elif a.first_year == year:
                names.append(a.name)
        return {p: names for p, (_, names) in sorted(best.items())}

    @property
    def reach(self) -> dict[str, int]:
        """Adopting divisions per province."""
        out: dict[str, int] = defaultdict(int)
        for a in self.adopters:
            out[a.province or "—"] += 1
        return dict(sorted(out.items()))

    def graph(self) -> nx.DiGraph:
        """The diffusion network; node and edge attributes carry years and evidence (GEXF/GraphML-safe)."""
        g = nx.DiGraph(practice=self.practice, label=self.label)
        for m in self.milestones:
            g.add_node(m["node"], label=m["placeLabel"] or "中央", kind="milestone", year=int(m["year"]),
                       code="", province="", citation=m["citation"], milestone=m["label"])
        for a in self.adopters:
            g.add_node(a.iri, label=a.name, kind="division", code=a.code or "", province=a.province or "",
                       year=a.first_year if a.first_year is not None else -1,
                       innovativeness=a.innovativeness if a.innovativeness is not None else -1.0,
                       longitude=a.longitude or 0.0, latitude=a.latitude or 0.0)
        for e in self.edges:
            if e.source not in g:
                g.add_node(e.source, label=e.source.rsplit(":", 1)[-1], kind="scope", year=-1, code="", province="")
            if e.target not in g:
                g.add_node(e.target, label=e.target.rsplit(":", 1)[-1], kind="scope", year=-1, code="", province="")
            g.add_edge(e.source, e.target, kind=e.kind, label=e.label, year=e.year if e.year is not None else -1,
                       quote=e.evidence.quote if e.evidence else "", report=e.evidence.report if e.evidence else "")
        return g

    # ---------------------------------------------------------------- exports
    def write_cascades(self, path: str | Path) -> Path:
        """The SPID / NetworkInference data shape: one row per adopting division and its first year."""
        rows = sorted(self.dated, key=lambda a: (a.first_year, a.code or "", a.name))

        def write(f):
            import io
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(CASCADE_COLUMNS)
            for a in rows:
                w.writerow([a.code or "", a.name, self.practice, a.first_year])
            f.write(buf.getvalue().encode("utf-8"))
        atomic_write(path, write, len(rows))
        return Path(path)

    def write_gexf(self, path: str | Path) -> Path:
        import io
        buf = io.BytesIO()
        nx.write_gexf(self.graph(), buf)
        atomic_write(path, lambda f: f.write(buf.getvalue()), 1)
        return Path(path)

    def write_graphml(self, path: str | Path) -> Path:
        import io
        buf = io.BytesIO()
        nx.write_graphml(self.graph(), buf)
        atomic_write(path, lambda f: f.write(buf.getvalue()), 1)
        return Path(path)

    def write_html(self, path: str | Path) -> Path:
        """The spread view: divisions at their coordinates, typed edges, year filter, evidence on click."""
        from govkg.kg import views
        return views.write_spread_view(self, Path(path))

    # ---------------------------------------------------------------- reading
    def text(self) -> str:
        out = [f"{self.label} · {self.practice}" + (f" — {self.english}" if self.english else "")]
        out.append("\n参考里程碑 Reference milestones (curated):")
        if not self.milestones:
            out.append("  (none curated for this practice family)")
        for m in self.milestones:
            out.append(f"  {m['year']}  {m['kind']:15s} {m['label']}  @ {m['placeLabel'] or '中央'}")
            out.append(f"        source: {m['citation']}")
        out.append("\n采纳时间线 Adoption timeline (first stated year per division):")
        for a in sorted(self.adopters, key=lambda a: (a.first_year is None, a.first_year or 0, a.name)):
            extra = []
            if a.designated_by:
                extra.append(f"designated by {a.designated_by}")
            if a.since_origin is not None:
                extra.append(f"{a.since_origin:+d} y since origin")
            if a.since_mandate is not None:
                extra.append(f"{a.since_mandate:+d} y since mandate")
            if a.innovativeness is not None:
                extra.append(f"innovativeness {a.innovativeness:.2f}")
            year = str(a.first_year) if a.first_year is not None else "----"
            out.append(f"  {year}  {a.name} ({a.province or '—'})  {', '.join(sorted(a.modes))}"
                       + (f"  [{'; '.join(extra)}]" if extra else ""))
            ev = a.evidence[0]
            out.append(f"        “{_short(ev.quote)}” [{ev.report}]")
        if self.curve:
            out.append("\n累计采纳 Cumulative adopters: " + " · ".join(f"{y} {n}" for y, n in self.curve))
        out.append("\n各省首批采纳者 First adopters per province: " +
                   "; ".join(f"{p}: {', '.join(n)}" for p, n in self.first_adopters.items()))
        out.append("各省覆盖 Reach per province: " + "; ".join(f"{p} {n}" for p, n in self.reach.items()))
        kinds: dict[str, int] = defaultdict(int)
        for e in self.edges:
            kinds[e.kind] += 1
        out.append("\n扩散网络 Diffusion network: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        names = {a.iri: a.name for a in self.adopters} | {
            m["node"]: f"{m['placeLabel'] or '中央'} {m['year']}" for m in self.milestones}
        for e in self.edges:
            src, dst = names.get(e.source, e.source.rsplit(":", 1)[-1]), names.get(e.target, e.target.rsplit(":", 1)[-1])
            out.append(f"  {src} → {dst}  {e.kind} ({e.label}{', ' + str(e.year) if e.year else ''})")
        if self.spreads:
            out.append("\n推广 Spread statements:")
            for s in self.spreads:
                out.append(f"  {s['name']} → {s['scope']} {s['year'] or ''}  “{_short(s['quote'])}” [{s['report']}]")
        return "\n".join(out)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def trace(kg: "KnowledgeGraph", practice: str) -> Trace:
    """The spread trace of a practice (its family includes narrower practices)."""
    info = kg.query(PRACTICE, practice=practice)
    if not len(info):
        raise KeyError(f"no practice with slug {practice!r} (see `govkg query practice-family`)")
    label, english = info[0]["zh"], info[0]["en"] or ""
    milestones = [dict(r) | {"node": r["m"]} for r in kg.query(MILESTONES, practice=practice)]
    adopters: dict[str, Adopter] = {}
    for r in kg.query(ADOPTIONS, practice=practice):
        a = adopters.get(r["d"])
        if a is None:
            a = adopters[r["d"]] = Adopter(r["d"], r["name"], r["code"], r["level"], r["province"], r["lon"], r["lat"])
        a.modes.add(r["mode"])
        if r["year"] is not None and (a.first_year is None or r["year"] < a.first_year):
            a.first_year = r["year"]
            a.evidence.insert(0, Evidence(r["quote"], r["report"]))
        else:
            a.evidence.append(Evidence(r["quote"], r["report"]))
        if r["designator"] and r["mode"] == "piloted":
            a.designated_by = r["designator"]
    ordered = sorted(adopters.values(), key=lambda a: (a.first_year is None, a.first_year or 0, a.code or a.name))
    origin = min((int(m["year"]) for m in milestones), default=None)
    mandate = min((int(m["year"]) for m in milestones if m["kind"] == "NationalMandate"), default=None)
    dated = [a for a in ordered if a.first_year is not None]
    for a in dated:
        later = sum(1 for b in dated if b is not a and b.first_year > a.first_year)
        ties = sum(1 for b in dated if b is not a and b.first_year == a.first_year)
        a.innovativeness = round((later + ties / 2) / (len(dated) - 1), 4) if len(dated) > 1 else 1.0
        a.since_origin = a.first_year - origin if origin is not None else None
        a.since_mandate = a.first_year - mandate if mandate is not None else None
    edges = _edges(ordered, milestones)
    spreads = [dict(r) for r in kg.query(SPREADS, practice=practice)]
    for s in spreads:
        edges.append(Edge(s["d"], f"scope:{s['scope']}", "spread", f"推广 {s['scope']}", s["year"],
                          Evidence(s["quote"], s["report"])))
    return Trace(practice, label, english, milestones, ordered, edges, spreads)


def _edges(adopters: list[Adopter], milestones: list[dict]) -> list[Edge]:
    edges: list[Edge] = []
    # the curated record first: origin → national pilots → national mandate
    for a, b in zip(milestones, milestones[1:]):
        edges.append(Edge(a["node"], b["node"], "vertical", f"{a['kind']} → {b['kind']}", int(b["year"]),
                          Evidence(b["citation"], "curated")))
    national = [m for m in milestones if m["kind"] in ("NationalPilot", "NationalMandate")]
    by_name = {a.name: a for a in adopters}
    for a in adopters:
        ev = a.evidence[0]
        if a.designated_by:
            source = by_name[a.designated_by].iri if a.designated_by in by_name else None
            if source is None:
                # a central designation hangs from the national pilot milestone of the same year, if curated
                pilot = next((m for m in national if m["kind"] == "NationalPilot"), None)
                source = pilot["node"] if pilot else f"scope:{a.designated_by}"
            edges.append(Edge(source, a.iri, "vertical", f"designated pilot by {a.designated_by}", a.first_year, ev))
            continue
        mandate = max((m for m in national if a.first_year is not None and int(m["year"]) <= a.first_year),
                      key=lambda m: int(m["year"]), default=None)
        if mandate is not None:
            edges.append(Edge(mandate["node"], a.iri, "vertical", f"after {mandate['kind']} {mandate['year']}",
                              a.first_year, ev))
    # pilots followed by adoptions inside the piloting division (vertical), and the order of adoption within
    # a province (horizontal): each adopter is linked to the latest earlier adopter of its province.
    dated = [a for a in adopters if a.first_year is not None]
    for a in dated:
        inside = [p for p in dated if "piloted" in p.modes and p is not a and p.first_year <= a.first_year
                  and p.code and a.code and a.code.startswith(p.code.rstrip("0")) and LEVEL_RANK.get(a.level, 9) >
                  LEVEL_RANK.get(p.level, 9)]
        for p in inside:
            edges.append(Edge(p.iri, a.iri, "vertical", "pilot → rollout", a.first_year, a.evidence[0]))
        earlier = [b for b in dated if b.province == a.province and b.first_year < a.first_year]
        if earlier and a.province:
            prev = max(earlier, key=lambda b: (b.first_year, b.code or b.name))
            edges.append(Edge(prev.iri, a.iri, "horizontal", f"{prev.first_year} → {a.first_year} same province",
                              a.first_year, a.evidence[0]))
    return edges

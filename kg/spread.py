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
from bisect import bisect_left, bisect_right
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from govkg import queries
from govkg.kg.store import atomic_write, values_block
from govkg.kg.stores import Store, select, select_text

CASCADE_COLUMNS = ("division_code", "division", "practice", "adopt_year")

# The queries are in queries/internal/spread-*.rq.  A trace reads the practice family first, then one row per
# adopter (its first adoption and its modes, aggregated in the store), then details only where it needs them:
# each adopter's division, the evidence of its first adoption, the designators of pilots.  On a national
# corpus a practice has tens of thousands of adoption statements but a few thousand adopters.  The queries
# holding a #VALUES line start from a VALUES block (`values_block`) of IRIs read from the graph: joins then
# start from those terms instead of walking skos:broader* for every fact.

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
    def text(self, limit: int | None = None) -> str:
        """The trace as text; with `limit`, the long lists (adopters, edges, spread statements) stop after
        that many entries and say how many more there are."""
        def head(items: list, what: str) -> tuple[list, str | None]:
            if limit is None or len(items) <= limit:
                return items, None
            return items[:limit], f"  … {len(items) - limit} more {what}"
        out = [f"{self.label} · {self.practice}" + (f" — {self.english}" if self.english else "")]
        out.append("\n参考里程碑 Reference milestones (curated):")
        if not self.milestones:
            out.append("  (none curated for this practice family)")
        for m in self.milestones:
            out.append(f"  {m['year']}  {m['kind']:15s} {m['label']}  @ {m['placeLabel'] or '中央'}")
            out.append(f"        source: {m['citation']}")
        out.append("\n采纳时间线 Adoption timeline (first stated year per division):")
        timeline, more = head(sorted(self.adopters, key=lambda a: (a.first_year is None, a.first_year or 0, a.name)),
                              "adopters")
        for a in timeline:
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
        out += [more] if more else []
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
        edges, more = head(self.edges, "edges")
        for e in edges:
            src, dst = names.get(e.source, e.source.rsplit(":", 1)[-1]), names.get(e.target, e.target.rsplit(":", 1)[-1])
            out.append(f"  {src} → {dst}  {e.kind} ({e.label}{', ' + str(e.year) if e.year else ''})")
        out += [more] if more else []
        if self.spreads:
            out.append("\n推广 Spread statements:")
            spreads, more = head(self.spreads, "spread statements")
            for s in spreads:
                out.append(f"  {s['name']} → {s['scope']} {s['year'] or ''}  “{_short(s['quote'])}” [{s['report']}]")
            out += [more] if more else []
        return "\n".join(out)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def trace(store: Store, practice: str) -> Trace:
    """The spread trace of a practice (its family includes narrower practices)."""
    info = select(store, "spread-practice", practice=practice)
    if not len(info):
        raise KeyError(f"no practice with slug {practice!r} (see `govkg query practice-family`)")
    label, english = info[0]["zh"], info[0]["en"] or ""
    family = sorted({r["p"] for r in select(store, "spread-family", practice=practice)})
    # The store answers queries without holding the GIL: independent ones run side by side.
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="govkg-trace") as pool:
        milestones_asked = pool.submit(select, store, "spread-milestones", practice=practice)
        spreads_asked = pool.submit(_each, store, "spread-family-statements", "p", family)
        designators = pool.submit(_each, store, "spread-designators", "p", family)
        provinces = pool.submit(select, store, "spread-provinces")
        adopters = _adopters(store, family, pool, provinces, designators)
        milestones = [dict(r) | {"node": r["m"]} for r in milestones_asked.result()]
        spreads = sorted((dict(r) | {"practice": practice} for r in spreads_asked.result()), key=lambda r: r["s"])
    ordered = sorted(adopters.values(), key=lambda a: (a.first_year is None, a.first_year or 0, a.code or a.name))
    origin = min((int(m["year"]) for m in milestones), default=None)
    mandate = min((int(m["year"]) for m in milestones if m["kind"] == "NationalMandate"), default=None)
    dated = [a for a in ordered if a.first_year is not None]
    years = sorted(a.first_year for a in dated)
    for a in dated:
        later = len(years) - bisect_right(years, a.first_year)
        ties = bisect_right(years, a.first_year) - bisect_left(years, a.first_year) - 1
        a.innovativeness = round((later + ties / 2) / (len(dated) - 1), 4) if len(dated) > 1 else 1.0
        a.since_origin = a.first_year - origin if origin is not None else None
        a.since_mandate = a.first_year - mandate if mandate is not None else None
    edges = _edges(ordered, milestones)
    for s in spreads:
        edges.append(Edge(s["d"], f"scope:{s['scope']}", "spread", f"推广 {s['scope']}", s["year"],
                          Evidence(s["quote"], s["report"])))
    return Trace(practice, label, english, milestones, ordered, edges, spreads)


def _adopters(store: Store, family: list[str], pool: ThreadPoolExecutor, provinces_asked: Future,
              designators: Future) -> dict[str, Adopter]:
    first: dict[str, tuple[int | None, str]] = {}            # adopter → (year, IRI) of its first adoption
    modes: dict[str, set[str]] = {}
    for r in _each(store, "spread-adopters", "p", family):
        year, _, adoption = r["first"].partition(" ")
        first[r["d"]] = (None if year == "9999" else int(year), adoption)
        modes[r["d"]] = set(r["modes"].split())
    # Divisions and evidence side by side (agencies among the adopters get no division row and are left out).
    divisions = pool.submit(_each, store, "spread-divisions", "d", sorted(first))
    evidence = pool.submit(_each, store, "spread-evidence", "a", sorted(a for _, a in first.values()))
    provinces = {r["code"]: r["name"] for r in provinces_asked.result()}
    adopters: dict[str, Adopter] = {}
    for r in divisions.result():
        if r["d"] not in adopters:
            code = r["code"] or r["parentCode"]
            adopters[r["d"]] = Adopter(r["d"], r["name"], r["code"], r["level"],
                                       provinces.get(f"{code[:2]}0000") if code else None, r["lon"], r["lat"],
                                       first[r["d"]][0], modes[r["d"]])
    quotes = {r["a"]: Evidence(r["quote"], r["report"]) for r in evidence.result()}
    for d in list(adopters):
        if first[d][1] in quotes:
            adopters[d].evidence = [quotes[first[d][1]]]
        else:                                                # every fact carries evidence; one without is not read
            del adopters[d]
    # The last designation named (in statement order) wins.
    for r in sorted(designators.result(), key=lambda r: (r["a"], r["designator"])):
        if r["d"] in adopters:
            adopters[r["d"]].designated_by = r["designator"]
    return adopters


def _each(store: Store, name: str, var: str, iris: list[str], size: int = 5000) -> list[dict]:
    """Rows of the internal query `name` for each of `iris` as ?var, asked in blocks of `size`."""
    sparql = queries.internal(name)
    out: list[dict] = []
    for i in range(0, len(iris), size):
        out.extend(select_text(store, sparql.replace("#VALUES", values_block(var, iris[i:i + size]), 1)))
    return out


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
    pilots = [p for p in dated if "piloted" in p.modes]
    by_province: dict[str, list[Adopter]] = defaultdict(list)
    for a in dated:
        if a.province:
            by_province[a.province].append(a)
    for members in by_province.values():
        members.sort(key=lambda b: (b.first_year, b.code or b.name))
    for a in dated:
        inside = [p for p in pilots if p is not a and p.first_year <= a.first_year
                  and p.code and a.code and a.code.startswith(p.code.rstrip("0")) and LEVEL_RANK.get(a.level, 9) >
                  LEVEL_RANK.get(p.level, 9)]
        for p in inside:
            edges.append(Edge(p.iri, a.iri, "vertical", "pilot → rollout", a.first_year, a.evidence[0]))
        members = by_province.get(a.province or "", [])
        i = bisect_left(members, a.first_year, key=lambda b: b.first_year)   # the adopters before a's year
        if i and a.province:
            prev = members[i - 1]         # the latest of them (ties broken by code, as in the order above)
            edges.append(Edge(prev.iri, a.iri, "horizontal", f"{prev.first_year} → {a.first_year} same province",
                              a.first_year, a.evidence[0]))
    return edges

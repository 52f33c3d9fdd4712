"""How a practice spread: timeline, diffusion network, innovativeness, reach — all read from the graph.

A trace starts from the curated milestones of the practice's family (its origin, national pilots and
mandates, ``ontology/reference.ttl``) and the central instrument of the vocabulary (``dcterms:source``), and
follows the extracted adoptions, each with its evidence.

When.  Only a year the text states orders adopters: one in the sentence (``gov:StatedYear``) or in its
paragraph or heading (``gov:ContextYear``).  A year inherited from the report (``gov:ReportYear``) is an upper
bound — the division had adopted *by* then — and so is a year whose source the graph does not record.  Such
adopters are shown "by YEAR" (observed): they get no innovativeness rank, no order edge into or out of them,
no "after mandate" edge.  "After a mandate" is after its date: the month where both are known, else a later
year (an adoption in the mandate's own year is not after it).  A fact dated before the practice's curated
origin is flagged.

Edges of the diffusion network are typed:

- ``vertical``: a higher level acting on a lower one — a designation, hung from the designating level (a
  national pilot milestone, or the province or prefecture that designated it); a national mandate reaching
  the adopters dated after it; an earlier adoption by a division above the adopter (pilot → rollout);
- ``horizontal``: the latest earlier adopter → the next adopter among peers of the same province (never a
  division and one of its ancestors: that pair is vertical);
- ``learning``: a learning link (``gov:Learning``: 学习借鉴/复制推广 X 的经验), from X to the learner;
- ``spread``: a spread statement (此经验在全区推广, a region-wide on-site meeting, a national typical case).

Innovativeness follows the SPID convention (Boehmke & Skinner): for each adopter dated by the text, the share
of the other such adopters that adopted later, ties counting half — 1.0 for the first adopter, 0.0 for the last.
"""
from __future__ import annotations

import csv
import io
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from govkg import queries
from govkg.kg.adoptions import AdoptionIndex
from govkg.kg.store import atomic_write, values_block, xml_safe
from govkg.kg.stores import Store, select, select_text

if TYPE_CHECKING:
    import networkx as nx  # imported where a network is built: 0.6 s a trace printed as text never needs

CASCADE_COLUMNS = ("division_code", "division", "practice", "adopt_year", "year_source", "mode", "report", "quote")

# The queries are in queries/internal/spread-*.rq.  A trace reads the practice family first, then one row per
# adopter (its first adoption and its modes, aggregated in the store), then details only where it needs them:
# each adopter's division and ancestors, the evidence of its first adoption, the designators of pilots, the
# learning links.  On a national corpus a practice has tens of thousands of adoption statements but a few
# thousand adopters.  The queries holding a #VALUES line start from a VALUES block (`values_block`) of IRIs
# read from the graph: joins then start from those terms instead of walking skos:broader* for every fact.

LEVEL_RANK = {"National": 0, "Province": 1, "Prefecture": 2, "County": 3, "Zone": 4, "Township": 5}
# gov:StatedYear / gov:ContextYear / gov:ReportYear as the exports write them; no source reads as "report".
YEAR_SOURCES = {"StatedYear": "stated", "ContextYear": "context", "ReportYear": "report"}
ORDERING = ("stated", "context")
CENTRAL = "https://w3id.org/govkg/id/division/100000"


def after(year: int, month: int | None, then_year: int, then_month: int | None) -> bool:
    """Is a date known to be after another?  In the same year only when both months are known.

    >>> after(2018, None, 2018, 12), after(2019, None, 2018, 12), after(2018, 12, 2018, 3)
    (False, True, True)
    """
    if year != then_year:
        return year > then_year
    return month is not None and then_month is not None and month > then_month


def _month(value) -> int | None:
    """The month of an xsd:gYearMonth ("2018-12") or of a key field ("12", "--")."""
    text = str(value or "")
    text = text[5:7] if len(text) >= 7 else text
    return int(text) if text.isdigit() else None


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
    first_year: int | None = None          # the year of the first adoption: stated by the text, else the report's
    modes: set[str] = field(default_factory=set)
    designated_by: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    innovativeness: float | None = None
    since_origin: int | None = None
    since_mandate: int | None = None
    year_source: str | None = None         # "stated" | "context" | "report" | None (undated)
    first_month: int | None = None
    mode: str | None = None                # the mode of the first adoption
    designation_level: str | None = None   # National | Province | Prefecture
    designator: str | None = None          # the IRI the designation hangs from (its division or body)
    designator_name: str | None = None
    designator_position: tuple[float | None, float | None] = (None, None)
    earliest_year: int | None = None       # the earliest year of any source (for the origin check)
    earliest_month: int | None = None
    before_origin: bool = False
    ancestors: set[str] = field(default_factory=set)   # IRIs and GB/T 2260 codes of the divisions above

    @property
    def ordered(self) -> bool:
        """Dated by the text (sentence, paragraph or heading): may be used as evidence of order."""
        return self.first_year is not None and self.year_source in ORDERING

    @property
    def dated_year(self) -> int:
        """`first_year` of an adopter known to have one (an `ordered` one): typed int, not Optional."""
        assert self.first_year is not None, self.iri
        return self.first_year

    @property
    def when(self) -> str:
        """The year as shown: "2019", "by 2021" (the report's year: observed, not evidence of order) or ""."""
        if self.first_year is None:
            return ""
        return str(self.first_year) if self.ordered else f"by {self.first_year}"

    def above(self, other: Adopter) -> bool:
        """Is this division one of `other`'s ancestors (GB/T 2260 code prefix or gov:partOf chain)?"""
        return self.iri in other.ancestors or (self.code is not None and self.code in other.ancestors)

    def related(self, other: Adopter) -> bool:
        return self.above(other) or other.above(self)


@dataclass
class Edge:
    source: str
    target: str
    kind: str            # vertical | horizontal | learning | spread
    label: str
    year: int | None
    evidence: Evidence | None
    year_source: str | None = None
    axis: str = ""       # vertical | horizontal for a learning link (between a division and an ancestor, or peers)


@dataclass
class Trace:
    practice: str
    label: str
    english: str
    milestones: list[dict]
    adopters: list[Adopter]
    edges: list[Edge]
    spreads: list[dict]
    learning: list[dict] = field(default_factory=list)
    others: dict[str, dict] = field(default_factory=dict)   # designating and learning ends that adopted nothing here

    # ---------------------------------------------------------------- derived figures
    @property
    def dated(self) -> list[Adopter]:
        """Adopters dated by the text (stated or context year): the ones that order the diffusion."""
        return [a for a in self.adopters if a.ordered]

    @property
    def observed(self) -> list[Adopter]:
        """Adopters known only "by" their report's year."""
        return [a for a in self.adopters if a.first_year is not None and not a.ordered]

    @property
    def curve(self) -> list[tuple[int, int]]:
        """Cumulative number of adopting divisions by stated year."""
        per_year: dict[int, int] = defaultdict(int)
        for a in self.dated:
            per_year[a.dated_year] += 1
        if not per_year:
            return []
        out, total = [], 0
        for y in range(min(per_year), max(per_year) + 1):
            total += per_year.get(y, 0)
            out.append((y, total))
        return out

    @property
    def first_adopters(self) -> dict[str, list[str]]:
        """Per province, the divisions with the earliest stated year."""
        best: dict[str, tuple[int, list[str]]] = {}
        for a in self.dated:
            prov = a.province or "—"
            year, names = best.get(prov, (9999, []))
            if a.dated_year < year:
                best[prov] = (a.dated_year, [a.name])
            elif a.dated_year == year:
                names.append(a.name)
        return {p: names for p, (_, names) in sorted(best.items())}

    @property
    def reach(self) -> dict[str, int]:
        """Adopting divisions per province."""
        out: dict[str, int] = defaultdict(int)
        for a in self.adopters:
            out[a.province or "—"] += 1
        return dict(sorted(out.items()))

    def name_of(self, node: str) -> str:
        return self._namer()(node)

    def _namer(self) -> Callable[[str], str]:
        """`name_of` with the adopters and milestones indexed once, for naming every edge's ends."""
        names = {a.iri: a.name for a in self.adopters}
        milestones: dict[str, dict] = {}
        for m in self.milestones:
            milestones.setdefault(m["node"], m)

        def name(node: str) -> str:
            if node in names:
                return names[node]
            m = milestones.get(node)
            if m is not None:
                return f"{m['placeLabel'] or '中央'} {m['year']}"
            return self.others.get(node, {}).get("label") or node.rsplit(":", 1)[-1]
        return name

    def graph(self) -> nx.DiGraph:
        """The diffusion network, dynamic: a node or edge dated by the text has `start` (its year); an
        attribute without a value is left out (no sentinels).  GEXF/GraphML-safe."""
        import networkx as nx
        g: nx.DiGraph[str] = nx.DiGraph(practice=self.practice, label=self.label, mode="dynamic")
        name_of = self._namer()
        for m in self.milestones:
            g.add_node(m["node"], label=m["placeLabel"] or "中央", kind="milestone", year=int(m["year"]),
                       start=int(m["year"]), year_source="curated", citation=m["citation"], milestone=m["label"],
                       **({"month": _month(m["month"])} if m.get("month") else {}))
        for a in self.adopters:
            attrs = {"label": a.name, "kind": "division", "level": a.level, "code": a.code, "province": a.province,
                     "year": a.first_year, "year_source": a.year_source, "mode": a.mode,
                     "innovativeness": a.innovativeness, "longitude": a.longitude, "latitude": a.latitude,
                     "before_origin": a.before_origin, "start": a.first_year if a.ordered else None}
            g.add_node(a.iri, **_present(attrs))
        for iri, info in self.others.items():
            g.add_node(iri, **_present(info))
        for e in self.edges:
            for end in (e.source, e.target):
                if end not in g:
                    g.add_node(end, label=name_of(end), kind="scope")
            ordered = e.year is not None and e.year_source in ORDERING + ("curated",)
            attrs = {"kind": e.kind, "label": e.label, "year": e.year, "year_source": e.year_source,
                     "axis": e.axis or None, "start": e.year if ordered else None,
                     "quote": e.evidence.quote if e.evidence else None,
                     "report": e.evidence.report if e.evidence else None}
            g.add_edge(e.source, e.target, **_present(attrs))
        return g

    # ---------------------------------------------------------------- exports
    def cascade_order(self) -> list[Adopter]:
        """Adopters dated by the text first (by year), then "by" the report's year, then undated."""
        rank = {"stated": 0, "context": 0, "report": 1, None: 2}
        return sorted(self.adopters, key=lambda a: (rank[a.year_source], a.first_year or 0, a.code or "", a.name))

    def rows(self) -> list[dict]:
        """One row per adopting division (CASCADE_COLUMNS); an undated adopter is kept, with no year."""
        out = []
        for a in self.cascade_order():
            ev = a.evidence[0]
            out.append({"division_code": a.code or "", "division": a.name, "practice": self.practice,
                        "adopt_year": a.first_year, "year_source": a.year_source or "", "mode": a.mode or "",
                        "report": ev.report, "quote": ev.quote})
        return out

    def write_cascades(self, path: str | Path) -> Path:
        """The SPID / NetworkInference data shape, one row per adopting division, with where its year comes
        from: keep `year_source` stated/context for an order of adoption, `report` years are upper bounds."""
        rows = self.rows()

        def write(f):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(CASCADE_COLUMNS)
            for r in rows:
                w.writerow(["" if r[c] is None else r[c] for c in CASCADE_COLUMNS])
            f.write(buf.getvalue().encode("utf-8"))
        atomic_write(path, write, len(rows))
        return Path(path)

    def xml_graph(self) -> nx.DiGraph:
        """`graph()` with the characters XML 1.0 forbids removed from every text attribute (report text
        may hold control characters), so GEXF and GraphML are always well-formed."""
        g = self.graph()

        def clean(attrs: dict) -> None:
            for k, v in attrs.items():
                if isinstance(v, str):
                    attrs[k] = xml_safe(v)
        clean(g.graph)
        for _, attrs in g.nodes(data=True):
            clean(attrs)
        for _, _, attrs in g.edges(data=True):
            clean(attrs)
        import networkx as nx
        return nx.relabel_nodes(g, {n: xml_safe(n) for n in g if isinstance(n, str) and xml_safe(n) != n})

    def to_dataframe(self):
        """The cascades as a pandas DataFrame (needs pandas), years as nullable integers (``Int64``), with
        each adopter's level, province, innovativeness and origin flag after the cascade columns."""
        import pandas as pd
        order = self.cascade_order()
        df = pd.DataFrame(self.rows(), columns=list(CASCADE_COLUMNS))
        df["adopt_year"] = pd.array([a.first_year for a in order], dtype="Int64")
        df["level"] = [a.level for a in order]
        df["province"] = [a.province for a in order]
        df["innovativeness"] = pd.array([a.innovativeness for a in order], dtype="Float64")
        df["before_origin"] = [a.before_origin for a in order]
        return df

    def write_gexf(self, path: str | Path) -> Path:
        import networkx as nx
        buf = io.BytesIO()
        nx.write_gexf(self.xml_graph(), buf)
        atomic_write(path, lambda f: f.write(buf.getvalue()), 1)
        return Path(path)

    def write_graphml(self, path: str | Path) -> Path:
        import networkx as nx
        buf = io.BytesIO()
        nx.write_graphml(self.xml_graph(), buf)
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
        out.append("\n参考里程碑 Reference milestones (curated; the central instrument from the vocabulary):")
        if not self.milestones:
            out.append("  (none curated for this practice family)")
        for m in self.milestones:
            date = m["month"] if m.get("month") else str(m["year"])
            out.append(f"  {date:7s}  {m['kind']:15s} {m['label']}  @ {m['placeLabel'] or '中央'}")
            out.append(f"        source: {m['citation']}")
        out.append("\n采纳时间线 Adoption timeline (first year the text states; “by YEAR”: the report's year only, "
                   "observed, not evidence of order):")
        timeline, more = head(self.adopters, "adopters")
        for a in timeline:
            extra = []
            if a.year_source:
                extra.append(a.year_source)
            if a.designated_by:
                extra.append(f"designated by {a.designated_by}"
                             + (f" ({a.designation_level.lower()})" if a.designation_level else ""))
            if a.since_origin is not None:
                extra.append(f"{a.since_origin:+d} y since origin")
            if a.since_mandate is not None:
                extra.append(f"{a.since_mandate:+d} y since mandate")
            if a.innovativeness is not None:
                extra.append(f"innovativeness {a.innovativeness:.2f}")
            if a.before_origin:
                extra.append("⚠ dated before the curated origin")
            year = a.when or "----"
            out.append(f"  {year:7s}  {a.name} ({a.province or '—'})  {', '.join(sorted(a.modes))}"
                       + (f"  [{'; '.join(extra)}]" if extra else ""))
            ev = a.evidence[0]
            out.append(f"        “{_short(ev.quote)}” [{ev.report}]")
        out += [more] if more else []
        if self.curve:
            out.append("\n累计采纳 Cumulative adopters (stated years): " + " · ".join(f"{y} {n}" for y, n in self.curve))
        if self.observed:
            out.append("已见于报告 Observed by report year: " +
                       "; ".join(f"{a.name} by {a.first_year}" for a in self.observed))
        out.append("\n各省首批采纳者 First adopters per province: " +
                   ("; ".join(f"{p}: {', '.join(n)}" for p, n in self.first_adopters.items())
                    or "(no adopter dated by the text)"))
        out.append("各省覆盖 Reach per province: " + "; ".join(f"{p} {n}" for p, n in self.reach.items()))
        kinds: dict[str, int] = defaultdict(int)
        for e in self.edges:
            kinds[e.kind] += 1
        out.append("\n扩散网络 Diffusion network: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        edges, more = head(self.edges, "edges")
        name_of = self._namer()
        for e in edges:
            when = "" if e.year is None else f", {e.year}" if e.year_source != "report" else f", by {e.year}"
            out.append(f"  {name_of(e.source)} → {name_of(e.target)}  {e.kind} ({e.label}{when})")
        out += [more] if more else []
        if self.learning:
            out.append("\n学习借鉴 Learning links (from → learner):")
            learning, more = head(self.learning, "learning links")
            for r in learning:
                out.append(f"  {r['fromName']} → {r['learnerName']} {r['when']}  “{_short(r['quote'])}” [{r['report']}]")
            out += [more] if more else []
        if self.spreads:
            out.append("\n推广 Spread statements:")
            spreads, more = head(self.spreads, "spread statements")
            for s in spreads:
                out.append(f"  {s['name']} → {s['scope']} {_when(s['year'], s['yearSource'])}  “{_short(s['quote'])}” "
                           f"[{s['report']}]")
            out += [more] if more else []
        return "\n".join(out)


def _present(attrs: dict) -> dict:
    """The attributes that have a value (GEXF and GraphML have no null: an unknown is left out)."""
    return {k: v for k, v in attrs.items() if v is not None and v != ""}


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def trace(store: Store, practice: str) -> Trace:
    """The spread trace of a practice (its family includes narrower practices)."""
    info = select(store, "spread-practice", practice=practice)
    if not len(info):
        raise KeyError(f"no practice with slug {practice!r} (see `govkg query practice-family`)")
    label, english = info[0]["zh"], info[0]["en"] or ""
    family = sorted({r["p"] for r in select(store, "spread-family", practice=practice)})
    index = store.adoption_index()
    # The store answers queries without holding the GIL: independent ones run side by side.
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="govkg-trace") as pool:
        milestones_asked = pool.submit(select, store, "spread-milestones", practice=practice)
        mandate_asked = pool.submit(select, store, "spread-mandate", practice=practice)
        if index is not None:      # spread statements from the index (their origins' names from the store);
            # learning links found there, their details asked of the store
            spreads_asked = pool.submit(_named, store, index.spread_statements(family))
            learning_asked = pool.submit(_each, store, "spread-learning", "l", index.learning_links(family),
                                         found=True)
        else:
            spreads_asked = pool.submit(_each, store, "spread-family-statements", "p", family)
            learning_asked = pool.submit(_each, store, "spread-learning", "p", family)
        provinces = pool.submit(select, store, "spread-provinces")
        adopters = _adopters(store, family, pool, provinces, index)
        milestones = _milestones(milestones_asked.result(), mandate_asked.result())
        spreads = sorted((dict(r) | {"practice": practice, "yearSource": _source(r["year"], r["source"])}
                          for r in spreads_asked.result()), key=lambda r: r["s"])
        learning = _learning(learning_asked.result())
    rank = {"stated": 0, "context": 0, "report": 1, None: 2}
    ordered = sorted(adopters.values(), key=lambda a: (rank[a.year_source], a.first_year or 0, a.code or a.name))
    # the origin: the curated Origin, else the earliest milestone; the mandate: the earliest national mandate
    origin = next((m for m in milestones if m["kind"] == "Origin"), milestones[0] if milestones else None)
    mandate = next((m for m in milestones if m["kind"] == "NationalMandate"), None)
    dated = [a for a in ordered if a.ordered]
    years = sorted(a.dated_year for a in dated)
    for a in dated:
        later = len(years) - bisect_right(years, a.dated_year)
        ties = bisect_right(years, a.dated_year) - bisect_left(years, a.dated_year) - 1
        a.innovativeness = round((later + ties / 2) / (len(dated) - 1), 4) if len(dated) > 1 else 1.0
        a.since_origin = a.dated_year - int(origin["year"]) if origin is not None else None
        a.since_mandate = a.dated_year - int(mandate["year"]) if mandate is not None else None
    if origin is not None:
        for a in ordered:
            if a.earliest_year is not None:
                a.before_origin = after(int(origin["year"]), _month(origin.get("month")), a.earliest_year,
                                        a.earliest_month)
    others: dict[str, dict] = {}
    edges = _edges(ordered, milestones, others)
    by_iri = {a.iri: a for a in ordered}
    for r in learning:
        for end, name in ((r["from"], r["fromName"]), (r["learner"], r["learnerName"])):
            if end not in by_iri and end not in others:
                others[end] = {"label": name, "kind": "learning"}
        src, dst = by_iri.get(r["from"]), by_iri.get(r["learner"])
        axis = ("vertical" if src.related(dst) else "horizontal") if src and dst else ""
        edges.append(Edge(r["from"], r["learner"], "learning", f"学习借鉴 learned from {r['fromName']}", r["year"],
                          Evidence(r["quote"], r["report"]), r["yearSource"], axis))
    for s in spreads:
        edges.append(Edge(s["d"], f"scope:{s['scope']}", "spread", f"推广 {s['scope']}", s["year"],
                          Evidence(s["quote"], s["report"]), s["yearSource"]))
    return Trace(practice, label, english, milestones, ordered, edges, spreads, learning, others)


def _milestones(curated, instruments) -> list[dict]:
    """The curated milestones, and the practice's central instrument as a national mandate unless a curated
    milestone already cites it (then its month, if the milestone has none)."""
    out = [dict(r) | {"node": r["m"], "month": r["month"] or None} for r in curated]
    for r in instruments:
        issued = str(r["issued"])
        cited = next((m for m in out if (r["number"] and r["number"] in m["citation"]) or r["title"] in m["citation"]),
                     None)
        if cited is not None:
            if not cited["month"] and len(issued) >= 7 and int(issued[:4]) == int(cited["year"]):
                cited["month"] = issued[:7]
            continue
        out.append({"m": r["doc"], "node": r["doc"], "label": f"《{r['title']}》", "en": "", "kind": "NationalMandate",
                    "year": int(issued[:4]), "month": issued[:7] if len(issued) >= 7 else None, "place": CENTRAL,
                    "placeLabel": "中央", "lon": None, "lat": None,
                    "citation": f"《{r['title']}》（{'，'.join(x for x in (r['number'], r['issuedBy'], issued) if x)}）"})
    return sorted(out, key=lambda m: (int(m["year"]), _month(m["month"]) or 0, m["node"]))


def _source(year: int | None, source: str | None) -> str | None:
    """A year's source as the exports write it; a year without a recorded source reads as the report's."""
    return None if year is None else YEAR_SOURCES.get(source or "", "report")


def _when(year: int | None, source: str | None) -> str:
    return "" if year is None else str(year) if source in ORDERING else f"by {year}"


def _learning(rows) -> list[dict]:
    """One row per learning link, with its year as shown ("2019", "by 2021" or "")."""
    seen: dict[str, dict] = {}
    for r in rows:
        if r["l"] in seen:
            continue
        source = _source(r["year"], r["source"])
        when = _when(r["year"], source)
        seen[r["l"]] = dict(r) | {"yearSource": source, "when": when,
                                  "fromName": r["fromName"] or r["from"].rsplit("/", 1)[-1],
                                  "learnerName": r["learnerName"] or r["learner"].rsplit("/", 1)[-1]}
    return list(seen.values())


def _adopters(store: Store, family: list[str], pool: ThreadPoolExecutor, provinces_asked: Future,
              index: AdoptionIndex | None) -> dict[str, Adopter]:
    first: dict[str, dict] = {}            # adopter → its first adoption: year, month, source, mode, IRI
    modes: dict[str, set[str]] = {}
    quotes: dict[str, Evidence] = {}       # the evidence of each first adoption, by its IRI
    if index is None:
        designators = pool.submit(_each, store, "spread-designators", "p", family)
    for r in index.first_adoptions(family) if index is not None else _each(store, "spread-adopters", "p", family):
        stated, earliest = _key(r["stated"]), _key(r["first"])
        chosen = stated if stated else earliest
        indexed = r.get("stated_evidence" if stated else "first_evidence")
        if indexed is not None:            # read with the index
            quotes[chosen["iri"]] = Evidence(*indexed)
        chosen["source"] = (YEAR_SOURCES.get(chosen["source"], "report") if chosen["year"] is not None else None)
        chosen["earliest"] = (earliest["year"], earliest["month"])
        first[r["d"]] = chosen
        modes[r["d"]] = set(r["modes"].split())
    # Divisions, ancestors (agencies among the adopters get no division row and are left out) and evidence:
    # from the index, or asked of the store side by side.
    if index is not None:
        designators = pool.submit(_designations, store, index.designated_pilots(family),
                                  {d: f["iri"] for d, f in first.items()})
        found, above = index.divisions(first)
    else:
        divisions = pool.submit(_each, store, "spread-divisions", "d", sorted(first))
        ancestors = pool.submit(_each, store, "spread-ancestors", "d", sorted(first))
        evidence = pool.submit(_each, store, "spread-evidence", "a", sorted(f["iri"] for f in first.values()))
        found, above = divisions.result(), ancestors.result()
        quotes = {r["a"]: Evidence(r["quote"], r["report"]) for r in evidence.result()}
    provinces = {r["code"]: r["name"] for r in provinces_asked.result()}
    adopters: dict[str, Adopter] = {}
    # a division with two rows (two labels, or coordinates of two types) shows the least
    for r in sorted(found, key=lambda r: tuple(str(v) for v in r.values())):
        if r["d"] not in adopters:
            code = r["code"] or r["parentCode"]
            f = first[r["d"]]
            a = Adopter(r["d"], r["name"], r["code"], r["level"], provinces.get(f"{code[:2]}0000") if code else None,
                        r["lon"], r["lat"], f["year"], modes[r["d"]], year_source=f["source"], first_month=f["month"],
                        mode=f["mode"], earliest_year=f["earliest"][0], earliest_month=f["earliest"][1])
            # the province and prefecture a GB/T 2260 code sits in are above it
            if r["code"]:
                a.ancestors |= {c for c in (r["code"][:2] + "0000", r["code"][:4] + "00") if c != r["code"]}
            adopters[r["d"]] = a
    for r in above:
        if r["d"] in adopters:
            adopters[r["d"]].ancestors |= {r["ancestor"]} | ({str(r["code"])} if r["code"] else set())
    for d in list(adopters):
        if first[d]["iri"] in quotes:
            adopters[d].evidence = [quotes[first[d]["iri"]]]
        else:                                                # every fact carries evidence; one without is not read
            del adopters[d]
    # The designation of the first adoption, else the last one named (in statement order).
    for r in sorted(designators.result(), key=lambda r: (r["a"] == first.get(r["d"], {}).get("iri"), r["a"],
                                                         r["designator"])):
        if r["d"] in adopters:
            a = adopters[r["d"]]
            a.designated_by, a.designation_level = r["designator"], r["level"] or None
            a.designator = r["place"] or r["dd"]
            a.designator_name = r["placeName"] or r["designator"]
            a.designator_position = (r["lon"], r["lat"])
    return adopters


def _named(store: Store, statements: list[dict]) -> list[dict]:
    """The rows of spread-family-statements.rq from the statements the index holds: one per label of each
    statement's origin (asked of the store, each origin once), as that query joins them."""
    names: dict[str, set[str]] = defaultdict(set)
    for r in _each(store, "spread-names", "d", sorted({r["d"] for r in statements})):
        names[r["d"]].add(r["name"])
    return [{"s": r["s"], "d": r["d"], "name": name} | {k: r[k] for k in ("scope", "year", "source", "quote", "report")}
            for r in statements for name in sorted(names[r["d"]])]


def _designations(store: Store, pilots: dict[str, list[tuple[str, str, str | None]]],
                  first: dict[str, str]) -> list[dict]:
    """The rows of spread-designators.rq that decide each adopter's designation — those of its first adoption
    if it has any, else those of its last pilot in IRI order that has some — from the pilots the index names
    (adoption, designator, stated level) and the details of each designator, read once."""
    details: dict[str, list[dict]] = {}
    for r in _each(store, "spread-designator-details", "dd", sorted({dd for p in pilots.values() for _, dd, _ in p})):
        details.setdefault(r["dd"], []).append(r)
    rows: list[dict] = []
    for d, found in pilots.items():
        per: dict[str, list[dict]] = {}
        for a, dd, stated in found:
            for r in details.get(dd, []):
                level = stated or r["placeLevel"]     # STRAFTER(STR(COALESCE(stated, place level)), "#")
                per.setdefault(a, []).append({"a": a, "d": d, "dd": dd, "designator": r["designator"],
                                              "place": r["place"], "placeName": r["placeName"], "lon": r["lon"],
                                              "lat": r["lat"], "level": None if level is None
                                              else level.partition("#")[2]})
        if per:
            rows.extend(per[first[d]] if first.get(d) in per else per[max(per)])
    return rows


def _key(key: str) -> dict:
    """A key of spread-adopters.rq ("YEAR MM SOURCE RANK+MODE IRI") as its fields; {} for "9999" (none)."""
    parts = key.split(" ", 4)
    if len(parts) < 5:
        return {}
    year, month, source, mode, iri = parts
    return {"year": None if year == "9999" else int(year), "month": _month(month), "source": source.strip("-"),
            "mode": mode[1:], "iri": iri}


def _each(store: Store, name: str, var: str, iris: list[str], size: int = 5000, found: bool = False) -> list[dict]:
    """Rows of the internal query `name` for each of `iris` as ?var, asked in blocks of `size`; `found`: the
    statements `iris` were found in the adoption index, so the query's line finding a family's (ending in
    #FAMILY) is left out."""
    sparql = queries.internal(name)
    if found:
        sparql = "\n".join(line for line in sparql.splitlines() if not line.endswith("#FAMILY"))
    out: list[dict] = []
    for i in range(0, len(iris), size):
        out.extend(select_text(store, sparql.replace("#VALUES", values_block(var, iris[i:i + size]), 1)))
    return out


def _edges(adopters: list[Adopter], milestones: list[dict], others: dict[str, dict]) -> list[Edge]:
    """The typed edges between milestones and adopters; designating places that adopted nothing here are
    added to `others`."""
    edges: list[Edge] = []
    # the curated record first: origin → national pilots → national mandates
    for earlier, later in pairwise(milestones):
        edges.append(Edge(earlier["node"], later["node"], "vertical", f"{earlier['kind']} → {later['kind']}",
                          int(later["year"]), Evidence(later["citation"], "curated"), "curated"))
    pilots_national = [m for m in milestones if m["kind"] == "NationalPilot"]
    mandates = [m for m in milestones if m["kind"] == "NationalMandate"]
    by_iri = {a.iri: a for a in adopters}
    for a in adopters:
        ev, year = a.evidence[0], (a.first_year if a.ordered else None)
        source = a.year_source if a.ordered else None
        if a.designated_by:
            # a designation hangs from the level that made it: a national one from the national pilot milestone
            # (the latest not after it), a provincial or prefectural one from that province or prefecture
            node = a.designator or f"scope:{a.designated_by}"
            if (a.designation_level == "National" or node == CENTRAL) and pilots_national:
                node = max((m for m in pilots_national if year is None or int(m["year"]) <= year),
                           key=lambda m: int(m["year"]), default=pilots_national[0])["node"]
            elif node not in by_iri and node not in others:
                others[node] = _present({"label": a.designator_name or a.designated_by, "kind": "designator",
                                         "level": a.designation_level, "longitude": a.designator_position[0],
                                         "latitude": a.designator_position[1]})
            if node == a.iri:
                continue             # designated by its own government (确定…为试点 in its own report): no edge
            level = f", {a.designation_level.lower()}" if a.designation_level else ""
            edges.append(Edge(node, a.iri, "vertical", f"designated pilot by {a.designated_by}{level}", year, ev,
                              source))
            continue
        if not a.ordered:
            continue                 # a year observed in the report does not say the adoption followed a mandate
        mandate = max((m for m in mandates if after(a.dated_year, a.first_month, int(m["year"]), _month(m["month"]))),
                      key=lambda m: (int(m["year"]), _month(m["month"]) or 0), default=None)
        if mandate is not None:
            edges.append(Edge(mandate["node"], a.iri, "vertical",
                              f"after {mandate['kind']} {mandate['month'] or mandate['year']}", year, ev, source))
    # Order of adoption, only among adopters dated by the text.  A division above the adopter that adopted
    # earlier (a pilot, or the parent rolling the practice out) is a vertical edge; the latest earlier peer
    # of the same province (no ancestor relation either way) is the horizontal one.
    dated = [a for a in adopters if a.ordered]
    by_province: dict[str, list[Adopter]] = defaultdict(list)
    for a in dated:
        if a.province:
            by_province[a.province].append(a)
    for members in by_province.values():
        members.sort(key=lambda b: (b.first_year, b.code or b.name))
    # The dated adopters by IRI and by code, so the ones above an adopter are found from its ancestors
    # (`above`) instead of by testing every pair.
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(dated):
        by_key[p.iri].append(i)
        if p.code is not None and p.code != p.iri:
            by_key[p.code].append(i)
    for a in dated:
        found = sorted({i for k in a.ancestors for i in by_key.get(k, ())})      # in the order of `dated`
        above = [p for p in (dated[i] for i in found) if p is not a and p.dated_year <= a.dated_year
                 and ("piloted" in p.modes or p.dated_year < a.dated_year)]
        for p in above:
            label = "pilot → rollout" if "piloted" in p.modes else "adopted above earlier → rollout"
            edges.append(Edge(p.iri, a.iri, "vertical", label, a.first_year, a.evidence[0], a.year_source))
        members = by_province.get(a.province or "", [])
        i = bisect_left(members, a.first_year, key=lambda b: b.first_year)   # the adopters before a's year
        peer = next((members[j] for j in range(i - 1, -1, -1) if not members[j].related(a)), None) \
            if a.province else None
        if peer is not None:     # the latest of them (ties broken by code, as in the order above)
            edges.append(Edge(peer.iri, a.iri, "horizontal", f"{peer.first_year} → {a.first_year} same province",
                              a.first_year, a.evidence[0], a.year_source))
    return edges

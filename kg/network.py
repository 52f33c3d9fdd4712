"""Inferring who follows whom from many cascades: NetInf (Gomez-Rodriguez, Leskovec & Krause 2010).

A cascade is one practice's adoptions: each adopting division with the time it adopted.  Which division
learned from which is never observed; NetInf finds the network that best explains all cascades together.
Each cascade is explained by a tree: every adopter has one parent, an earlier adopter (infected at rate
``alpha``: the log-likelihood of a gap of dt years is log(alpha) − alpha·dt) or, failing any, the outside
(log ``epsilon``).  Greedily, the edge that most raises the likelihood summed over all cascades (each
adopter re-choosing its best parent) is added, until ``max_edges`` are chosen or no edge helps.  The gain is
submodular, so gains are re-evaluated lazily (CELF).  This is the algorithm of R's NetworkInference
(``netinf``) with its exponential model; its score per edge is the same marginal gain.

Only years that order adoptions enter a cascade (a year stated in the text, see ``govkg.kg.years``);
adoptions in the same year are not ordered against each other.  ``observed=True`` also admits years only
observed from the report — weaker evidence, to be labelled as such.
"""
from __future__ import annotations

import csv
import heapq
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import networkx as nx

from govkg.kg.spread import Evidence
from govkg.kg.store import atomic_write
from govkg.kg.stores import Store, select
from govkg.kg.years import ORDERED, year_source

NETWORK_COLUMNS = ("source", "target", "score", "cascades", "source_name", "target_name")

# gov:yearSource, where the graph records it, says how each year was read
SOURCES = {"StatedYear": "stated", "ContextYear": "context", "ReportYear": "report"}

@dataclass
class Cascade:
    name: str
    times: dict[str, float]          # node → time of adoption


@dataclass
class InferredEdge:
    source: str
    target: str
    score: float                     # the log-likelihood gain when the edge was chosen
    cascades: int                    # cascades in which it ends as the target's best parent


def infer(cascades: list[Cascade], max_edges: int | None = None, alpha: float = 1.0,
          epsilon: float = 1e-9) -> list[InferredEdge]:
    """NetInf over `cascades`: the chosen edges in the order chosen (best first)."""
    outside = math.log(epsilon)
    best: list[dict[str, float]] = [{v: outside for v in c.times} for c in cascades]
    # candidate edge → [(cascade index, log-likelihood of the edge in that cascade)]
    where: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for i, c in enumerate(cascades):
        order = sorted(c.times.items(), key=lambda kv: (kv[1], kv[0]))
        for j, (v, tv) in enumerate(order):
            for u, tu in order[:j]:
                if tu < tv:
                    where[(u, v)].append((i, math.log(alpha) - alpha * (tv - tu)))

    def gain(edge: tuple[str, str]) -> float:
        v = edge[1]
        return sum(max(0.0, w - best[i][v]) for i, w in where[edge])

    heap = [(-gain(e), e) for e in sorted(where)]
    heapq.heapify(heap)
    chosen: list[InferredEdge] = []
    fresh: set[tuple[str, str]] = set(where)     # gains computed against the current network
    while heap and (max_edges is None or len(chosen) < max_edges):
        neg, e = heapq.heappop(heap)
        if e not in fresh:                       # stale: recompute and push back (CELF)
            g = gain(e)
            if g > 0:
                heapq.heappush(heap, (-g, e))
                fresh.add(e)
            continue
        if -neg <= 0:
            break
        chosen.append(InferredEdge(e[0], e[1], round(-neg, 6), 0))
        for i, w in where[e]:
            if w > best[i][e[1]]:
                best[i][e[1]] = w
        fresh = set()
    # how many cascades each chosen edge explains: those where it ends as the target's best parent
    by_edge = {(c.source, c.target): c for c in chosen}
    for c in cascades:
        for v, tv in c.times.items():
            parents = [(math.log(alpha) - alpha * (tv - tu), u) for u, tu in c.times.items()
                       if tu < tv and (u, v) in by_edge]
            if parents:
                w, u = max(parents)
                if w > outside:
                    by_edge[(u, v)].cascades += 1
    return chosen


def read_cascades(store: Store, min_adopters: int = 2, observed: bool = False,
                  candidates: bool = True) -> tuple[list[Cascade], dict[str, str]]:
    """One cascade per practice (and per candidate practice) with at least `min_adopters` ordered adopters,
    and the names of their nodes: divisions by GB/T 2260 code (by name where a division has none)."""
    first: dict[tuple[str, str], SimpleNamespace] = {}
    rows = [("practice", r) for r in select(store, "network-adoptions")]
    if candidates:
        rows += [("candidate", dict(r) | {"slug": "candidate:" + r["term"]})
                 for r in select(store, "network-candidates")]
    for _, r in rows:
        key = (r["slug"], r["code"] or r["name"])
        year = int(str(r["year"])[:4])
        seen = first.get(key)
        source = SOURCES.get(r.get("source") or "")
        if seen is None or year < seen.first_year:
            first[key] = SimpleNamespace(first_year=year, evidence=[Evidence(r["quote"], "")], name=r["name"],
                                         sources=[source])
        elif year == seen.first_year:
            seen.evidence.append(Evidence(r["quote"], ""))
            seen.sources.append(source)
    by_practice: dict[str, dict[str, float]] = defaultdict(dict)
    names: dict[str, str] = {}
    for (slug, node), a in sorted(first.items()):
        # a year stated in any sentence about that first adoption orders it
        stated = any(year_source(SimpleNamespace(first_year=a.first_year, evidence=[e], year_source=s)) in ORDERED
                     for e, s in zip(a.evidence, a.sources, strict=True))
        if stated or observed:
            by_practice[slug][node] = float(a.first_year)
            names[node] = a.name
    out = [Cascade(slug, times) for slug, times in sorted(by_practice.items()) if len(times) >= min_adopters]
    return out, {n: names[n] for c in out for n in c.times}


def trace_cascade(trace, observed: bool = False) -> Cascade:
    """The cascade of one spread trace (its ordered adopters, or all dated ones with `observed`)."""
    return Cascade(trace.practice, {a.code or a.name: float(a.first_year) for a in trace.adopters
                                    if a.first_year is not None and (observed or year_source(a) in ORDERED)})


def write_network(edges: list[InferredEdge], path: str | Path, fmt: str = "csv",
                  names: dict[str, str] | None = None) -> Path:
    names = names or {}
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(NETWORK_COLUMNS)
        for e in edges:
            w.writerow([e.source, e.target, e.score, e.cascades, names.get(e.source, ""), names.get(e.target, "")])
        data = buf.getvalue().encode("utf-8")
    else:
        g: nx.DiGraph[str] = nx.DiGraph(model="NetInf, exponential")
        for e in edges:
            for n in (e.source, e.target):
                g.add_node(n, label=names.get(n, n))
            g.add_edge(e.source, e.target, score=e.score, cascades=e.cascades)
        out = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, out)
        data = out.getvalue()
    atomic_write(path, lambda f: f.write(data), len(edges))
    return Path(path)

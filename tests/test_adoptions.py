"""The adoption index kept beside a store folder (kg/adoptions.py): what views and traces read from it equals
what they read from the store, and it follows every change to the store or is not read at all."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_spread_when import REPORTS

from govkg import KnowledgeGraph, queries
from govkg.builders import lexicon
from govkg.kg import spread, views
from govkg.kg.adoptions import ADOPTIONS_FILE, AdoptionIndex
from govkg.kg.api import bundled_corpus
from govkg.kg.store import GraphStore, Rows

FAMILIES = ("three-enforcement-systems", "fengqiao-experience", "fang-guan-fu")
def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", Path(__file__).parents[1] / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def in_store(folder: Path) -> set[tuple]:
    return GraphStore.open(folder).adoption_statements()


def in_index(folder: Path) -> set[tuple]:
    return AdoptionIndex(folder / ADOPTIONS_FILE, read_only=True).statements()


def derived(folder: Path) -> set[tuple]:
    """What the index derives per adopter and practice, with IRIs and quotes for its numbers."""
    db = sqlite3.connect(f"{(folder / ADOPTIONS_FILE).as_uri()}?mode=ro", uri=True)
    return set(db.execute("""SELECT d.iri, p.iri, n, first, stated, sq.text, earliest, eq.text, modes FROM pair
                             JOIN term d ON d.id = pair.adopter JOIN term p ON p.id = pair.practice
                             LEFT JOIN first_adoption f ON f.adopter = pair.adopter AND f.practice = pair.practice
                             LEFT JOIN quote sq ON sq.id = stated_quote LEFT JOIN quote eq ON eq.id = earliest_quote"""))


def trusted(folder: Path) -> bool:
    return GraphStore.open(folder).adoption_index() is not None


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The bundled corpus and 30 synthetic reports (many provinces, years and modes) in a store folder, and
    the same graph as a Turtle file (read with SPARQL: a file has no index)."""
    work = tmp_path_factory.mktemp("indexed")
    corpus = work / "corpus"
    corpus.mkdir()
    for p in bundled_corpus():
        shutil.copy(p, corpus / p.name)
    _generator().generate(30, corpus, seed=11)
    for name, text in REPORTS.items():        # learning links, designations, months
        (corpus / name).write_text(text, encoding="utf-8")
    kg = KnowledgeGraph.build([corpus], store=work / "g.store")
    kg.export(work / "g.ttl")
    kg.store.store.flush()
    del kg
    return work / "g.store", work / "g.ttl"


def test_views_and_traces_read_from_the_index_what_the_store_holds(built, monkeypatch):
    folder, ttl = built
    indexed, read = GraphStore.open(folder), GraphStore.open(ttl)
    assert indexed.adoption_index() is not None and read.adoption_index() is None
    monkeypatch.setattr(views, "DETAIL_STATEMENTS", 40)      # the aggregated views, as on a large corpus
    monkeypatch.setattr(views, "DETAIL_DIVISIONS", 5)
    asked: list[str] = []
    real = indexed.query

    def recording(sparql, bindings=None):
        asked.append(sparql)
        return real(sparql, bindings)
    monkeypatch.setattr(indexed, "query", recording)
    selections = [{}, {"years": (2017, 2020)}] + [{"practice": f} for f in FAMILIES] + \
                 [{"practice": "fang-guan-fu", "years": (2018, 2022)}, {"division": "640500"}]
    for kw in selections:
        assert views.collect(indexed, **kw).__dict__ == views.collect(read, **kw).__dict__, kw
    traces = []
    for family in FAMILIES:
        a, b = spread.trace(indexed, family), spread.trace(read, family)
        assert a.rows() == b.rows() and a.text() == b.text() and len(a.adopters) > 1
        assert [e.__dict__ for e in a.edges] == [e.__dict__ for e in b.edges]
        assert a.spreads == b.spreads and a.learning == b.learning
        assert [x.__dict__ for x in a.adopters] == [x.__dict__ for x in b.adopters]
        traces.append(a)
    # each part of a trace read from the index has something to read here
    assert any(t.learning for t in traces) and any(t.spreads for t in traces)
    assert any(a.designated_by for t in traces for a in t.adopters)
    # what was read from the index was not asked of the store
    for text in ("view-links", "view-province-years", "view-spread-links", "view-count", "spread-adopters",
                 "spread-evidence", "spread-divisions", "spread-ancestors", "spread-family-statements"):
        header = queries.internal(text).splitlines()[0]
        assert not any(header in sparql for sparql in asked), text
    # the statements of a family are found in the index; the store is asked only for their details
    assert not any("#FAMILY" in sparql for sparql in asked)


def test_the_index_holds_every_adoption_statement_of_the_store(built):
    folder, _ = built
    rows = in_index(folder)
    assert rows == in_store(folder) and len(rows) > 500
    assert all(quote and report for *_, quote, report in rows)          # every adoption with its evidence


def test_the_index_follows_additions_changes_removals_and_a_new_vocabulary(corpus, tmp_path):
    store = tmp_path / "g.store"
    KnowledgeGraph.build([corpus], store=store)
    assert trusted(store) and in_index(store) == in_store(store)
    # a changed report, a new one
    target = corpus / "002_ec20e51193bd3e3a.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("2019年", "2016年"), encoding="utf-8")
    _generator().generate(2, corpus, seed=5)
    kg = KnowledgeGraph.build([corpus], store=store)
    assert kg.report.changed == [target.name] and len(kg.report.added) == 2
    del kg
    assert trusted(store) and in_index(store) == in_store(store)
    # a removal
    KnowledgeGraph.remove(store, [target.name])
    assert trusted(store) and in_index(store) == in_store(store)
    # what was derived again only for the adopters that changed is what a build from nothing derives
    held = tmp_path / "held"
    shutil.copytree(corpus, held, ignore=lambda _, names: [n for n in names if n == target.name])
    KnowledgeGraph.build([held], store=tmp_path / "fresh.store")
    assert derived(store) == derived(tmp_path / "fresh.store") and len(derived(store)) > 50
    # the same reports read with a vocabulary that makes a candidate a practice: every graph changes under
    # its own name
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps([{
        "id": "enforcement-system-reform", "zh": "行政执法体制改革", "en": "Reform of the enforcement system",
        "definition": "行政执法体制的改革。", "chapter": "administrative-enforcement", "broader": None,
        "parts": [], "aliases": []}], ensure_ascii=False), encoding="utf-8")
    before = in_index(store)
    try:
        KnowledgeGraph.build([corpus], store=store, vocabulary=[extra])
    finally:
        lexicon.use_vocabulary([])
    after = in_index(store)
    assert after != before and any(p and p.endswith("/enforcement-system-reform") for _, _, p, *_ in after)
    assert trusted(store) and after == in_store(store)


def test_an_index_behind_its_store_is_not_read_and_the_next_build_squares_it(corpus, tmp_path):
    store = tmp_path / "g.store"
    KnowledgeGraph.build([corpus], store=store)
    # a writer stopped between its first change and its end (a killed build)
    gs = GraphStore(store)
    assert gs.adoptions is not None
    gs.adoptions.begin()
    gone = gs.report_graphs()[0]
    gs.store.remove_graph(ox.NamedNode(gone))
    gs.store.flush()
    del gs
    assert not trusted(store)
    kg = KnowledgeGraph.build([corpus], store=store)
    assert kg.report.built == 1                        # the report whose graph went is built again
    del kg
    assert trusted(store) and in_index(store) == in_store(store)
    # an index lost or from another layout is built again from the store
    (store / ADOPTIONS_FILE).unlink()
    kg = KnowledgeGraph.build([corpus], store=store)
    assert kg.report.built == 0
    del kg
    assert trusted(store) and in_index(store) == in_store(store)
    # an index from before the counts per adopter and practice gets them at the next build, changed or not
    db = sqlite3.connect(store / ADOPTIONS_FILE)
    db.execute("DELETE FROM pair")
    db.execute("DELETE FROM meta WHERE key = 'pairs'")
    db.commit()
    db.close()
    assert AdoptionIndex(store / ADOPTIONS_FILE, read_only=True)._meta("pairs") is None
    KnowledgeGraph.build([corpus], store=store)
    index = AdoptionIndex(store / ADOPTIONS_FILE, read_only=True)
    assert index._meta("pairs") == index.state() is not None
    assert index.db.execute("SELECT SUM(n) FROM pair").fetchone()[0] == \
        index.db.execute("SELECT COUNT(*) FROM adoption WHERE practice NOTNULL").fetchone()[0] > 0


def test_a_trace_reads_each_designator_once_and_keeps_the_designation_of_every_pilot():
    """With the index, a trace reads the pilots of a family (adoption, designator, stated level) from the index
    and each designator's details once from the store; the designation it keeps for an adopter is the one the
    rows of all its pilots give (the last in the order of (first adoption?, adoption, designator)): its first
    adoption's if that has a named designator, else its last pilot's that has one."""
    x = "http://example.org/"
    names = {x + "p": ["Y", "Z"], x + "q": ["X"], x + "r": ["P"], x + "s": ["Q"], x + "t": []}   # t: no name
    pilots = {x + "d1": [(x + "a1", x + "t", None), (x + "a2", x + "q", None), (x + "a3", x + "p", x + "o#County")],
              x + "d2": [(x + "b1", x + "r", None), (x + "b2", x + "t", None)],
              x + "d3": [(x + "c1", x + "s", None), (x + "c2", x + "r", None)]}
    first = {x + "d1": x + "a1", x + "d2": x + "b9", x + "d3": x + "c1"}
    asked: list[list[str]] = []

    class Designators:
        def query(self, sparql, bindings=None):
            asked.append(re.findall(r"<([^>]+)>", sparql.split("VALUES ?dd", 1)[1].split("}", 1)[0]))
            rows = [{"dd": dd, "designator": name, "place": dd, "placeName": name, "lon": None, "lat": None,
                     "placeLevel": x + "o#Province"} for dd in asked[-1] for name in names[dd]]
            return Rows(list(rows[0]) if rows else ["dd"], rows)

    rows = spread._designations(Designators(), pilots, first)
    assert len(asked) == 1 and sorted(asked[0]) == sorted(names)          # each designator once
    every = [{"a": a, "d": d, "designator": name} for d, ps in pilots.items() for a, dd, _ in ps for name in names[dd]]

    def decided(rows):
        out = {}
        for r in sorted(rows, key=lambda r: (r["a"] == first[r["d"]], r["a"], r["designator"])):
            out[r["d"]] = r["designator"]
        return out
    assert decided(rows) == decided(every) == {x + "d1": "Z", x + "d2": "P", x + "d3": "Q"}
    assert {r["level"] for r in rows if r["a"] == x + "a3"} == {"County"}      # the stated level first
    assert {r["level"] for r in rows if r["a"] == x + "b1"} == {"Province"}    # else the place's

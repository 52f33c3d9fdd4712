"""Incremental builds into a persistent store, parallel engines, and a real SPARQL server."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from govkg import KnowledgeGraph
from govkg.builders.text import sha256
from govkg.cli import main
from govkg.kg.api import QueryParameterError

from oxigraph_server import oxigraph_serve


def graphs(kg):
    return set(kg.store.report_graphs())


def test_rebuild_is_incremental(corpus, tmp_path):
    store = tmp_path / "g.store"
    first = KnowledgeGraph.build([corpus], store=store)
    assert (first.report.built, first.report.unchanged) == (5, 0)
    before = graphs(first)
    first.store.store.flush()
    del first
    again = KnowledgeGraph.build([corpus], store=store)
    assert (again.report.built, again.report.unchanged, again.report.removed) == (0, 5, 0)
    assert graphs(again) == before


def test_changed_report_replaces_exactly_its_graph_and_removed_report_goes(corpus, tmp_path):
    store = tmp_path / "g.store"
    kg = KnowledgeGraph.build([corpus], store=store)
    old = {g: set(map(str, kg.store.store.quads_for_pattern(None, None, None, __import__("pyoxigraph").NamedNode(g))))
           for g in graphs(kg)}
    del kg
    target = corpus / "002_ec20e51193bd3e3a.txt"
    old_sha = sha256(target.read_text(encoding="utf-8"))
    changed = target.read_text(encoding="utf-8").replace("赤峰市被评为全国“七五”普法中期先进城市",
                                                         "赤峰市被评为全国先进城市")
    target.write_text(changed, encoding="utf-8")
    (corpus / "004_cf16352dc10b8b11.txt").unlink()
    kg = KnowledgeGraph.build([corpus], store=store)
    # the changed report replaces its old version; the deleted one is kept until asked (--prune)
    assert (kg.report.built, kg.report.unchanged, kg.report.removed, kg.report.kept) == (1, 3, 1, 1)
    assert kg.report.changed == ["002_ec20e51193bd3e3a.txt"] and kg.report.removed_names == ["002_ec20e51193bd3e3a.txt"]
    assert len(graphs(kg)) == 5
    del kg
    kg = KnowledgeGraph.build([corpus], store=store, prune=True)
    assert (kg.report.built, kg.report.removed, kg.report.removed_names) == (0, 1, ["004_cf16352dc10b8b11.txt"])
    now = graphs(kg)
    assert not any(g.endswith(old_sha[:16]) for g in now)
    assert any(g.endswith(sha256(changed)[:16]) for g in now)
    for g, quads in old.items():
        if g in now:   # untouched reports keep exactly their triples
            assert set(map(str, kg.store.store.quads_for_pattern(None, None, None,
                                                                 __import__("pyoxigraph").NamedNode(g)))) == quads
    names = {r["n"] for r in kg.store.query("SELECT ?n WHERE { ?r gov:sourceName ?n }").rows}
    assert "004_cf16352dc10b8b11.txt" not in names and len(names) == 4


@pytest.mark.dask
def test_workers_and_dask_give_the_same_graph(corpus, tmp_path):
    outs = []
    for i, kwargs in enumerate([{}, {"workers": 2}, {"engine": "dask", "workers": 2}]):
        out = tmp_path / f"g{i}.ttl"
        KnowledgeGraph.build([corpus], **kwargs).export(out)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_cli_build_writes_a_store_and_reuses_it(corpus, tmp_path):
    out = tmp_path / "g.ttl"
    r1 = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "--workers", "2"])
    assert r1.exit_code == 0, r1.output
    assert (tmp_path / "g.store").is_dir() and "built 5" in r1.output
    r2 = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert "built 0, unchanged 5" in r2.output
    q = CliRunner().invoke(main, ["query", "reports", "--graph", str(tmp_path / "g.store"), "--format", "csv"])
    assert q.exit_code == 0 and q.output.count("\n") == 6


@pytest.fixture()
def oxigraph_server(tmp_path):
    with oxigraph_serve(tmp_path / "server") as url:
        yield url


@pytest.mark.server
def test_load_and_query_a_real_oxigraph_server(oxigraph_server, tmp_path):
    store = tmp_path / "g.store"
    KnowledgeGraph.build(store=store)
    endpoint = oxigraph_server + "/query"
    loaded = CliRunner().invoke(main, ["load", "--graph", str(store), "--endpoint", endpoint])
    assert loaded.exit_code == 0 and "loaded 7 graphs" in loaded.output, loaded.output
    remote = KnowledgeGraph.open(endpoint)
    rows = remote.query("adopters", practice="three-enforcement-systems")
    assert (rows[0]["division"], rows[0]["year"]) == ("中卫市", 2017)
    with pytest.raises(QueryParameterError):
        remote.query("adopters", practice='"} ; DROP ALL ; SELECT * {')
    assert remote.spread("fengqiao-experience").adopters[0].name == "兰州市"
    result = CliRunner().invoke(main, ["spread", "three-enforcement-systems", "--endpoint", endpoint])
    assert result.exit_code == 0 and "中卫市" in result.output
    page = tmp_path / "v.html"
    assert CliRunner().invoke(main, ["view", "--endpoint", endpoint, "--out", str(page)]).exit_code == 0
    assert "中卫市" in page.read_text(encoding="utf-8")
    # loading again replaces graphs instead of duplicating them
    CliRunner().invoke(main, ["load", "--graph", str(store), "--endpoint", endpoint])
    local = KnowledgeGraph.open(store).store
    assert len(remote.store) == len(local) - len(local.complete_graphs())   # the manifest stays local


def test_large_builds_bulk_load_and_an_interrupted_build_is_redone(corpus, tmp_path, monkeypatch):
    from govkg.kg import api
    monkeypatch.setattr(api, "BULK_THRESHOLD", 2)      # take the bulk path with the five reports
    monkeypatch.setattr(api, "BULK_CHUNK", 1500)       # … in several chunks, loading while the next is staged
    store = tmp_path / "g.store"
    kg = KnowledgeGraph.build([corpus], store=store)
    assert kg.report.built == 5 and len(kg.store.complete_graphs()) == 5
    reference = tmp_path / "ref.ttl"
    KnowledgeGraph.build([corpus]).export(reference)
    bulk = tmp_path / "bulk.ttl"
    kg.export(bulk)
    assert bulk.read_bytes() == reference.read_bytes()
    # an interrupted build: a graph without its manifest entry is removed and rebuilt
    victim = sorted(kg.store.complete_graphs())[0]
    import pyoxigraph as ox

    from govkg.kg.store import MANIFEST_GRAPH
    kg.store.store.remove(ox.Quad(ox.NamedNode(victim), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                  ox.NamedNode("http://www.w3.org/ns/sparql-service-description#NamedGraph"),
                                  ox.NamedNode(MANIFEST_GRAPH)))
    del kg
    again = KnowledgeGraph.build([corpus], store=store)
    assert (again.report.incomplete, again.report.built, again.report.unchanged) == (1, 1, 4)


def test_a_failed_bulk_build_keeps_only_whole_graphs(corpus, tmp_path, monkeypatch):
    from govkg.kg import api, engines
    monkeypatch.setattr(api, "BULK_THRESHOLD", 2)
    monkeypatch.setattr(api, "BULK_CHUNK", 1500)
    real = engines.run_builders

    def failing(items, **kw):                     # the fourth report's build fails
        for i, payload in enumerate(real(items, **kw)):
            if i == 3:
                raise RuntimeError("worker lost")
            yield payload
    monkeypatch.setattr(api, "run_builders", failing)
    store = tmp_path / "g.store"
    with pytest.raises(RuntimeError, match="worker lost"):
        KnowledgeGraph.build([corpus], store=store)
    monkeypatch.setattr(api, "run_builders", real)
    again = KnowledgeGraph.build([corpus], store=store)
    assert again.report.built + again.report.unchanged == 5 and again.report.built >= 2
    assert len(again.store.complete_graphs()) == 5
    reference = tmp_path / "ref.ttl"
    KnowledgeGraph.build([corpus]).export(reference)
    out = tmp_path / "again.ttl"
    again.export(out)
    assert out.read_bytes() == reference.read_bytes()


@pytest.mark.server
def test_every_named_query_answers_the_same_over_an_endpoint(oxigraph_server, tmp_path):
    import re as _re

    from govkg import queries
    store = tmp_path / "g.store"
    KnowledgeGraph.build(store=store).store.flush()
    endpoint = oxigraph_server + "/query"
    loaded = CliRunner().invoke(main, ["load", "--graph", str(store), "--endpoint", endpoint])
    assert loaded.exit_code == 0, loaded.output
    local, remote = KnowledgeGraph.open(store), KnowledgeGraph.open(endpoint)
    checked = 0
    for name in queries.names():
        example = next(line for line in queries.load(name).text.splitlines() if line.startswith("# Example:"))
        params = dict(p.split("=", 1) for p in _re.findall(r"--param (\S+)", example))
        for bound in ({}, params) if params else ({},):
            mine, theirs = local.query(name, **bound), remote.query(name, **bound)
            assert mine.variables == theirs.variables, name
            assert sorted(map(repr, mine.rows)) == sorted(map(repr, theirs.rows)), (name, bound)
            checked += 1
    assert checked >= 12
    k10 = local.query("shared-practices", k=10)
    assert len(k10) == len(remote.query("shared-practices", k=10)) < len(local.query("shared-practices"))


def test_load_sends_vocabulary_and_entities_first_and_says_how_many_landed(tmp_path):
    import http.server
    import threading
    store = tmp_path / "g.store"
    KnowledgeGraph.build(store=store).store.flush()
    received = []

    class Flaky(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_PUT(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            received.append(urllib.parse.unquote(self.path.split("graph=", 1)[1]))
            self.send_response(204 if len(received) <= 3 else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()
    import urllib.parse
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query"
        r = CliRunner().invoke(main, ["load", "--graph", str(store), "--endpoint", url])
    finally:
        server.shutdown()
        server.server_close()
    assert received[:2] == ["https://w3id.org/govkg/id/graph/ontology", "https://w3id.org/govkg/id/graph/entities"]
    assert r.exit_code == 1 and "3 of 7 graphs loaded" in r.output and "Traceback" not in r.output


def test_a_bad_endpoint_reply_is_one_line(tmp_path):
    import http.server
    import threading

    class Garbage(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b"<html>not results</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        for args in (["query", "reports"], ["view", "--out", str(tmp_path / "v.html")],
                     ["spread", "three-enforcement-systems"]):
            r = CliRunner().invoke(main, args + ["--endpoint", url])
            assert r.exit_code == 1 and "not SPARQL results" in r.output and "Traceback" not in r.output, r.output
    finally:
        server.shutdown()
        server.server_close()

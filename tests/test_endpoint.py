"""`KnowledgeGraph.open(endpoint)` against a real Oxigraph server (`oxigraph serve`, in the test extras) that
holds the bundled corpus pushed as `govkg load` does: the same answers as the local store, parameters bound the
same way, and exports with the same bytes."""
from __future__ import annotations

import re

import pytest

from govkg import KnowledgeGraph, queries
from govkg.kg.remote import RemoteStore
from govkg.kg.store import GraphStore
from govkg.kg.stores import Store

from oxigraph_server import oxigraph_serve

# The manifest of built graphs stays with the local store (`govkg load` sends report and vocabulary graphs).
MANIFEST_TRIPLE = "<http://www.w3.org/ns/sparql-service-description#NamedGraph>"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = tmp_path_factory.mktemp("local") / "g.store"
    return KnowledgeGraph.build(store=store), store


@pytest.fixture(scope="module")
def endpoint(built, tmp_path_factory):
    """An `oxigraph serve` on a free loopback port, loaded as `govkg load` does; stopped at the end."""
    with oxigraph_serve(tmp_path_factory.mktemp("server")) as url:
        assert built[0].load(url + "/query") == 7       # what `govkg load` calls: 5 reports, vocabulary, shared
        yield url + "/query"


@pytest.fixture(scope="module")
def remote(endpoint) -> KnowledgeGraph:
    return KnowledgeGraph.open(endpoint)


def test_both_stores_are_stores(built, remote):
    assert isinstance(built[0].store, Store) and isinstance(built[0].store, GraphStore)
    assert isinstance(remote.store, Store) and isinstance(remote.store, RemoteStore)


def test_query_with_parameters_over_the_endpoint(remote):
    rows = remote.query("adopters", practice="three-enforcement-systems")
    assert (rows[0]["division"], rows[0]["code"], rows[0]["mode"], rows[0]["year"]) == ("中卫市", "640500", "piloted", 2017)
    assert "practice" not in rows.variables          # the bound parameter is not repeated
    assert remote.query("division-practices", division="中卫市").rows
    # a value is a term, never query text
    assert remote.query("adopters", practice='"} ; DROP ALL ; SELECT * {').rows == []
    assert remote.query("ASK { ?r a gov:Report ; gov:sourceName ?n }", n="no such report.txt") is False


def canonical(sparql: str, rows: list[dict]) -> list[str]:
    """Rows as a sorted list, with GROUP_CONCAT values as sorted parts: SPARQL leaves both the order of
    ties under ORDER BY and the order inside a GROUP_CONCAT to the engine (an in-memory and an on-disk
    store differ there too)."""
    concat = dict((v, sep) for sep, v in re.findall(r'GROUP_CONCAT\(.*?separator\s*=\s*"([^"]*)"\)\s+AS\s+\?(\w+)',
                                                   sparql, re.S | re.I))
    return sorted(repr({k: sorted(v.split(concat[k])) if k in concat and isinstance(v, str) else v
                        for k, v in r.items()}) for r in rows)


@pytest.mark.parametrize("name", queries.names())
def test_every_named_query_answers_the_same_over_the_endpoint(name, built, remote):
    """With the parameters of its example, each named query returns the same rows from the endpoint as from
    the local store.  shared-practices binds ?k for HAVING: a VALUES block joined after the query (as a
    trailing VALUES clause is) would not filter by it."""
    text = queries.load(name).text
    example = next((line for line in text.splitlines() if line.startswith("# Example:")), "")
    params = {k: v.strip() for k, v in (p.split("=", 1) for p in example.split("--param ")[1:])}
    local = built[0].query(name, **params)
    there = remote.query(name, **params)
    assert there.variables == local.variables
    assert canonical(text, there.rows) == canonical(text, local.rows) and len(local.rows) > 0


def test_shared_practices_binds_k_before_grouping(built, remote):
    few = remote.query("shared-practices", k=2).rows
    assert few and all(r["shared"] >= 2 for r in few)
    assert len(few) < len(remote.query("shared-practices", k=1).rows)
    assert few == built[0].query("shared-practices", k=2).rows


def test_export_over_the_endpoint_is_the_local_export(built, remote, tmp_path):
    n_remote = remote.export(tmp_path / "remote.nt")
    built[0].export(tmp_path / "local.nt")
    local = [line for line in (tmp_path / "local.nt").read_text(encoding="utf-8").splitlines(keepends=True)
             if MANIFEST_TRIPLE not in line]
    assert (tmp_path / "remote.nt").read_text(encoding="utf-8") == "".join(local)
    assert n_remote == len(local) == len(remote.store) > 1000
    # Turtle goes through the same writer as a local export
    remote.export(tmp_path / "remote.ttl")
    assert GraphStore.open(tmp_path / "remote.ttl").triples() == GraphStore.open(tmp_path / "remote.nt").triples()
    assert "division:640500" in (tmp_path / "remote.ttl").read_text(encoding="utf-8")


def test_dataset_export_over_the_endpoint_keeps_the_report_graphs(built, remote, tmp_path):
    remote.export(tmp_path / "remote.nq")
    back = GraphStore.open(tmp_path / "remote.nq")
    assert back.report_graphs() == built[0].store.report_graphs() and len(back.report_graphs()) == 5


def test_spread_view_and_scores_read_the_endpoint_like_the_local_store(built, remote, gold, tmp_path):
    practice = "three-enforcement-systems"
    assert remote.spread(practice).text() == built[0].spread(practice).text()
    assert remote.view(tmp_path / "r.html").read_bytes() == built[0].view(tmp_path / "l.html").read_bytes()
    scores = {k: (s.tp, s.pred, s.gold) for k, s in remote.evaluate(gold).items()}
    assert scores == {k: (s.tp, s.pred, s.gold) for k, s in built[0].evaluate(gold).items()}
    assert scores["adoptions"][0] > 200
    assert remote.summary["entities"] == built[0].summary["entities"]


def test_local_only_operations_say_so(remote, tmp_path):
    with pytest.raises(ValueError, match="local graph"):
        remote.serve()
    with pytest.raises(ValueError, match="local graph"):
        remote.load("http://127.0.0.1:9/query")


@pytest.mark.parametrize("payload", ['"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o', "} ; DROP ALL", "<http://evil/>",
                                     '\\" ) } UNION { ?s ?p ?o } #', "中卫市\"@zh } ", "1 ; CLEAR DEFAULT"])
def test_hostile_parameters_stay_values_over_the_endpoint(remote, payload):
    size = len(remote.store)
    assert remote.query("adopters", practice=payload).rows == []
    assert remote.query("division-practices", division=payload).rows == []
    assert len(remote.store) == size

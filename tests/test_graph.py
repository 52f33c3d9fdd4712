"""The built graph as RDF: declared terms, SHACL conformance, determinism."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from govkg import KnowledgeGraph, ontology
from govkg.namespace import GOV_IRI


def ontology_graph() -> Graph:
    g = Graph()
    for name in ontology.ONTOLOGY_FILES:
        g.parse(ontology.path(name), format="turtle")
    return g


def test_every_gov_term_used_is_declared(ttl):
    data = Graph().parse(ttl, format="turtle")
    onto = ontology_graph()
    declared = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(GOV_IRI)}
    used = set()
    for _s, p, o in data:
        used.add(p)
        if p == RDF.type:
            used.add(o)
    used |= {o for o in data.objects() if isinstance(o, URIRef)}
    used = {t for t in used if str(t).startswith(GOV_IRI)}
    assert used, "the graph uses no gov: terms"
    assert not used - declared


def test_graph_conforms_to_shapes(kg):
    conforms, report = kg.validate()
    assert conforms, report


def test_two_builds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    KnowledgeGraph.build().export(a)
    KnowledgeGraph.build().export(b)
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_bytes()) > 100_000


def test_exports_reparse_to_the_same_graph(kg, ttl, tmp_path):
    from rdflib.compare import isomorphic
    nt = tmp_path / "g.nt"
    kg.export(nt)
    assert isomorphic(Graph().parse(ttl, format="turtle"), Graph().parse(nt, format="nt"))


def test_turtle_reopens_as_a_graph(ttl):
    reopened = KnowledgeGraph.open(ttl)
    rows = reopened.query("adopters", practice="three-enforcement-systems")
    assert rows[0]["division"] == "中卫市" and rows[0]["year"] == 2017

"""The ontology files: every gov: term documented and anchored in a standard vocabulary."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from govkg import ontology
from govkg.namespace import GOV, GOV_IRI
from govkg.ontology.generate import render

STANDARD = ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
            "https://schema.org/", "http://www.w3.org/2006/time#", "http://www.w3.org/ns/sosa/",
            "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/", "http://purl.org/linked-data/cube#")


@pytest.fixture(scope="module")
def core() -> Graph:
    return Graph().parse(ontology.path("core.ttl"), format="turtle")


def gov_terms(g: Graph, kind) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, kind) if str(s).startswith(GOV_IRI)}


def test_namespace_module_and_ontology_declare_the_same_terms(core):
    declared = {str(s)[len(GOV_IRI):] for s in core.subjects(RDF.type, None) if str(s).startswith(GOV_IRI)}
    in_python = set(GOV.__annotations__) | set(GOV._extras)
    assert declared == in_python


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_terms_have_labels_comments_and_a_standard_parent(core, kind):
    parent = RDFS.subClassOf if kind == OWL.Class else RDFS.subPropertyOf
    for term in gov_terms(core, kind):
        langs = {lab.language for lab in core.objects(term, RDFS.label) if isinstance(lab, Literal)}
        assert {"zh", "en"} <= langs, term
        assert core.value(term, RDFS.comment), term
        parents = set(core.objects(term, parent))
        assert parents, f"{term} has no {parent}"
        # the term itself, or its parent in the ontology, reaches a standard vocabulary
        reach = parents | {q for p in parents for q in core.objects(p, parent)}
        assert any(str(p).startswith(STANDARD) for p in reach), term


def test_properties_have_ranges(core):
    for term in gov_terms(core, OWL.ObjectProperty) | gov_terms(core, OWL.DatatypeProperty):
        assert core.value(term, RDFS.range) is not None, term


def test_practice_scheme_is_generated_from_the_vocabulary():
    assert ontology.path("practices.ttl").read_text(encoding="utf-8") == render()


def test_the_three_families_and_a_local_brand():
    g = Graph().parse(ontology.path("practices.ttl"), format="turtle")
    base = "https://w3id.org/govkg/id/practice/"
    for slug in ("three-enforcement-systems", "fengqiao-experience", "fang-guan-fu"):
        assert (URIRef(base + slug), RDF.type, GOV.Practice) in g
    broader = URIRef("http://www.w3.org/2004/02/skos/core#broader")
    assert (URIRef(base + "saishang-fengqiao"), broader, URIRef(base + "fengqiao-experience")) in g

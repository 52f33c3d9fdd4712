"""SHACL validation of a graph against ``ontology/shapes.ttl`` with pySHACL."""
from __future__ import annotations

from pyshacl import validate as shacl_validate
from rdflib import Graph

from govkg import ontology
from govkg.kg.stores import Store


def to_rdflib(store: Store) -> Graph:
    g = Graph()
    g.parse(data="".join(f"{t} .\n" for t in store.triples()), format="nt")
    return g


def validate(store: Store) -> tuple[bool, str]:
    """(conforms, the validation report as text)."""
    shapes = Graph().parse(ontology.path(ontology.SHAPES_FILE), format="turtle")
    conforms, _, text = shacl_validate(to_rdflib(store), shacl_graph=shapes, inference="none",
                                       allow_warnings=True)
    return bool(conforms), str(text)

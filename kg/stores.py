"""What the readers of a graph need from it: the `Store` protocol.

Spread traces, views and scores read a graph only through these operations, so the same code runs on the
local Oxigraph store (`govkg.kg.store.GraphStore`) and on a SPARQL endpoint (`govkg.kg.remote.RemoteStore`),
and none of them depends on the `KnowledgeGraph` facade that calls them.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from govkg import queries
from govkg.kg.adoptions import AdoptionIndex
from govkg.kg.store import Rows


@runtime_checkable
class Store(Protocol):
    """A graph that answers SPARQL over the union of its graphs."""

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Rows | bool:
        """Rows of a SELECT (or the answer of an ASK), with `bindings` bound to variables as RDF terms: a value
        is never formatted into the query text, so it cannot change the query around it."""

    def triples(self) -> list[ox.Triple]:
        """All distinct triples of the union graph, sorted (the order every export uses)."""

    def write(self, path: str | os.PathLike, fmt: str | None = None) -> int:
        """Write the union graph (or the dataset, for nq/trig) sorted and atomically; returns statements."""

    def __len__(self) -> int:
        """The number of distinct triples of the union graph."""

    def adoption_index(self) -> AdoptionIndex | None:
        """The adoption index (`kg.adoptions`) when one is true for the graph as it is now, else None: the
        readers of many adoptions then aggregate it instead of asking the store for each."""


def select(store: Store, name: str, **params: object) -> Rows:
    """Rows of the internal query `name` (``queries/internal/<name>.rq``) with `params` bound as plain
    literals (or as the RDF terms given).  Columns of bound parameters are left out: they repeat what was asked."""
    return select_text(store, queries.internal(name), **params)


def select_text(store: Store, sparql: str, **params: object) -> Rows:
    """`select` for query text already read from ``queries/`` (e.g. completed with a `values_block`)."""
    bindings = {k: v if isinstance(v, (ox.NamedNode, ox.Literal)) else ox.Literal(str(v))
                for k, v in params.items() if v is not None}
    result = store.query(sparql, bindings)
    if not isinstance(result, Rows):
        raise TypeError("expected a SELECT query")
    if bindings:
        keep = [v for v in result.variables if v not in bindings]
        result = Rows(keep, [{k: r[k] for k in keep} for r in result.rows])
    return result

"""A SPARQL 1.1 endpoint as a graph store (Oxigraph server, Apache Jena Fuseki, QLever …), and pushing a
built graph to one through the SPARQL 1.1 Graph Store Protocol, one named graph per report.

Parameters cannot be bound on the wire (the SPARQL protocol has no bindings), so they travel as a VALUES
block whose terms are serialised by pyoxigraph as RDF terms (escaped by the RDF library), never spliced
into the query text as strings.  The block opens the query's outermost group pattern, so the parameter is
bound before grouping, HAVING and ORDER BY see it — as a local substitution binds it (a VALUES after the
query would join after HAVING: `shared-practices k=10` would then filter with the default).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Iterator

import pyoxigraph as ox

from govkg.kg.store import Rows, _term, to_python
from govkg.namespace import PREFIXES

RESULTS_JSON = "application/sparql-results+json"
PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


class EndpointError(RuntimeError):
    """The endpoint could not be reached or refused the request."""


def _values_clause(bindings: dict[str, object]) -> str:
    names = sorted(bindings)
    terms = [str(_term(bindings[n])) for n in names]
    return "\nVALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(terms) + ") }\n"


# Strings, IRIs and comments, where a brace is not a brace.
_INERT = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|'
                    r'<[^<>"{}|^`\\\s]*>|#[^\n]*')


def bind_inline(sparql: str, bindings: dict[str, object]) -> str:
    """The query with a VALUES block for `bindings` as the first thing of its outermost group pattern."""
    if not bindings:
        return sparql
    masked = _INERT.sub(lambda m: " " * len(m.group(0)), sparql)
    at = masked.find("{")
    if at < 0:
        return sparql + _values_clause(bindings)
    return sparql[:at + 1] + _values_clause(bindings) + sparql[at + 1:]


def _from_json(value: dict | None):
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


class RemoteStore:
    """The query side of `GraphStore`, answered by a SPARQL endpoint over HTTP."""

    def __init__(self, endpoint: str, timeout: float = 120.0):
        self.endpoint = endpoint
        self.timeout = timeout
        self.path = None
        self.last_type = ""

    def _post(self, url: str, data: bytes, ctype: str, accept: str, method: str = "POST") -> bytes:
        req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ctype, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                self.last_type = (r.headers.get("Content-Type") or "").split(";")[0].strip()
                return r.read()
        except urllib.error.HTTPError as e:
            raise EndpointError(f"{url}: HTTP {e.code}: {e.read().decode('utf-8', 'replace')[:500]}") from None
        except (urllib.error.URLError, OSError) as e:
            raise EndpointError(f"{url}: cannot reach the endpoint ({e})") from None

    def query(self, sparql: str, bindings: dict[str, object] | None = None) -> Rows | bool:
        text = PROLOGUE + bind_inline(sparql, bindings or {})
        body = self._post(self.endpoint, urllib.parse.urlencode({"query": text}).encode("utf-8"),
                          "application/x-www-form-urlencoded", f"{RESULTS_JSON}, application/n-triples;q=0.9")
        try:
            if self.last_type in ("application/n-triples", "text/plain"):     # CONSTRUCT, DESCRIBE
                triples = sorted({str(t): t for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}.items())
                return Rows(["subject", "predicate", "object"],
                            [{"subject": to_python(t.subject), "predicate": to_python(t.predicate),
                              "object": to_python(t.object)} for _, t in triples])
            data = json.loads(body)
            if "boolean" in data:
                return bool(data["boolean"])
            names = data["head"].get("vars", [])
            rows = [{n: to_python(_from_json(b.get(n))) for n in names} for b in data["results"]["bindings"]]
        except (ValueError, SyntaxError, KeyError, TypeError, AttributeError) as e:
            raise EndpointError(f"{self.endpoint}: the reply is not SPARQL results "
                                f"({type(e).__name__}: {str(e)[:100]})") from None
        return Rows(names, rows)

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        return int(rows.rows[0]["n"])  # type: ignore[union-attr]

    def triples(self) -> list[ox.Triple]:
        body = self._post(self.endpoint, urllib.parse.urlencode(
            {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}).encode(), "application/x-www-form-urlencoded",
            "application/n-triples")
        return sorted(set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)), key=str)


def graph_store_url(endpoint: str) -> str:
    """The Graph Store Protocol URL next to a query endpoint (Oxigraph: /query → /store, Fuseki: /sparql → /data)."""
    for tail, gsp in (("/query", "/store"), ("/sparql", "/data")):
        if endpoint.rstrip("/").endswith(tail):
            return endpoint.rstrip("/")[: -len(tail)] + gsp
    return endpoint.rstrip("/") + "/store"


class PartialLoad(EndpointError):
    """Some graphs landed before the endpoint failed."""


def push_graphs(graphs: Iterator[tuple[str, bytes]], gsp_url: str, timeout: float = 300.0, total: int = 0) -> int:
    """PUT each (graph IRI, N-Triples) to the Graph Store Protocol endpoint, replacing that graph; returns count.
    A failure part way raises `PartialLoad` saying how many graphs landed."""
    n = 0
    remote = RemoteStore(gsp_url, timeout)
    for iri, data in graphs:
        url = gsp_url + ("&" if "?" in gsp_url else "?") + urllib.parse.urlencode({"graph": iri})
        try:
            remote._post(url, data, "application/n-triples", "*/*", method="PUT")
        except EndpointError as e:
            raise PartialLoad(f"{n} of {total or '?'} graphs loaded, then: {e}") from None
        n += 1
    return n

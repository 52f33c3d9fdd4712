"""A SPARQL 1.1 endpoint as a graph store (Oxigraph server, Apache Jena Fuseki, QLever …), and pushing a
built graph to one through the SPARQL 1.1 Graph Store Protocol, one named graph per report.

Parameters cannot be bound on the wire (the SPARQL protocol has no bindings), so they travel as a VALUES
block opening the query's WHERE group, whose terms are serialised by pyoxigraph as RDF terms (escaped by the
RDF library), never spliced into the query text as strings.  The values are then bound before anything
else in the group is evaluated — the same solutions as the local store's substitution of the variables
(SPARQL SEP-0007), also in GROUP BY, HAVING and FILTER.  (A trailing VALUES would be joined only after
grouping, so `HAVING (COUNT(?p) >= ?k)` would not see ?k.)  Sub-queries are evaluated on their own and do not
see the block, so a parameter must not be used only inside one.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from govkg import queries
from govkg.kg.store import GraphStore, Rows, _term, format_of, to_python
from govkg.namespace import PREFIXES

RESULTS_JSON = "application/sparql-results+json"
PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


class EndpointError(RuntimeError):
    """The endpoint could not be reached or refused the request."""


# What may hold a brace or the word WHERE without being one: IRIs (tried first: they may hold a '#'),
# comments and strings.
_TOKENS = re.compile(r"""
    <[^<>"{}|^`\\\s]*>
  | \#[^\n]*
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '''(?:[^'\\]|\\.|'(?!''))*'''
  | "(?:[^"\\\n]|\\.)*"
  | '(?:[^'\\\n]|\\.)*'
  | (?<![\w?$:])(?:WHERE|SELECT)(?![\w:])
  | [{}]
""", re.X | re.I)


def bind_values(sparql: str, bindings: Mapping[str, object]) -> str:
    """The query with a VALUES block of `bindings` opening its WHERE group (see the module's docstring).

    The block holds variable names checked as names and terms serialised by pyoxigraph, nothing else."""
    names = sorted(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise ValueError(f"not a variable name: {n!r}")
    block = ("VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(str(_term(bindings[n])) for n in names) + ") } ")
    start, end, subquery = _where_group(sparql)
    if subquery:      # a group holding a sub-query holds nothing else: the sub-query goes into a group of its own
        return sparql[:start + 1] + " " + block + "{" + sparql[start + 1:end] + "}" + sparql[end:]
    return sparql[:start + 1] + " " + block + sparql[start + 1:]


def _where_group(sparql: str) -> tuple[int, int, bool]:
    """Offsets of the opening and closing braces of the query's WHERE group (the first top-level group after
    the word WHERE, or the first top-level group when the word is left out), and whether it holds a sub-query
    (SELECT right inside a top-level group can only open a sub-query)."""
    groups: list[tuple[int, int, bool]] = []       # top-level groups: (open, close, holds a sub-query)
    where_at: int | None = None                    # index in `groups` of the group after the word WHERE
    depth, opened, subquery = 0, 0, False
    for m in _TOKENS.finditer(sparql):
        t = m.group().upper()
        if t == "{":
            if depth == 0:
                opened, subquery = m.start(), False
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                groups.append((opened, m.start(), subquery))
        elif t == "SELECT" and depth == 1:
            subquery = True
        elif t == "WHERE" and depth == 0 and where_at is None:
            where_at = len(groups)
    if where_at is None and groups:
        return groups[0]
    if where_at is not None and where_at < len(groups):
        return groups[where_at]
    raise ValueError("no WHERE group found in the query")


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

    def _ask(self, sparql: str, accept: str) -> bytes:
        return self._post(self.endpoint, urllib.parse.urlencode({"query": PROLOGUE + sparql}).encode("utf-8"),
                          "application/x-www-form-urlencoded", accept)

    def _solutions(self, sparql: str, bindings: Mapping[str, object] | None = None) -> dict:
        data = json.loads(self._ask(bind_values(sparql, bindings) if bindings else sparql, RESULTS_JSON))
        if not isinstance(data, dict) or not ("boolean" in data or "results" in data):
            raise EndpointError(f"{self.endpoint}: not a SPARQL JSON result")
        return data

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Rows | bool:
        """Run SPARQL on the endpoint (its default graph should be the union of the graphs); `bindings` are
        bound as RDF terms in a VALUES block that opens the WHERE group (see the module's docstring).
        CONSTRUCT and DESCRIBE answers come back as subject/predicate/object rows."""
        body = self._ask(bind_values(sparql, bindings) if bindings else sparql,
                         f"{RESULTS_JSON}, application/n-triples;q=0.9")
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
            terms = [{n: _from_json(b.get(n)) for n in names} for b in data["results"]["bindings"]]
            rows = [{n: to_python(t[n]) for n in names} for t in terms]
        except (ValueError, SyntaxError, KeyError, TypeError, AttributeError) as e:
            raise EndpointError(f"{self.endpoint}: the reply is not SPARQL results "
                                f"({type(e).__name__}: {str(e)[:100]})") from None
        return Rows(names, rows, terms)

    def __bool__(self) -> bool:
        # an endpoint is a store even when empty: `if store:` must not ask it for a count (__len__)
        return True

    def adoption_index(self) -> None:
        """An endpoint keeps no adoption index: its readers ask it."""
        return None

    def __len__(self) -> int:
        rows = self.query(queries.internal("store-size"))
        return int(rows.rows[0]["n"])  # type: ignore[union-attr]

    def triples(self) -> list[ox.Triple]:
        body = self._ask(queries.internal("store-triples"), "application/n-triples")
        return sorted(set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)), key=str)

    def write(self, path: str | os.PathLike, fmt: str | None = None) -> int:
        """Write the endpoint's graph as the local store writes its own (sorted, atomic, the same bytes for the
        same statements): the union graph, or for nq/trig the named graphs.  The statements are gathered in a
        local file first, so this suits graphs that fit on this machine's disk."""
        rdf_format = format_of(path, fmt)
        with tempfile.TemporaryDirectory(prefix="govkg-remote-") as tmp:
            if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                gathered = Path(tmp) / "graphs.nq"
                data = self._solutions(queries.internal("store-quads"))
                with gathered.open("w", encoding="utf-8") as f:
                    for b in data["results"]["bindings"]:
                        s, p, o, g = (_from_json(b[k]) for k in ("s", "p", "o", "g"))
                        f.write(f"{ox.Quad(s, p, o, g)} .\n")
            else:
                gathered = Path(tmp) / "graph.nt"
                gathered.write_bytes(self._ask(queries.internal("store-triples"), "application/n-triples"))
            return GraphStore.open(gathered).write(path, fmt)


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

"""The graph store: an Oxigraph dataset with one named graph per report, plus the ontology's data.

In memory for files and small corpora, on disk (a directory) for large ones.  Queries see the union
of all graphs.  Writing is deterministic (triples sorted, no blank nodes) and atomic (a temporary file
renamed into place), so an interrupted write never leaves a half-written graph behind.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from govkg import ontology
from govkg.namespace import ID_IRI, PREFIXES

ONTOLOGY_GRAPH = ID_IRI + "graph/ontology"
REPORT_GRAPH = re.compile(re.escape(ID_IRI) + r"graph/[0-9a-f]{16}")
# The manifest lists the report graphs built to the end: <graph> a sd:NamedGraph, in its own graph.
MANIFEST_GRAPH = ID_IRI + "graph/manifest"
SD_NAMED_GRAPH = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/ns/sparql-service-description#NamedGraph")


def _manifest_line(graph: str) -> str:
    return f"<{graph}> <{SD_NAMED_GRAPH[0]}> <{SD_NAMED_GRAPH[1]}> <{MANIFEST_GRAPH}> .\n"
FORMATS = {"ttl": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
           "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD,
           "json": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
           "owl": ox.RdfFormat.RDF_XML}


class GraphFileError(ValueError):
    """A graph file that is missing, of an unknown format, or not valid RDF."""


def format_of(path: str | os.PathLike, explicit: str | None = None) -> ox.RdfFormat:
    name = (explicit or Path(path).suffix.lstrip(".")).lower()
    if name not in FORMATS:
        raise GraphFileError(f"{path}: unknown RDF format {name!r} (use one of: {', '.join(sorted(FORMATS))})")
    return FORMATS[name]


@dataclass
class Rows:
    """The answer to a SELECT query: variable names and rows of Python values (str, int, float, None)."""
    variables: list[str]
    rows: list[dict[str, object]]

    def __iter__(self) -> Iterator[dict[str, object]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, object]:
        return self.rows[i]

    def to_dataframe(self):
        """The rows as a pandas DataFrame (needs pandas)."""
        import pandas as pd
        return pd.DataFrame(self.rows, columns=self.variables)


def values_block(var: str, iris: Iterable[str]) -> str:
    """A SPARQL VALUES block binding ?var to IRIs read from a graph.  Each is checked and written as an RDF
    term by Oxigraph (never pasted as text), so no value can change the query around it."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
        raise ValueError(f"not a variable name: {var!r}")
    return f"VALUES ?{var} {{ {' '.join(str(ox.NamedNode(i)) for i in iris)} }}"


def to_python(term) -> object:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith(("#integer", "#nonNegativeInteger", "#int", "#long", "#gYear")):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if dt.endswith(("#decimal", "#double", "#float")):
            v = float(term.value)
            return int(v) if v.is_integer() else v
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


class GraphStore:
    """A dataset of report graphs.  `GraphStore()` is in memory; `GraphStore(path)` persists in a directory."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self.store = ox.Store(str(path)) if path else ox.Store()

    # ------------------------------------------------------------ loading
    @classmethod
    def open(cls, path: str | os.PathLike) -> "GraphStore":
        """Open a store directory, or load an RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD) into memory."""
        p = Path(path)
        if p.is_dir():
            return cls(p)
        if not p.exists():
            raise GraphFileError(f"{p}: no such graph file (build one with `govkg build --out {p}`)")
        store = cls()
        try:
            store.store.bulk_load(path=str(p), format=format_of(p))
        except (SyntaxError, ValueError, OSError) as e:
            raise GraphFileError(f"{p}: not valid RDF: {e}") from None
        return store

    def add_ontology_data(self) -> None:
        """The practice scheme (so that queries can walk skos:broader) and the curated reference layer."""
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        self.store.remove_graph(graph) if self.store.contains_named_graph(graph) else None
        for name in ontology.DATA_FILES:
            p = ontology.path(name)
            if p.exists():
                self.store.load(path=str(p), format=ox.RdfFormat.TURTLE, to_graph=graph)

    def replace_graph(self, graph: str, nquads: Iterable[str]) -> None:
        """Put one report's lines in its named graph, replacing whatever the graph held, and record the graph
        as complete in the manifest — all in one transaction."""
        g = ox.NamedNode(graph)
        data = "".join(nquads) + _manifest_line(graph)
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)
        self.store.extend(quads)

    def bulk_add(self, nquads_file: Path, graphs: list[str]) -> None:
        """Load many new report graphs at once with Oxigraph's bulk loader (several times faster than
        transactions on disk), then record them in the manifest in one transaction.  Until that last step
        they do not count as built: a build interrupted before it rebuilds them (`forget_incomplete`)."""
        # lenient: the lines come from `builders.emit`, which writes only valid IRIs and escaped literals,
        # so the loader's IRI checks would find nothing (and cost a tenth of the load).
        self.store.bulk_load(path=str(nquads_file), format=ox.RdfFormat.N_QUADS, lenient=True)
        self.store.extend(list(ox.parse("".join(map(_manifest_line, graphs)), format=ox.RdfFormat.N_QUADS)))

    def complete_graphs(self) -> set[str]:
        """Report graphs recorded in the manifest: built to the end."""
        return {q.subject.value for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(MANIFEST_GRAPH))}

    def forget_incomplete(self) -> int:
        """Remove report graphs that an interrupted build left without a manifest entry."""
        done = self.complete_graphs()
        stale = [g for g in self.report_graphs() if g not in done]
        for g in stale:
            self.store.remove_graph(ox.NamedNode(g))
        return len(stale)

    def remove_graph(self, graph: str) -> None:
        g = ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)
        self.store.remove(ox.Quad(g, ox.NamedNode(SD_NAMED_GRAPH[0]), ox.NamedNode(SD_NAMED_GRAPH[1]),
                                  ox.NamedNode(MANIFEST_GRAPH)))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def report_graphs(self) -> list[str]:
        """The named graphs holding one report each (not the vocabulary or the shared entity descriptions)."""
        return [g for g in self.graphs() if REPORT_GRAPH.fullmatch(g)]

    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph as N-Triples, sorted (for pushing through the Graph Store Protocol)."""
        lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n"
                        for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))})
        return "".join(lines).encode("utf-8")

    def flush(self) -> None:
        if self.path:
            self.store.flush()

    # ------------------------------------------------------------ querying
    def query(self, sparql: str, bindings: dict[str, object] | None = None) -> Rows | bool:
        """Run SPARQL over the union of all graphs.  `bindings` are substituted as RDF terms, never as text."""
        subs = {ox.Variable(k): _term(v) for k, v in (bindings or {}).items()}
        # Oxigraph substitutes values for variables (SPARQL SEP-0007): the query text is never edited,
        # so a value cannot change the query's structure.  A substituted variable must be projected.
        result = self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs or None,
                                  prefixes=PREFIXES)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = [{n: to_python(sol[n]) for n in names} for sol in result]
            return Rows(names, rows)
        raise TypeError("only SELECT and ASK queries return rows; use `triples()` for graphs")

    def triples(self) -> list[ox.Triple]:
        """All distinct triples of the union, sorted: the deterministic order every export uses."""
        seen = {}
        for q in self.store.quads_for_pattern(None, None, None, None):
            t = ox.Triple(q.subject, q.predicate, q.object)
            seen[str(t)] = t
        return [seen[k] for k in sorted(seen)]

    def __len__(self) -> int:
        """Distinct statements of the union graph, counted by Oxigraph: its statements less those of the
        vocabulary graph that another graph repeats (no statement is read into Python)."""
        from govkg import queries
        shared = self.query(queries.internal("store-shared-statements"))
        return len(self.store) - int(shared.rows[0]["n"])  # type: ignore[union-attr]

    # ------------------------------------------------------------ writing
    def write(self, path: str | os.PathLike, fmt: str | None = None) -> int:
        """Write the union graph (or the dataset, for nq/trig) atomically; returns the number of statements.

        Statements are written sorted and without duplicates, so the same graph always gives the same
        bytes.  They stream from the store through an external merge sort (`exporting.sorted_unique`), so
        exporting tens of millions of statements needs no more memory than one sorted run.
        """
        from govkg.kg.exporting import quad_lines, sorted_unique
        rdf_format = format_of(path, fmt)
        dataset = rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
        with tempfile.TemporaryDirectory(prefix="govkg-export-") as tmp:
            ordered = Path(tmp) / "sorted.nt"
            count = 0
            with ordered.open("wb", buffering=1 << 20) as f:
                for line in sorted_unique(quad_lines(self.store, dataset), Path(tmp)):
                    f.write(line)
                    count += 1
            if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
                return atomic_write(path, lambda f: _copy(ordered, f), count)
            source = ox.RdfFormat.N_QUADS if dataset else ox.RdfFormat.N_TRIPLES
            if rdf_format == ox.RdfFormat.JSON_LD:
                return atomic_write(path, lambda f: f.write(_jsonld(ordered)), count)

            def serialize(f):
                with ordered.open("rb") as src:
                    ox.serialize(ox.parse(src, format=source), f, rdf_format, prefixes=_prefixes(rdf_format))
            return atomic_write(path, serialize, count)


def _jsonld(ntriples: Path) -> bytes:
    """Compact JSON-LD with the shipped context (ontology/context.jsonld): gov: terms appear by their short
    names.  rdflib does the compaction; for very large graphs prefer N-Triples or Turtle."""
    import json

    from rdflib import Graph
    context = json.loads(ontology.path(ontology.CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]
    g = Graph()
    g.parse(ntriples, format="nt")
    return g.serialize(format="json-ld", context=context, auto_compact=True, indent=1).encode("utf-8")


def _copy(src: Path, f) -> None:
    with src.open("rb") as s:
        shutil.copyfileobj(s, f, 1 << 20)


# Turtle prefixes for readable output: one per kind of instance whose local names have no slash.
TURTLE_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "id"} | {
    "division": ID_IRI + "division/", "practice": ID_IRI + "practice/", "report": ID_IRI + "report/"}


def _prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    return TURTLE_PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None


def _term(value: object):
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    text = str(value)
    if text.startswith(("http://", "https://", "urn:")) and " " not in text:
        try:
            return ox.NamedNode(text)
        except ValueError:
            pass
    return ox.Literal(text)


def atomic_write(path: str | os.PathLike, write, count: int) -> int:
    """Write through a temporary file in the same folder, flush it to disk, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the result should look like any other written file
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return count

"""The graph store: an Oxigraph dataset with one named graph per report, plus the ontology's data.

In memory for files and small corpora, on disk (a directory) for large ones.  Queries see the union
of all graphs.  Writing is deterministic (triples sorted, no blank nodes) and atomic (a temporary file
renamed into place), so an interrupted write never leaves a half-written graph behind.

A store folder holds, besides Oxigraph's files: `govkg-entities/` (each report's lines of the shared
entity graph, from which that graph is derived; `.stale` while it may differ from their union) and
`govkg-holder` (who last opened it for writing, named when another process finds it locked) and
`govkg-adoptions.sqlite` (the adoption index, `kg.adoptions`).
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from govkg import ontology
from govkg.builders.emit import ENTITIES_GRAPH, SHARED_LINE_END
from govkg.kg.adoptions import ADOPTIONS_FILE, AdoptionIndex
from govkg.kg.files import atomic_write
from govkg.namespace import DCTERMS, GOV_IRI, ID_IRI, PREFIXES

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


# Characters XML 1.0 cannot hold at all (not even as character references): report text may contain them
# (a control character copied from a web page), and RDF/XML, GEXF and GraphML outputs drop them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (C0 controls but tab and line breaks, U+FFFE/U+FFFF)."""
    return _NOT_XML.sub("", text)


def _xml_safe_quad(q):
    o = q.object
    if isinstance(o, ox.Literal) and _NOT_XML.search(o.value):
        o = ox.Literal(xml_safe(o.value), language=o.language) if o.language else \
            ox.Literal(xml_safe(o.value), datatype=o.datatype)
    if isinstance(q, ox.Quad):
        return ox.Quad(q.subject, q.predicate, o, q.graph_name)
    return ox.Triple(q.subject, q.predicate, o)


class GraphFileError(ValueError):
    """A graph file that is missing, of an unknown format, or not valid RDF."""


def format_of(path: str | os.PathLike, explicit: str | None = None) -> ox.RdfFormat:
    name = (explicit or Path(path).suffix.lstrip(".")).lower()
    if name not in FORMATS:
        raise GraphFileError(f"{path}: unknown RDF format {name!r} (use one of: {', '.join(sorted(FORMATS))})")
    return FORMATS[name]


# One row of a SELECT: each value is a str, int, float, bool or None by the column's datatype, which the
# caller knows from its query (so Any, not object: a caller reads a count as an int without a cast).
Row = dict[str, Any]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class Rows:
    """The answer to a SELECT query: variable names and rows of Python values (str, int, float, None)."""
    variables: list[str]
    rows: list[Row]
    # the RDF terms behind the values, row by row (when known): what the SPARQL results formats write
    terms: list[dict[str, Term | None]] | None = field(default=None, repr=False, compare=False)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Row:
        return self.rows[i]

    def only(self, keep: list[str]) -> Rows:
        """The same rows with only the columns `keep`."""
        return Rows(keep, [{k: r[k] for k in keep} for r in self.rows],
                    None if self.terms is None else [{k: t.get(k) for k in keep} for t in self.terms])

    def head(self, limit: int | None) -> Rows:
        """The first `limit` rows (all of them for None)."""
        if limit is None or limit >= len(self.rows):
            return self
        return Rows(self.variables, self.rows[:limit], None if self.terms is None else self.terms[:limit])

    def serialize(self, fmt: str) -> bytes:
        """The rows as SPARQL 1.1 Query Results: "json", "xml", "csv" or "tsv" (written by Oxigraph from the
        JSON form, so every format follows its W3C specification)."""
        import json
        terms = self.terms if self.terms is not None else \
            [{k: _term(v) if v is not None else None for k, v in r.items()} for r in self.rows]
        bindings = [{k: _result_json(t, fmt == "xml") for k, t in row.items() if t is not None} for row in terms]
        data = json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
        if fmt == "json":
            return data
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(  # type: ignore[return-value]
            format=RESULTS_FORMATS[fmt])   # without an output, serialize() returns bytes; its stub says bytes | None

    def to_dataframe(self):
        """The rows as a pandas DataFrame (needs pandas)."""
        import pandas as pd
        return pd.DataFrame(self.rows, columns=self.variables)


RESULTS_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def boolean_result(value: bool, fmt: str) -> bytes:
    """An ASK answer in a SPARQL 1.1 Query Results format (see `Rows.serialize`)."""
    data = b'{"head":{},"boolean":%s}' % (b"true" if value else b"false")
    return data if fmt == "json" else \
        ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(  # type: ignore[return-value]
            format=RESULTS_FORMATS[fmt])   # as in Rows.serialize


def _result_json(term, for_xml: bool = False) -> dict[str, str]:
    """One RDF term as a SPARQL Results JSON binding (`for_xml`: without what XML 1.0 cannot hold)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": xml_safe(term.value) if for_xml else term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


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


CONTRIBUTIONS_DIR = "govkg-entities"   # inside a store folder: each report's lines of the entity graph
HOLDER_FILE = "govkg-holder"           # inside a store folder: who opened it for writing


def is_store(path: Path) -> bool:
    """A folder holding an Oxigraph store (RocksDB writes CURRENT first)."""
    return (path / "CURRENT").is_file()


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _open_read_only(path: Path, attempts: int = 5) -> ox.Store:
    """Open a store read-only, also while a writer holds it.  RocksDB's read-only mode reads the list of table
    files and then opens them; a compaction by the writer in between removes one ("No such file or
    directory"), and opening again reads the new list."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as e:
            if attempt == attempts - 1 or "No such file or directory" not in str(e):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _open_for_writing(path: Path) -> ox.Store:
    """Open (or create) a store folder for writing, taking its lock; a folder that holds something else is
    refused rather than turned into a store, and a store held by another process is named with its holder."""
    if path.exists() and not path.is_dir():
        raise GraphFileError(f"{path}: exists and is not a folder")
    if path.is_dir() and not is_store(path) and any(path.iterdir()):
        raise GraphFileError(f"{path}: a folder that is not a govkg store; give an empty or new folder")
    try:
        store = ox.Store(str(path))
    except OSError as e:
        if "lock" not in str(e).lower():
            raise GraphFileError(f"{path}: cannot open the store: {_first_line(e)}") from None
        holder = ""
        try:
            holder = (path / HOLDER_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            pass
        raise StoreInUseError(f"{path}: the store is in use by {holder or 'another process'}; "
                              "wait for it to finish (read-only commands work meanwhile)") from None
    try:
        atomic_write(path / HOLDER_FILE, lambda f: f.write(
            f"pid {os.getpid()} ({' '.join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))[:200]})"
            .encode("utf-8", "replace")), 0, sync=False)
    except OSError:
        pass
    return store


class Contributions:
    """Each report's descriptions of shared entities, kept so that the entity graph can be derived again
    after a report is removed.  In a store folder they are files named by the report graph (written through
    a renamed temporary file, so a kill leaves either the whole file or none); in memory, a dict."""

    STALE = ".stale"

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.memory: dict[str, list[str]] = {}
        self.stale = False

    @staticmethod
    def _file(folder: Path, graph: str) -> Path:
        return folder / (graph.rsplit("/", 1)[1] + ".nq")

    def put(self, graph: str, lines: list[str]) -> None:
        if self.folder is None:
            self.memory[graph] = list(lines)
            return
        data = "".join(lines).encode("utf-8")
        atomic_write(self._file(self.folder, graph), lambda f: f.write(data), 0, sync=False)

    def get(self, graph: str) -> list[str]:
        if self.folder is None:
            return self.memory.get(graph, [])
        try:
            return self._file(self.folder, graph).read_text(encoding="utf-8").splitlines(keepends=True)
        except FileNotFoundError:
            return []

    def delete(self, graph: str) -> None:
        if self.folder is None:
            self.memory.pop(graph, None)
            return
        try:
            self._file(self.folder, graph).unlink()
        except FileNotFoundError:
            pass

    def graphs(self) -> set[str]:
        if self.folder is None:
            return set(self.memory)
        if not self.folder.is_dir():
            return set()
        return {ID_IRI + "graph/" + p.name[:-3] for p in self.folder.iterdir() if p.name.endswith(".nq")}

    def prune(self, keep: set[str]) -> None:
        """Delete contributions of reports not in `keep`, and temporary files a kill left."""
        for g in self.graphs() - keep:
            self.delete(g)
        if self.folder is not None and self.folder.is_dir():
            for p in self.folder.glob(".*.tmp"):
                p.unlink(missing_ok=True)

    def mark_stale(self) -> None:
        if self.folder is None:
            self.stale = True
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / self.STALE).touch()

    def mark_fresh(self) -> None:
        if self.folder is None:
            self.stale = False
        else:
            (self.folder / self.STALE).unlink(missing_ok=True)

    def is_stale(self) -> bool:
        return self.stale if self.folder is None else (self.folder / self.STALE).exists()


class StoreInUseError(OSError):
    """Another process holds the store for writing."""


class GraphStore:
    """A dataset of report graphs.  `GraphStore()` is in memory; `GraphStore(path)` persists in a directory.

    The shared entity graph (divisions, agencies, regulations, candidate practices) is derived: each report's
    contribution to it is kept beside its graph (`Contributions`), and the graph is the union of the
    contributions of the reports in the manifest.  Adding a report adds its lines; removing or changing one
    marks the graph stale and `derive_entities` recomputes it, so after any sequence of builds, removals and
    interruptions the store holds exactly what a fresh build of the same reports holds.

    `read_only=True` opens a store folder without taking its lock: queries and exports then work while a
    build or a server holds it.
    """

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = Path(path) if path else None
        self.read_only = read_only
        if self.path is None:
            self.store = ox.Store()
        elif read_only:
            if not is_store(self.path):
                raise GraphFileError(f"{self.path}: not a govkg store folder (no Oxigraph store in it)")
            try:
                self.store = _open_read_only(self.path)
            except (OSError, RuntimeError) as e:
                raise GraphFileError(f"{self.path}: cannot open the store: {_first_line(e)}") from None
        else:
            self.store = _open_for_writing(self.path)
        self.contributions = Contributions(self.path / CONTRIBUTIONS_DIR if self.path is not None else None)
        # kept by the writer of a store folder; read through `adoption_index`
        self.adoptions = AdoptionIndex(self.path / ADOPTIONS_FILE) if self.path and not read_only else None
        self._reading: AdoptionIndex | None = None
        self._looked = False                   # for an index a reader may trust

    # ------------------------------------------------------------ loading
    @classmethod
    def open(cls, path: str | os.PathLike) -> GraphStore:
        """Open a store directory read-only, or load an RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD)
        into memory."""
        p = Path(path)
        if p.is_dir():
            return cls(p, read_only=True)
        if not p.exists():
            raise GraphFileError(f"{p}: no such graph file (build one with `govkg build --out {p}`)")
        if not p.is_file():
            raise GraphFileError(f"{p}: not a regular file")
        store = cls()
        try:
            store.store.bulk_load(path=str(p), format=format_of(p))
        except (SyntaxError, ValueError, OSError) as e:
            raise GraphFileError(f"{p}: not valid RDF: {_first_line(e)}") from None
        return store

    def add_ontology_data(self, extra: list[dict] | None = None, version: str = "") -> None:
        """The practice scheme (so that queries can walk skos:broader) and the curated reference layer.

        `extra`: entries of user vocabulary files, added to the scheme; `version` is recorded as the
        graph's dcterms:hasVersion (`vocabulary_version` reads it back) so that a build can tell that the
        reports were read with another vocabulary."""
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        quads: list[ox.Quad] = []
        for name in ontology.DATA_FILES:
            p = ontology.path(name)
            if name == "practices.ttl" and extra:
                from govkg.ontology.generate import with_user_vocabulary
                quads.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                             for q in ox.parse(with_user_vocabulary(extra), format=ox.RdfFormat.TURTLE))
            elif p.exists():
                quads.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                             for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))
        if version:
            quads.append(ox.Quad(graph, ox.NamedNode(str(DCTERMS.hasVersion)), ox.Literal(version), graph))
        current = set(self.store.quads_for_pattern(None, None, None, graph))
        if current != set(quads):
            self.store.remove_graph(graph) if self.store.contains_named_graph(graph) else None
            self.store.extend(quads)

    def vocabulary_version(self) -> str:
        """The version of the user vocabulary the store's reports were read with ("" for the shipped one)."""
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        found = list(self.store.quads_for_pattern(graph, ox.NamedNode(str(DCTERMS.hasVersion)), None, graph))
        return found[0].object.value if found and not isinstance(found[0].object, ox.Triple) else ""

    def replace_graph(self, graph: str, nquads: Iterable[str]) -> None:
        """Put one report's lines in its named graph, replacing whatever the graph held, add its descriptions
        of shared entities to the entity graph, and record the graph as complete in the manifest — in one
        transaction, after its contribution to the entity graph is kept."""
        lines = list(nquads)
        shared = [line for line in lines if line.endswith(SHARED_LINE_END)]
        g = ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self._keep_index(lambda index: index.will_change(graph))
            self.remove_graphs([graph])
        self.contributions.put(graph, shared)
        data = "".join(lines) + _manifest_line(graph)
        self.store.extend(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)))
        self.index_lines(graph, lines)

    def index_lines(self, graph: str, lines: list[str]) -> None:
        """Keep the adoption rows of a report graph from the lines it is loaded from (`bulk_add` loads files
        whose writer has the lines: it calls this)."""
        self._keep_index(lambda index: index.put(graph, lines))

    def _keep_index(self, change: Callable[[AdoptionIndex], object]) -> None:
        """Make a change to the adoption index.  One that cannot be written is deleted (its readers then ask
        the store): the index never fails a build."""
        if self.adoptions is None:
            return
        try:
            change(self.adoptions)
        except sqlite3.Error:
            self.adoptions.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.adoptions.path) + suffix).unlink(missing_ok=True)
            self.adoptions = None

    def bulk_add(self, nquads_file: Path, graphs: list[str]) -> None:
        """Load many new report graphs at once with Oxigraph's bulk loader (several times faster than
        transactions on disk), then record them in the manifest in one transaction.  Until that last step
        they do not count as built: a build interrupted before it rebuilds them (`recover`).  The bulk loader
        is not transactional, so the entity graph is marked stale for the time of the load."""
        # lenient: the lines come from `builders.emit`, which writes only valid IRIs and escaped literals,
        # so the loader's IRI checks would find nothing (and cost a tenth of the load).
        self.contributions.mark_stale()
        self.store.bulk_load(path=str(nquads_file), format=ox.RdfFormat.N_QUADS, lenient=True)
        self.store.extend(list(ox.parse("".join(map(_manifest_line, graphs)), format=ox.RdfFormat.N_QUADS)))
        self.contributions.mark_fresh()

    def complete_graphs(self) -> set[str]:
        """Report graphs recorded in the manifest: built to the end."""
        return {q.subject.value for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(MANIFEST_GRAPH))
                if not isinstance(q.subject, ox.Triple)}

    def recover(self) -> int:
        """Repair what an interruption left, in both directions: report graphs without a manifest entry are
        removed (an interrupted build), manifest entries without their graph or without their contribution
        are removed (an interrupted removal, a store from an older version), contributions of no report are
        deleted, and the entity graph is derived again if anything was repaired or it was marked stale.
        Returns the number of reports removed (to be built again)."""
        if self.path is not None:
            remove_stale_temporaries(self.path, ".govkg-stage-")
        done = self.complete_graphs()
        present = set(self.report_graphs())
        kept = self.contributions.graphs()
        orphan_graphs = sorted(present - done)
        orphan_entries = sorted(g for g in done if g not in present or g not in kept)
        for g in orphan_graphs:
            self.store.remove_graph(ox.NamedNode(g))
        self.remove_graphs(orphan_entries)
        done -= set(orphan_entries)
        self.contributions.prune(done)
        if orphan_graphs or orphan_entries or self.contributions.is_stale():
            self.derive_entities()
        return len(orphan_graphs) + len(orphan_entries)

    def remove_graphs(self, graphs: Iterable[str]) -> None:
        """Remove report graphs: each graph and its manifest entry go in one transaction, then its
        contribution; the entity graph is marked stale until `derive_entities` (a kill in between leaves a
        stale mark, and the next opening derives it)."""
        graphs = list(graphs)
        if not graphs:
            return
        self.contributions.mark_stale()
        for graph in graphs:
            g = str(ox.NamedNode(graph))
            entry = f"{g} <{SD_NAMED_GRAPH[0]}> <{SD_NAMED_GRAPH[1]}>"
            self.store.update(f"DELETE DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ {entry} }} }} ; DROP SILENT GRAPH {g}")
            self.contributions.delete(graph)
        self._keep_index(lambda index: index.forget(graphs))

    def remove_graph(self, graph: str) -> None:
        self.remove_graphs([graph])
        self.derive_entities()

    def derive_entities(self) -> None:
        """Make the entity graph the union of the contributions of the reports in the manifest."""
        graph = ox.NamedNode(ENTITIES_GRAPH)
        lines: set[str] = set()          # reports repeat the same descriptions: keep each line once
        for g in self.complete_graphs():
            lines.update(self.contributions.get(g))
        wanted = set(ox.parse("".join(sorted(lines)), format=ox.RdfFormat.N_QUADS)) if lines else set()
        current = set(self.store.quads_for_pattern(None, None, None, graph))
        for q in current - wanted:
            self.store.remove(q)
        missing = wanted - current
        if missing:
            self.store.extend(sorted(missing, key=str))
        self.contributions.mark_fresh()

    def sources(self) -> dict[str, str]:
        """Report graph → the file name it was built from (gov:sourceName)."""
        out = {}
        for q in self.store.quads_for_pattern(None, ox.NamedNode(GOV_IRI + "sourceName"), None, None):
            if not isinstance(q.graph_name, ox.DefaultGraph) and REPORT_GRAPH.fullmatch(q.graph_name.value) \
                    and not isinstance(q.object, ox.Triple):
                out[q.graph_name.value] = q.object.value
        return out

    def rename(self, graph: str, name: str) -> None:
        """Give a report graph a new gov:sourceName (the same text under another file name), in one
        transaction: the rest of a report's graph does not depend on its file name."""
        g = ox.NamedNode(graph)
        old = list(self.store.quads_for_pattern(None, ox.NamedNode(GOV_IRI + "sourceName"), None, g))
        if not old:
            return
        new = ox.Quad(old[0].subject, old[0].predicate, ox.Literal(name), g)
        delete = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in old)
        self.store.update(f"DELETE DATA {{ GRAPH {g} {{ {delete} }} }} ; "
                          f"INSERT DATA {{ GRAPH {g} {{ {new.subject} {new.predicate} {new.object} . }} }}")

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

    def flush(self, progress: Callable[[Iterator[str], int], Iterator[str]] | None = None) -> None:
        """Write what is pending to disk, and square the adoption index with the store (`progress` wraps
        the graphs it reads back from the store: all of them, the first time a store is indexed)."""
        if self.path:
            self.store.flush()
        if self.adoptions is not None:
            from govkg.kg.state import state
            self._keep_index(lambda index: index.finish(self.store, self.report_graphs, state(self),
                                                        self._divisions, progress))
            self._looked = False

    def _divisions(self) -> tuple[Rows, Rows]:
        """Every division's details and ancestors (what the adoption index keeps for spread traces)."""
        from govkg import queries
        found, above = (self.query(queries.internal(name)) for name in ("index-divisions", "index-ancestors"))
        assert isinstance(found, Rows) and isinstance(above, Rows)
        return found, above

    def adoption_statements(self) -> set[tuple]:
        """What the adoption index of this store must hold, asked of the store (`AdoptionIndex.statements`)."""
        from govkg import queries
        rows = self.query(queries.internal("index-adoptions"))
        columns = ("a", "d", "p", "m", "y", "s", "ym", "quote", "report")
        return {tuple(None if r[k] is None else str(r[k]) for k in columns) for r in rows}  # type: ignore[union-attr]

    def adoption_index(self) -> AdoptionIndex | None:
        """The adoption index of this store folder when it is true for the store as it is now, else None
        (a graph file, or a store whose index is missing or behind: readers then ask the store)."""
        if not self._looked:
            self._looked, self._reading = True, None
            if self.path is not None:
                from govkg.kg.state import state
                index = self.adoptions if self.adoptions is not None else AdoptionIndex(
                    self.path / ADOPTIONS_FILE, read_only=True)
                try:
                    if index.path.exists() and index.state() == state(self):
                        self._reading = index
                except sqlite3.Error:
                    pass
        return self._reading

    # ------------------------------------------------------------ querying
    def query(self, sparql: str, bindings: Mapping[str, object] | None = None) -> Rows | bool:
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
            terms = [{n: sol[n] for n in names} for sol in result]
            return Rows(names, [{n: to_python(t[n]) for n in names} for t in terms], terms)
        # CONSTRUCT and DESCRIBE: the triples, one row each, in a stable order
        triples = sorted({str(t): t for t in result}.items())
        return Rows(["subject", "predicate", "object"],
                    [{"subject": to_python(t.subject), "predicate": to_python(t.predicate),
                      "object": to_python(t.object)} for _, t in triples],
                    [{"subject": t.subject, "predicate": t.predicate, "object": t.object} for _, t in triples])

    def triples(self) -> list[ox.Triple]:
        """All distinct triples of the union, sorted: the deterministic order every export uses."""
        seen = {}
        for q in self.store.quads_for_pattern(None, None, None, None):
            t = ox.Triple(q.subject, q.predicate, q.object)
            seen[str(t)] = t
        return [seen[k] for k in sorted(seen)]

    def __bool__(self) -> bool:
        # A store is a store even when empty; without this, `if store:` would count its statements (__len__).
        return True

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
        remove_stale_temporaries(Path(tempfile.gettempdir()), "govkg-export-")
        with tempfile.TemporaryDirectory(prefix=f"govkg-export-{os.getpid()}-") as tmp:
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
                    quads = ox.parse(src, format=source)
                    if rdf_format == ox.RdfFormat.RDF_XML:      # well-formed whatever the report text holds
                        quads = map(_xml_safe_quad, quads)
                    ox.serialize(quads, f, rdf_format, prefixes=_prefixes(rdf_format))
            return atomic_write(path, serialize, count)


def remove_stale_temporaries(folder: Path, prefix: str) -> None:
    """Remove temporary folders ``<prefix><pid>-…`` whose process is gone (killed before it could clean
    up: SIGKILL, a power cut); folders of live processes are left alone."""
    try:
        entries = list(folder.glob(prefix + "*"))
    except OSError:
        return
    for d in entries:
        pid = d.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or not d.is_dir() or d.is_symlink():
            continue
        try:
            os.kill(int(pid), 0)
            continue                      # alive (or not ours to signal)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except OSError:
            continue


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

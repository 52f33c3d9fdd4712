"""`KnowledgeGraph`: the one entry point of govkg as a library.  The CLI calls only this.

    >>> from govkg import KnowledgeGraph
    >>> kg = KnowledgeGraph.build()                      # the bundled sample corpus
    >>> kg.summary["documents"]
    5
    >>> rows = kg.query("adopters", practice="three-enforcement-systems")
    >>> (rows[0]["division"], rows[0]["mode"], rows[0]["year"])
    ('中卫市', 'piloted', 2017)
"""
from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from govkg import queries
from govkg.builders.emit import SHARED_LINE_END, graph_iri
from govkg.builders.text import DecodeError, decode
from govkg.builders.text import sha256 as text_sha256
from govkg.kg.engines import run_builders
from govkg.kg.store import GraphStore, Rows, atomic_write, format_of
from govkg.kg.stores import Store, select

REPORT_SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".md")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# From this many input files, a build into a store folder stages N-Quads and bulk-loads them once.
BULK_THRESHOLD = 100
BULK_CHUNK = 400_000
XSD = "http://www.w3.org/2001/XMLSchema#"


class QueryParameterError(ValueError):
    """A parameter the named query does not declare, or a value of the wrong type."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class BuildReport:
    documents: int = 0          # reports in the graph after the build
    built: int = 0              # … of which built now
    unchanged: int = 0          # … of which already in the store with the same content
    removed: int = 0            # graphs of reports no longer among the inputs
    incomplete: int = 0         # graphs an interrupted earlier build left unfinished (removed, rebuilt)
    chars: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    facts: Counter = field(default_factory=Counter)


def bundled_corpus() -> list[Path]:
    """The five sample reports shipped inside the package."""
    root = resources.files("govkg").joinpath("corpus")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def discover(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Report files under the given files and folders, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return out


class _Stage:
    """N-Quads of new report graphs, bulk-loaded every BULK_CHUNK statements so that memory stays bounded.

    A chunk loads in a background thread (Oxigraph releases the GIL while it loads) as the next one is
    written, so building and loading overlap; at most one chunk loads at a time.  Descriptions of shared
    entities (a division's label and code …) repeat from report to report: each is staged once.
    """

    SEEN_LIMIT = 200_000        # shared lines remembered; past this the memory is cleared (flat memory)

    def __init__(self, gs: GraphStore, folder: Path):
        self.gs, self.folder = gs, folder
        self.graphs: list[str] = []
        self.lines = 0
        self.chunks = 0
        self.file = None
        self.path: Path | None = None
        self.seen: set[str] = set()
        self.loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govkg-load")
        self.loading: Future | None = None

    def add(self, graph: str, nquads) -> None:
        if self.file is None:
            self.path = self.folder / f"reports-{self.chunks % 2}.nq"   # one is written while the other loads
            self.file = self.path.open("w", encoding="utf-8")
        seen, write = self.seen, self.file.write
        for line in nquads:
            if line.endswith(SHARED_LINE_END):
                if line in seen:
                    continue
                if len(seen) >= self.SEEN_LIMIT:
                    seen.clear()
                seen.add(line)
            write(line)
        self.graphs.append(graph)
        self.lines += len(nquads)
        if self.lines >= BULK_CHUNK:
            self.flush()

    def flush(self) -> None:
        """Hand the chunk written so far to the loader (after the previous chunk has loaded)."""
        if self.file is None:
            return
        self.file.close()
        self.wait()
        self.loading = self.loader.submit(self.gs.bulk_add, self.path, self.graphs)
        self.file, self.graphs, self.lines = None, [], 0
        self.chunks += 1

    def wait(self) -> None:
        if self.loading is not None:
            loading, self.loading = self.loading, None
            loading.result()        # re-raises a failed load here

    def close(self) -> None:
        """Load what is staged and wait for it."""
        try:
            self.flush()
            self.wait()
        finally:
            self.loader.shutdown(wait=True)

    def abandon(self) -> None:
        """After an error: let the load under way finish (its graphs are whole) and drop the rest.  Graphs
        loaded but not yet in the manifest are removed by the next build (`GraphStore.forget_incomplete`)."""
        if self.file is not None:
            self.file.close()
            self.file = None
        self.loader.shutdown(wait=True)


def save_text(folder: Path, sha: str, text: str) -> Path:
    """Keep a report's text as read, named by its SHA-256 (the gov:sha256 of its Report)."""
    path = folder / f"{sha}.txt"
    if not path.exists():
        data = text.encode("utf-8")
        atomic_write(path, lambda f: f.write(data), 1)
    return path


def _typed(value: object, kind: str):
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    text = str(value)
    if kind.startswith("@"):
        return ox.Literal(text, language=kind[1:])
    if kind.startswith("^^xsd:"):
        dt = kind[len("^^xsd:"):]
        if dt in ("integer", "int", "nonNegativeInteger"):
            try:
                int(text)
            except ValueError:
                raise QueryParameterError(f"expected a whole number, got {text!r}") from None
        return ox.Literal(text, datatype=ox.NamedNode(XSD + dt))
    return ox.Literal(text)


class KnowledgeGraph:
    """A graph of reports: build it from files, open a saved one, query, view, export and validate it."""

    def __init__(self, store: Store, report: BuildReport | None = None):
        self.store = store
        self.report = report or BuildReport()

    # ------------------------------------------------------------ making one
    @classmethod
    def build(cls, paths: Iterable[str | os.PathLike] | None = None, *, store: str | os.PathLike | None = None,
              workers: int = 1, engine: str = "local", scheduler: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = False, texts_dir: str | os.PathLike | None = None,
              progress: Callable[[Iterator, int], Iterator] | None = None) -> "KnowledgeGraph":
        """Build from report files (None: the bundled corpus).

        `store`: a folder for a persistent Oxigraph store (default: in memory).  Building into an existing
        store is incremental: each report is one named graph keyed by the SHA-256 of its text, so unchanged
        reports are skipped, a changed report replaces exactly its own graph and a report no longer among
        the inputs has its graph removed.  `workers` > 1 builds in that many processes; ``engine="dask"``
        sends reports to a Dask cluster (`scheduler` address, or a local cluster when None).

        Empty, binary, undecodable, oversized and duplicate files are skipped with a reason
        (``kg.report.skipped``); with ``strict=True`` the first of them raises instead.  When a report's
        text as read differs from its file (an HTML page, a GB18030 file), that text is saved in
        `texts_dir` as ``<sha256>.txt`` so that every evidence offset can be checked against it.
        """
        files = bundled_corpus() if paths is None else discover(paths)
        gs = GraphStore(store) if store else GraphStore()
        gs.add_ontology_data()
        report = BuildReport()
        report.incomplete = gs.forget_incomplete() if store else 0
        existing = set(gs.report_graphs())
        started = time.perf_counter()
        current: set[str] = set()
        seen: dict[str, str] = {}

        def todo() -> Iterator[tuple[str, str, str, bool]]:
            for path in files:
                try:
                    size = path.stat().st_size
                    if size > max_bytes:
                        raise DecodeError(f"{path.name}: larger than {max_bytes} bytes ({size})")
                    decoded = decode(path.read_bytes(), path.name)
                except (DecodeError, OSError) as e:
                    if strict:
                        raise
                    report.skipped.append(Skipped(str(path), str(e)))
                    continue
                sha = text_sha256(decoded.text)
                if sha in seen:
                    msg = f"{path.name}: same content as {seen[sha]}"
                    if strict:
                        raise DecodeError(msg)
                    report.skipped.append(Skipped(str(path), msg))
                    continue
                seen[sha] = path.name
                graph = graph_iri(sha)
                current.add(graph)
                report.documents += 1
                report.chars += len(decoded.text)
                if graph in existing:
                    report.unchanged += 1
                    continue
                yield decoded.text, path.name, decoded.encoding, decoded.derived

        payloads = run_builders(todo(), workers=workers, engine=engine, scheduler=scheduler)
        if progress:
            payloads = progress(payloads, len(files))
        bulk = bool(store) and len(files) >= BULK_THRESHOLD
        with tempfile.TemporaryDirectory(prefix=".govkg-stage-", dir=str(store) if store else None) as tmp:
            stage = _Stage(gs, Path(tmp))
            try:
                for p in payloads:
                    if bulk:
                        stage.add(p.graph, p.nquads)          # a large build: bulk loads of bounded size
                    else:
                        gs.replace_graph(p.graph, p.nquads)   # one transaction per report
                    if texts_dir is not None and p.text is not None:
                        save_text(Path(texts_dir), p.sha256, p.text)
                    report.built += 1
                    report.facts.update(dict(p.counts))
            except BaseException:
                stage.abandon()   # the load under way finishes; the chunk being written is not loaded
                raise
            stage.close()
        for graph in sorted(existing - current):
            gs.remove_graph(graph)
            report.removed += 1
        gs.flush()
        report.seconds = time.perf_counter() - started
        return cls(gs, report)

    @classmethod
    def open(cls, path_or_endpoint: str | os.PathLike) -> "KnowledgeGraph":
        """Open a graph file (Turtle, N-Triples, N-Quads, TriG, JSON-LD), a store folder, or a SPARQL endpoint
        URL (http://…): queries, spread traces, views, scores and exports then run against the endpoint (whose
        default graph should be the union of the report graphs, e.g. `oxigraph serve --union-default-graph`)."""
        if str(path_or_endpoint).startswith(("http://", "https://")):
            from govkg.kg.remote import RemoteStore
            return cls(RemoteStore(str(path_or_endpoint)))
        return cls(GraphStore.open(path_or_endpoint))

    def load(self, endpoint: str, gsp_url: str | None = None) -> int:
        """Push every named graph (one per report, plus the vocabulary) to a SPARQL server through the
        Graph Store Protocol; each PUT replaces that graph only.  Returns the number of graphs sent."""
        from govkg.kg.remote import graph_store_url, push_graphs
        store = self._local("loading into a server")
        if not store.graphs():
            raise ValueError("this graph has no named graphs (a Turtle file is one merged graph): load the "
                             "store folder that `govkg build` wrote, e.g. --graph govkg.store")
        from govkg.kg.store import MANIFEST_GRAPH
        graphs = ((g, store.graph_ntriples(g)) for g in store.graphs() if g != MANIFEST_GRAPH)
        return push_graphs(graphs, gsp_url or graph_store_url(endpoint))

    def _local(self, what: str) -> GraphStore:
        if not isinstance(self.store, GraphStore):
            raise ValueError(f"{what} needs a local graph (a graph file or store folder), not an endpoint")
        return self.store

    # ------------------------------------------------------------ asking it
    def query(self, name_or_text: str, **params: object) -> Rows:
        """Run a named query (``adopters``), a ``.rq`` file or SPARQL text, with parameters bound as terms.

        Columns holding a bound parameter are left out of the rows: they repeat what was asked.
        """
        try:
            q = queries.load(name_or_text)
            text, declared = q.text, q.parameters
        except KeyError:
            if not any(w in name_or_text.upper() for w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
                raise KeyError(f"no named query {name_or_text!r}; `govkg query --list` shows them") from None
            text, declared = name_or_text, {k: "" for k in params}
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise QueryParameterError(f"unknown parameter(s) {', '.join(unknown)}; this query takes: "
                                      f"{', '.join(declared) or 'none'}")
        bindings = {k: _typed(v, declared[k]) for k, v in params.items() if v is not None}
        result = self.store.query(text, bindings)
        if isinstance(result, Rows) and bindings:
            keep = [v for v in result.variables if v not in bindings]
            result = Rows(keep, [{k: r[k] for k in keep} for r in result.rows])
        return result  # type: ignore[return-value]

    @property
    def summary(self) -> dict[str, object]:
        """Documents, triples, entities per class and facts per kind."""
        per_class = {r["class"]: r["n"] for r in select(self.store, "summary-classes")}
        # Practices come from the vocabulary graph: count the ones the reports name.
        named = select(self.store, "summary-practices")
        per_class["Practice"] = named.rows[0]["n"]
        return {"documents": per_class.get("Report", 0), "triples": len(self.store), "entities": per_class,
                "seconds": round(self.report.seconds, 2), "skipped": len(self.report.skipped)}

    # ------------------------------------------------------------ getting it out
    def export(self, path: str | os.PathLike, fmt: str | None = None) -> int:
        """Write the graph (ttl, nt, nq, trig, jsonld) atomically and deterministically; returns statements.

        A file this graph was last exported to, unchanged since, is left as it is (see `kg.exporting`)."""
        from govkg.kg import exporting
        if not isinstance(self.store, GraphStore):           # a SPARQL endpoint: no fingerprint to keep
            return self.store.write(path, fmt)
        graph = exporting.fingerprint(self.store.store, str(format_of(path, fmt)))
        kept = exporting.unchanged(path, graph)
        if kept is not None:
            return kept
        exporting.forget(path)
        n = self.store.write(path, fmt)
        exporting.remember(path, graph, n)
        return n

    def view(self, out: str | os.PathLike, *, practice: str | None = None, division: str | None = None,
             title: str | None = None, classes: tuple[str, ...] = ("Division", "Practice"),
             years: tuple[int, int] | None = None) -> Path:
        """Write a self-contained interactive HTML view (works offline); returns its path.

        `classes` chooses what the overview shows: Division, Practice, Agency, Regulation; `years` keeps the
        adoptions stated in that span (first, last).  A large selection is drawn aggregated per province."""
        from govkg.kg import views
        return views.write_view(self.store, Path(out), practice=practice, division=division, title=title,
                                classes=tuple(classes), years=years)

    def spread(self, practice: str):
        """The spread trace of a practice (see `govkg.kg.spread.Trace`): timeline, network, scores, exports.

        >>> t = KnowledgeGraph.build().spread("three-enforcement-systems")
        >>> t.adopters[0].name, t.adopters[0].first_year, t.milestones[0]["year"]
        ('中卫市', 2017, 2017)
        """
        from govkg.kg.spread import trace
        return trace(self.store, practice)

    def evaluate(self, gold: dict, practices: set[str] | None = None) -> dict:
        """Precision, recall and F1 per category against gold annotations (see `govkg.kg.evaluate`);
        `practices` restricts adoptions and spread to those ids and their narrower practices."""
        from govkg.kg.evaluate import evaluate
        return evaluate(self.store, gold, practices)

    def serve(self, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0):
        """A local read-only SPARQL endpoint over this graph (an http.server; call ``serve_forever()``)."""
        from govkg.kg.serve import make_server
        return make_server(self._local("serving"), host, port, timeout)

    @staticmethod
    def named_queries() -> dict[str, str]:
        """Named query → what it answers.

        >>> "adopters" in KnowledgeGraph.named_queries()
        True
        """
        return {n: queries.load(n).summary for n in queries.names()}

    @staticmethod
    def ontology_docs(out: str | os.PathLike) -> list[Path]:
        """Write the ontology reference (pyLODE HTML), a class diagram (SVG) and the JSON-LD context."""
        from govkg.kg.ontodocs import make_docs
        return make_docs(Path(out))

    def validate(self) -> tuple[bool, str]:
        """SHACL validation against ``ontology/shapes.ttl``: (conforms, report text)."""
        from govkg.kg import validate
        return validate.validate(self.store)

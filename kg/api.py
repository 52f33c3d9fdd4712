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

import csv
import hashlib
import os
import re
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from govkg import queries
from govkg.builders import gazetteer
from govkg.builders.emit import SHARED_LINE_END, graph_iri
from govkg.builders.text import DecodeError, ReportInputs, decode, sha256 as text_sha256
from govkg.kg.engines import Failed, run_builders
from govkg.kg.store import GraphStore, Rows, atomic_write, format_of
from govkg.kg.stores import Store, select
from govkg.namespace import GOV_IRI

# .doc is taken so that a legacy Word file is named among the skipped, not silently left out.
REPORT_SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".md", ".pdf", ".docx", ".doc")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# From this many input files, a build into a store folder stages N-Quads and bulk-loads them once.
BULK_THRESHOLD = 100
BULK_CHUNK = 400_000
XSD = "http://www.w3.org/2001/XMLSchema#"
# What a division's short name leaves off its full name (GB/T 2260 naming): 中卫 for 中卫市, 宁夏 for 宁夏回族自治区,
# 恩施 for 恩施土家族苗族自治州.
DIVISION_SUFFIX = re.compile(r"(?:省|市|县|区|旗|盟|地区|林区|矿区|新区|特别行政区|"
                             r"(?:[\u4e00-\u9fff]{1,4}?族)*自治(?:区|州|县|旗))")


class QueryParameterError(ValueError):
    """A parameter the named query does not declare, or a value of the wrong type."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class BuildReport:
    documents: int = 0          # input reports read
    built: int = 0              # … of which built now
    unchanged: int = 0          # … of which already in the store with the same content (renamed included)
    removed: int = 0            # report graphs removed (changed reports' old versions, pruned reports)
    incomplete: int = 0         # graphs an interrupted earlier build left unfinished (removed, rebuilt)
    chars: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)   # reports whose own division was not found
    facts: Counter = field(default_factory=Counter)
    added: list[str] = field(default_factory=list)          # file names of reports new to the store
    changed: list[str] = field(default_factory=list)        # … whose content changed (old version replaced)
    renamed: list[tuple[str, str]] = field(default_factory=list)   # (old name, new name), same content
    removed_names: list[str] = field(default_factory=list)  # … removed (--prune, `govkg remove`, changed)
    kept: int = 0               # reports in the store not among the inputs, kept
    warnings: list[str] = field(default_factory=list)       # built, but worth a look (bytes replaced …)


def bundled_corpus() -> list[Path]:
    """The five sample reports shipped inside the package."""
    root = resources.files("govkg").joinpath("corpus")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def discover(paths: Iterable[str | os.PathLike], problems: list[Skipped] | None = None) -> list[Path]:
    """Report files under the given files and folders, in a stable order.

    Folders are walked without following symbolic links to folders; a linked file is taken only when it
    resolves inside the folder given.  A folder that cannot be read is recorded in `problems` (never
    skipped silently), as is a file that is not a regular file.
    """
    out: list[Path] = []
    problems = problems if problems is not None else []
    for p in map(Path, paths):
        if p.is_dir():
            root = p.resolve()
            found: list[Path] = []

            def unreadable(err: OSError) -> None:
                problems.append(Skipped(str(err.filename), f"cannot read folder: {err.strerror}"))
            for folder, dirs, names in os.walk(p, onerror=unreadable, followlinks=False):
                rel = Path(folder).relative_to(p)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                if any(part.startswith(".") for part in rel.parts):
                    continue
                for name in names:
                    f = Path(folder) / name
                    if name.startswith(".") or f.suffix.lower() not in REPORT_SUFFIXES:
                        continue
                    if f.is_symlink():
                        try:
                            target = f.resolve(strict=True)
                        except (OSError, RuntimeError):
                            problems.append(Skipped(str(f), "broken symbolic link"))
                            continue
                        if root not in target.parents:
                            problems.append(Skipped(str(f), "symbolic link to a file outside the folder given"))
                            continue
                    found.append(f)
            out.extend(sorted(found))
        elif p.exists() or p.is_symlink():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return out


METADATA_COLUMNS = ("file", "division_code", "year", "url", "publisher", "title")


class MetadataError(ValueError):
    """A metadata sidecar that cannot be used: its file, line and what is wrong."""


def read_metadata(path: str | os.PathLike) -> dict[str, ReportInputs]:
    """A metadata sidecar: a CSV file (UTF-8, header line) with the columns `file, division_code, year, url,
    publisher, title`, one row per report file, keyed by file name.  Only `file` is required; an empty cell
    leaves that field to detection."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
            header = list(rows[0].keys()) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise MetadataError(f"{path}: cannot read: {e}") from None
    unknown = [c for c in header if c not in METADATA_COLUMNS]
    if unknown or (rows and "file" not in header):
        raise MetadataError(f"{path}: columns must be among {', '.join(METADATA_COLUMNS)} with 'file' "
                            f"(unknown: {', '.join(map(str, unknown)) or 'none'})")
    gaz = gazetteer.load()
    out: dict[str, ReportInputs] = {}
    for line, row in enumerate(rows, start=2):
        def cell(name: str, row: dict[str, str] = row) -> str | None:   # this line's row, bound now
            return (row.get(name) or "").strip() or None
        where = f"{path}, line {line}"
        name = cell("file")
        if not name:
            raise MetadataError(f"{where}: no file name")
        name = Path(name).name
        if name in out:
            raise MetadataError(f"{where}: {name} is listed twice")
        code, year, url = cell("division_code"), cell("year"), cell("url")
        if code and code not in gaz:
            raise MetadataError(f"{where}: division code {code} is not a GB/T 2260 code govkg knows")
        if year and not (re.fullmatch(r"\d{4}", year) and 1949 <= int(year) <= 2100):
            raise MetadataError(f"{where}: year {year!r} is not a four-digit year")
        if url and not re.match(r"https?://[^\s/]+", url):
            raise MetadataError(f"{where}: url {url!r} is not an http(s) URL")
        out[name] = ReportInputs(division=code, year=int(year) if year else None, url=url,
                                 publisher=cell("publisher"), title=cell("title"))
    return out


def read_report(path: Path, max_bytes: int) -> bytes:
    """The bytes of a report file, refusing what is not a regular file before reading (a FIFO would block,
    /dev/zero never ends) and reading at most `max_bytes` + 1 whatever the size the file claims."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise DecodeError(f"{path.name}: cannot read: {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DecodeError(f"{path.name}: not a regular file (a device, FIFO or socket is not read)")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DecodeError(f"{path.name}: larger than {max_bytes} bytes")
    return data


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
        self.file: TextIO | None = None
        self.path: Path | None = None
        self.seen: set[str] = set()
        self.loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govkg-load")
        self.loading: Future | None = None

    def add(self, graph: str, nquads) -> None:
        self.gs.contributions.put(graph, [line for line in nquads if line.endswith(SHARED_LINE_END)])
        self.gs.index_lines(graph, nquads)
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
        assert self.path is not None                # set with the file
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
        loaded but not yet in the manifest are removed by the next build (`GraphStore.recover`)."""
        if self.file is not None:
            self.file.close()
            self.file = None
        self.loader.shutdown(wait=True)


def _user_vocabulary(paths: Iterable[str | os.PathLike]) -> tuple[list[dict], str]:
    """Put user vocabulary files in force for the builders (`lexicon.use_vocabulary`: worker processes see
    them too) and return their entries and a version (the SHA-256 of their contents; "" for none)."""
    from govkg.builders import lexicon
    files = [Path(p) for p in paths]
    for f in files:
        if not f.is_file():
            raise ValueError(f"{f}: no such vocabulary file")
    try:
        extra = lexicon.extra_entries(tuple(map(str, files)))
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"vocabulary: not a list of practices in the format of practices.json: {e}") from None
    for entry in extra:
        if not isinstance(entry, dict) or not {"id", "zh", "en", "definition"} <= set(entry) or \
                not (entry.get("chapter") or entry.get("broader")):
            raise ValueError(f"vocabulary: every entry needs an id, zh and en labels, a definition and a chapter "
                             f"or a broader practice: {entry!r}")
        for key, empty in (("aliases", []), ("parts", []), ("broader", None)):
            entry.setdefault(key, empty)
    lexicon.use_vocabulary(files)
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest() if files else ""
    return extra, digest


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
            # ASCII digits only: int() would also take "1_0" and other scripts' digits, which no SPARQL
            # engine reads as the same number
            if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
                raise QueryParameterError(f"expected a whole number (ASCII digits), got {text!r}")
            text = str(int(text.strip()))
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
              progress: Callable[..., Iterator] | None = None,
              prune: bool = False, vocabulary: Iterable[str | os.PathLike] = (),
              metadata: dict[str, ReportInputs] | None = None) -> KnowledgeGraph:
        """Build from report files (None: the bundled corpus).

        `store`: a folder for a persistent Oxigraph store (default: in memory).  Building into an existing
        store is incremental: each report is one named graph keyed by the SHA-256 of its text, so unchanged
        reports are skipped, a renamed one gets its new gov:sourceName, a changed report (same file name,
        new content) replaces exactly its own graph, and reports in the store that are not among the inputs
        are kept (the store is the corpus) unless `prune` is set.  The shared entity graph is derived from
        the reports the store holds, so the result equals a fresh build of the same reports.  `workers` > 1 builds
        in that many processes; ``engine="dask"``
        sends reports to a Dask cluster (`scheduler` address, or a local cluster when None).

        Empty, binary, undecodable, oversized, special and duplicate files, unreadable folders and reports
        whose build fails are skipped with a reason (``kg.report.skipped``) and the rest is stored; with
        ``strict=True`` the first of them raises instead.  When a report's
        text as read differs from its file (an HTML page, a GB18030 file), that text is saved in
        `texts_dir` as ``<sha256>.txt`` so that every evidence offset can be checked against it.

        `metadata` (see `read_metadata`) gives, by file name, what a report's text may not say or says
        wrongly: reporting division, year, title, publisher, source URL.  The builder takes it in place of
        what it detects; a report it names that is already in the store is rebuilt, so the sidecar holds.
        A PDF's page numbers go on its evidence (schema:pageStart).
        """
        problems: list[Skipped] = []
        files = bundled_corpus() if paths is None else discover(paths, problems)
        if strict and problems:
            raise DecodeError(f"{problems[0].path}: {problems[0].reason}")
        gs = GraphStore(store) if store else GraphStore()
        extra, version = _user_vocabulary(vocabulary)
        # Facts depend on the vocabulary: a store read with another one is rebuilt whole.
        reread = gs.vocabulary_version() != version
        gs.add_ontology_data(extra, version)
        report = BuildReport()
        report.skipped.extend(problems)
        report.incomplete = gs.recover() if store else 0
        sources = gs.sources()                       # report graph → file name, as stored
        by_name: dict[str, set[str]] = {}
        for g, name in sources.items():
            by_name.setdefault(name, set()).add(g)
        started = time.perf_counter()
        current: set[str] = set()
        seen: dict[str, str] = {}
        replaces: dict[str, set[str]] = {}           # new graph → old graphs of the same file name
        renames: list[tuple[str, str, str]] = []     # (graph, old name, new name)
        failed_names: set[str] = set()
        metadata = metadata or {}
        unused = set(metadata)
        restated: set[str] = set()                    # graphs in the store rebuilt because the sidecar names them
        given: dict[str, Path] = {}                   # file name → path, to name a failed build's file

        def skip(path: Path, reason: str) -> None:
            if strict:
                raise DecodeError(reason)
            report.skipped.append(Skipped(str(path), reason))
            failed_names.add(path.name)

        def todo() -> Iterator[tuple[str, str, str, bool, ReportInputs | None]]:
            for path in files:
                meta = metadata.get(path.name)
                unused.discard(path.name)
                try:
                    decoded = decode(read_report(path, max_bytes), path.name)
                except (DecodeError, OSError) as e:
                    skip(path, str(e))
                    continue
                report.warnings.extend(decoded.warnings)
                sha = text_sha256(decoded.text)
                if sha in seen:
                    skip(path, f"{path.name}: same content as {seen[sha]}")
                    continue
                seen[sha] = path.name
                given[path.name] = path
                graph = graph_iri(sha)
                current.add(graph)
                report.documents += 1
                report.chars += len(decoded.text)
                if graph in sources and not reread and meta is None:
                    report.unchanged += 1
                    if sources[graph] != path.name:
                        renames.append((graph, sources[graph], path.name))
                    continue
                if graph in sources:
                    restated.add(graph)
                # a graph read again (new vocabulary, sidecar) replaces itself
                old = by_name.get(path.name, set()) - {graph}
                if old:
                    replaces[graph] = set(old)
                inputs = replace(meta or ReportInputs(), pages=decoded.pages)
                yield decoded.text, path.name, decoded.encoding, decoded.derived, inputs

        payloads = run_builders(todo(), workers=workers, engine=engine, scheduler=scheduler)
        if progress:
            payloads = progress(payloads, len(files))
        bulk = bool(store) and len(files) >= BULK_THRESHOLD
        stored: set[str] = set()
        stage_dir = str(store) if store else None
        with tempfile.TemporaryDirectory(prefix=f".govkg-stage-{os.getpid()}-", dir=stage_dir) as tmp:
            stage = _Stage(gs, Path(tmp))
            try:
                for p in payloads:
                    if isinstance(p, Failed):
                        report.documents -= 1
                        skip(given.get(p.source_name, Path(p.source_name)), f"{p.source_name}: {p.reason}")
                        continue
                    if bulk and p.graph not in restated:
                        stage.add(p.graph, p.nquads)          # a large build: bulk loads of bounded size
                    else:
                        gs.replace_graph(p.graph, p.nquads)   # one transaction per report
                    stored.add(p.graph)
                    if texts_dir is not None and p.text is not None:
                        save_text(Path(texts_dir), p.sha256, p.text)
                    report.built += 1
                    changed = p.graph in replaces or p.graph in restated
                    (report.changed if changed else report.added).append(p.source_name)
                    report.facts.update(dict(p.counts))
                    if not p.placed:
                        report.unplaced.append(p.source_name)
            except BaseException:
                stage.abandon()   # the load under way finishes; the chunk being written is not loaded
                raise
            stage.close()
        report.warnings.extend(f"metadata names {name}, which is not among the inputs" for name in sorted(unused))
        for graph, old, new in renames:
            gs.rename(graph, new)
            report.renamed.append((old, new))
        # A changed report's old version goes once the new one is stored; with `prune`, so do reports
        # not among the inputs (but never one whose file failed to read or build this time).
        remove = {old for new, olds in replaces.items() if new in stored for old in olds} - current
        others = set(sources) - current - remove
        if prune and paths is not None and not any(s.reason.startswith("cannot read folder") for s in problems):
            remove |= {g for g in others if sources[g] not in failed_names}
        report.kept = len(set(sources) - current - remove)
        report.removed_names = sorted(sources[g] for g in remove)
        report.removed = len(remove)
        if remove:
            gs.remove_graphs(sorted(remove))
            gs.derive_entities()
        gs.flush(progress=(lambda graphs, n: progress(graphs, n, "indexing adoptions")) if progress else None)
        report.seconds = time.perf_counter() - started
        return cls(gs, report)

    @classmethod
    def remove(cls, store: str | os.PathLike, names: Iterable[str]) -> list[str]:
        """Remove reports from a store folder by file name (gov:sourceName) or by the start of their SHA-256;
        returns the names removed.  A name that matches no report raises KeyError."""
        gs = GraphStore(store)
        gs.recover()
        sources = gs.sources()
        graphs: set[str] = set()
        for name in names:
            match = {g for g, n in sources.items() if n == name}
            if not match and len(name) >= 8 and all(c in "0123456789abcdef" for c in name.lower()):
                match = {g for g in sources if g.rsplit("/", 1)[1].startswith(name.lower()[:16])}
            if not match:
                raise KeyError(f"no report named {name!r} in {store}")
            graphs |= match
        gs.remove_graphs(sorted(graphs))
        gs.derive_entities()
        gs.flush()
        return sorted(sources[g] for g in graphs)

    @classmethod
    def open(cls, path_or_endpoint: str | os.PathLike) -> KnowledgeGraph:
        """Open a graph file (Turtle, N-Triples, N-Quads, TriG, JSON-LD), a store folder, or a SPARQL endpoint
        URL (http://…): queries, spread traces, views, scores and exports then run against the endpoint (whose
        default graph should be the union of the report graphs, e.g. `oxigraph serve --union-default-graph`)."""
        if str(path_or_endpoint).startswith(("http://", "https://")):
            from govkg.kg.remote import RemoteStore
            return cls(RemoteStore(str(path_or_endpoint)))
        return cls(GraphStore.open(path_or_endpoint))

    def load(self, endpoint: str, gsp_url: str | None = None) -> int:
        """Push every named graph (one per report, plus the vocabulary and the shared entities) to a SPARQL
        server through the Graph Store Protocol; each PUT replaces that graph only.  The vocabulary and the
        entities go first, so that an interrupted load leaves reports that can be queried, not entities
        missing under reports.  Returns the number of graphs sent; `PartialLoad` says how many landed."""
        from govkg.kg.remote import graph_store_url, push_graphs
        store = self._local("loading into a server")
        from govkg.builders.emit import ENTITIES_GRAPH
        from govkg.kg.store import MANIFEST_GRAPH, ONTOLOGY_GRAPH
        names = [g for g in store.graphs() if g != MANIFEST_GRAPH]
        if not names:
            raise ValueError("this graph has no named graphs (a Turtle file is one merged graph): load the "
                             "store folder that `govkg build` wrote, e.g. --graph govkg.store")
        first = [g for g in (ONTOLOGY_GRAPH, ENTITIES_GRAPH) if g in names]
        order = first + [g for g in names if g not in first]
        graphs = ((g, store.graph_ntriples(g)) for g in order)
        return push_graphs(graphs, gsp_url or graph_store_url(endpoint), total=len(order))

    def _local(self, what: str) -> GraphStore:
        if not isinstance(self.store, GraphStore):
            raise ValueError(f"{what} needs a local graph (a graph file or store folder), not an endpoint")
        return self.store

    # ------------------------------------------------------------ asking it
    def query(self, name_or_text: str, **params: object) -> Rows:
        """Run a named query (``adopters``), a ``.rq`` file or SPARQL text, with parameters bound as terms.

        Columns holding a bound parameter are left out of the rows: they repeat what was asked.  An unknown
        query name (KeyError), parameter, practice slug or division (QueryParameterError) is named with the
        closest matches; ``division`` takes a GB/T 2260 code, a full name or a short name.

        >>> rows = KnowledgeGraph.build().query("division-practices", division="中卫")   # 中卫市, code 640500
        >>> next(r["firstYear"] for r in rows if r["practice"] == "three-enforcement-systems")
        2017
        """
        try:
            q = queries.load(name_or_text)
            text, declared, named = q.text, q.parameters, True
        except KeyError:
            if not any(w in name_or_text.upper() for w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
                raise KeyError(f"no named query {name_or_text!r}{queries.did_you_mean(name_or_text, queries.names())}"
                               "; `govkg query --list` shows them") from None
            text, declared, named = name_or_text, {k: "" for k in params}, False
        unknown = sorted(set(params) - set(declared))
        if unknown:
            hints = "".join(queries.did_you_mean(u, declared) for u in unknown)
            raise QueryParameterError(f"unknown parameter(s) {', '.join(unknown)}{hints}; this query takes: "
                                      f"{', '.join(declared) or 'none'}")
        bindings = {k: self._resolve(k, v, declared[k]) if named else _typed(v, declared[k])
                    for k, v in params.items() if v is not None}
        result = self.store.query(text, bindings)
        if isinstance(result, Rows) and bindings:
            result = result.only([v for v in result.variables if v not in bindings])
        return result  # type: ignore[return-value]

    def _resolve(self, name: str, value: object, kind: str):
        """A parameter's value as the term to bind.  Practices and divisions are checked against the graph, so
        a misspelt slug or name is an error naming the closest ones rather than an empty answer; a division
        may be given by its GB/T 2260 code, its full name or its name without 市/县/区/省…, and is bound
        as the label the graph holds."""
        if isinstance(value, (ox.NamedNode, ox.Literal)):
            return value
        text = str(value).strip()
        if name == "practice" and kind == "":
            slugs = [r["slug"] for r in select(self.store, "param-practices")]
            if text not in slugs:
                raise QueryParameterError(f"no practice with slug {text!r}{queries.did_you_mean(text, slugs)}")
        if name == "division":
            return self._division(text)
        return _typed(value, kind)

    def _division(self, text: str) -> ox.Literal:
        rows = select(self.store, "param-divisions")
        labels = {r["label"]: t["label"] for r, t in zip(rows.rows, rows.terms or [], strict=False)
                  if isinstance(t["label"], ox.Literal)}     # always: labels are literals
        codes = {r["code"]: r["label"] for r in rows if r["code"]}
        if text in codes:
            return labels[codes[text]]
        if text in labels:
            return labels[text]
        short = sorted({lb for lb in labels if len(text) >= 2 and lb.startswith(text)
                        and DIVISION_SUFFIX.fullmatch(lb[len(text):])})
        if len(short) == 1:
            return labels[short[0]]
        if short:
            raise QueryParameterError(f"division {text!r} could be {', '.join(short)}; give the full name or the code")
        raise QueryParameterError(f"no division {text!r} (a GB/T 2260 code, a full or a short name)"
                                  f"{queries.did_you_mean(text, list(labels) + list(codes))}")

    @property
    def summary(self) -> dict[str, object]:
        """Documents, triples, entities per class and facts per kind."""
        from govkg.kg import state
        held = self.store if isinstance(self.store, GraphStore) else None
        key = state.state(held) if held is not None else None
        counts = state.kept_summary(held, key) if held is not None else None    # an unchanged store: counted before
        if counts is None:
            if held is not None and held.path is not None:     # a store folder: every statement in a named graph
                per_class = _per_class(select(self.store, "summary-classes"),
                                       select(self.store, "summary-classes-vocabulary"))
            else:
                per_class = {r["class"]: r["n"] for r in select(self.store, "summary-classes-union")}
            # Practices come from the vocabulary graph: count the ones the reports name.
            named = select(self.store, "summary-practices")
            per_class["Practice"] = named.rows[0]["n"]
            counts = {"triples": len(self.store), "entities": per_class}
            if held is not None:
                state.keep_summary(held, key, counts)
        return {"documents": counts["entities"].get("Report", 0), "triples": counts["triples"],
                "entities": counts["entities"], "seconds": round(self.report.seconds, 2),
                "skipped": len(self.report.skipped)}

    # ------------------------------------------------------------ getting it out
    def export(self, path: str | os.PathLike, fmt: str | None = None) -> int:
        """Write the graph (ttl, nt, nq, trig, jsonld) atomically and deterministically; returns statements.

        A file this graph was last exported to, unchanged since, is left as it is (see `kg.exporting`)."""
        from govkg.kg import exporting
        if not isinstance(self.store, GraphStore):           # a SPARQL endpoint: no fingerprint to keep
            return self.store.write(path, fmt)
        graph = exporting.fingerprint(self.store, str(format_of(path, fmt)))
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
        Each adopter's `year_source` ("stated", "context", "report" or None) says whether its year orders it;
        `to_dataframe()` is the cascades table with nullable integer years.

        >>> t = KnowledgeGraph.build().spread("three-enforcement-systems")
        >>> t.adopters[0].name, t.adopters[0].first_year, t.milestones[0]["year"]
        ('中卫市', 2017, 2017)
        >>> str(t.to_dataframe()["adopt_year"].dtype)
        'Int64'
        """
        from govkg.kg.spread import trace
        return trace(self.store, practice)

    def candidates(self, stem: str | None = None) -> Rows:
        """Candidate practices found in the corpus, merged by name and ranked by the number of divisions using
        them (the named query ``candidates``); `stem` picks one.  Each row's ``candidates`` are notations that
        `spread` and `view` take like a practice's slug."""
        return self.query("candidates", **({"stem": stem} if stem else {}))

    def evaluate(self, gold: dict, practices: set[str] | None = None) -> dict:
        """Precision, recall and F1 per category against gold annotations (see `govkg.kg.evaluate`);
        `practices` restricts adoptions and spread to those ids and their narrower practices."""
        from govkg.kg.evaluate import evaluate
        return evaluate(self.store, gold, practices)

    def serve(self, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0, **limits):
        """A local read-only SPARQL endpoint over this graph (an http.server; call ``serve_forever()``).
        `limits`: cors, allow_service, max_queries, memory_mb, max_body (see `govkg.kg.serve.make_server`)."""
        from govkg.kg.serve import make_server
        return make_server(self._local("serving"), host, port, timeout, **limits)

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


def _per_class(typed: Rows, in_vocabulary: Rows) -> dict[str, int]:
    """Entities per gov: class (by local name) from the counts graph by graph, less those the vocabulary
    graph types too."""
    less = {r["c"]: r["n"] for r in in_vocabulary}
    out = {}
    for r in typed:
        c = str(r["c"])
        if c.startswith(GOV_IRI):
            n = int(r["n"]) - int(less.get(r["c"], 0))
            if n:
                out[c[len(GOV_IRI):]] = n
    return dict(sorted(out.items()))

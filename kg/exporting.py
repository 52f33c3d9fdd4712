"""Export at any size: statements streamed from the store, sorted and de-duplicated in bounded memory, and
written again only when the graph changed.

Sorting is an external merge sort in Python (sorted runs of RUN_LINES lines spilled to temporary files, then
merged as streams), so it needs no platform tool and no more memory than one run.  Lines compare as UTF-8
bytes: code point order, the same on every machine.

Beside each file it writes, an export keeps ``<file>.digest``: a fingerprint of the graph it wrote (for a
store folder its state, `kg.state`: its named graphs, named by the SHA-256 of each report's text, and the
vocabulary), the format and serialiser, and the size and time of the file.  When all of them still match,
the file is left alone.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox

from govkg.kg.files import atomic_write
from govkg.kg.state import Held, shipped_vocabulary, state

RUN_LINES = 250_000        # lines sorted in memory at a time (about 60 MB of N-Triples)


def sorted_unique(lines: Iterable[bytes], tmp: Path, run_lines: int | None = None) -> Iterator[bytes]:
    """The distinct `lines` in byte order, with at most `run_lines` (RUN_LINES) of them in memory."""
    run_lines = run_lines or RUN_LINES
    runs: list[Path] = []
    run: list[bytes] = []
    for line in lines:
        run.append(line)
        if len(run) >= run_lines:
            runs.append(_spill(sorted(set(run)), tmp, len(runs)))
            run = []
    if not runs:
        yield from sorted(set(run))
        return
    if run:
        runs.append(_spill(sorted(set(run)), tmp, len(runs)))
    with ExitStack() as files:
        streams = [files.enter_context(p.open("rb", buffering=1 << 16)) for p in runs]
        last = None
        for line in heapq.merge(*streams):
            if line != last:
                yield line
                last = line


def _spill(lines: list[bytes], tmp: Path, i: int) -> Path:
    path = tmp / f"run-{i:05d}.nt"
    with path.open("wb", buffering=1 << 20) as f:
        f.writelines(lines)
    return path


def quad_lines(store: ox.Store, dataset: bool) -> Iterator[bytes]:
    """Every statement of the store as an N-Triples line (N-Quads with its graph, for a dataset)."""
    for q in store.quads_for_pattern(None, None, None, None):
        g = "" if not dataset or isinstance(q.graph_name, ox.DefaultGraph) else f" {q.graph_name}"
        yield f"{q.subject} {q.predicate} {q.object}{g} .\n".encode()


def fingerprint(gs: Held, fmt: str) -> str:
    """What identifies the graph an export writes, read without reading its statements (`kg.state`); a graph
    in memory, which carries no such names, by its statements' count as well."""
    h = hashlib.sha256(f"{fmt} pyoxigraph {ox.__version__}\n".encode())     # the serialiser writes the bytes
    key = state(gs)
    if key is None:
        for g in sorted(g.value for g in gs.store.named_graphs()):
            h.update(g.encode("utf-8") + b"\n")
        h.update(f"{len(gs.store)}\n".encode())
        h.update(shipped_vocabulary())
    else:
        h.update(key.encode())
    return h.hexdigest()


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".digest")


def unchanged(path: str | os.PathLike, graph: str) -> int | None:
    """The statements of `path` if it is the file an export of this graph wrote last, else None."""
    path = Path(path)
    try:
        kept = json.loads(_digest_path(path).read_text(encoding="utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return None
    if kept.get("graph") == graph and kept.get("size") == st.st_size and kept.get("mtime_ns") == st.st_mtime_ns:
        return int(kept["statements"])
    return None


def remember(path: str | os.PathLike, graph: str, statements: int) -> None:
    """Keep the digest of what was just written to `path`."""
    path = Path(path)
    st = path.stat()
    record = {"graph": graph, "statements": statements, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    digest = _digest_path(path)
    # a digest lost to a crash costs one export more, never a stale file: no flush to disk
    atomic_write(digest, lambda f: f.write(json.dumps(record, sort_keys=True).encode("utf-8")), 1, sync=False)


def forget(path: str | os.PathLike) -> None:
    try:
        _digest_path(Path(path)).unlink()
    except FileNotFoundError:
        pass

"""What a store folder holds, named without reading its statements, and the summary kept for it.

A report's graph is named by the SHA-256 of the report's text and built to the end before the manifest lists
it; shared descriptions are derived from the reports held, and the vocabulary graph from the shipped files
and the user vocabulary's version.  So the set of graph names, the user vocabulary's version and the shipped
vocabulary files identify the whole graph: when they are the same, so is every statement.  An unchanged
rebuild then reuses the counts of its summary (kept in ``summary.json`` in the store folder) and leaves its
export alone (see `kg.exporting`), instead of counting millions of statements again.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from govkg import ontology
from govkg.kg.files import atomic_write

SUMMARY_FILE = "summary.json"


class Held(Protocol):
    """A graph store as this module reads it (`kg.store.GraphStore`)."""
    path: Path | None
    read_only: bool
    store: ox.Store

    def vocabulary_version(self) -> str: ...


def state(gs: Held) -> str | None:
    """The identity of the graph a store folder holds; None for a graph in memory (read from a file, its
    statements carry no such names, so they must be counted)."""
    if gs.path is None:
        return None
    h = hashlib.sha256(f"govkg store, pyoxigraph {ox.__version__}\n".encode())
    for g in sorted(g.value for g in gs.store.named_graphs()):
        h.update(g.encode("utf-8") + b"\n")
    h.update(f"user vocabulary {gs.vocabulary_version()}\n".encode())
    h.update(shipped_vocabulary())
    return h.hexdigest()


@cache
def shipped_vocabulary() -> bytes:
    h = hashlib.sha256()
    for name in ontology.DATA_FILES:
        p = ontology.path(name)
        if p.exists():
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.digest()


def kept_summary(gs: Held, key: str | None) -> dict | None:
    """The counts kept for this state of the store, if any."""
    if key is None or gs.path is None:
        return None
    try:
        kept = json.loads((gs.path / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return kept["counts"] if isinstance(kept, dict) and kept.get("state") == key else None


def keep_summary(gs: Held, key: str | None, counts: dict) -> None:
    """Keep the counts of this state (a store opened read-only is left as it is)."""
    if key is None or gs.path is None or gs.read_only:
        return
    record = json.dumps({"state": key, "counts": counts}, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:   # a summary lost to a crash costs one count more, never a wrong one: no flush to disk
        atomic_write(gs.path / SUMMARY_FILE, lambda f: f.write(record), 1, sync=False)
    except OSError:
        pass

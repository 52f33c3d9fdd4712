"""Summary and export at any size: counted in the store, streamed and sorted in bounded memory, written
again only when the graph changed."""
from __future__ import annotations

import subprocess

import pytest

from govkg import KnowledgeGraph
from govkg.kg import exporting


class Sealed:
    """An Oxigraph store that answers queries, counts itself and looks up a statement by its subject, but
    hands out no scan of its statements."""

    def __init__(self, real):
        self.real = real

    def quads_for_pattern(self, s, p, o, g=None):
        if s is None and p is None:
            raise AssertionError("the graph's statements were read into Python")
        return self.real.quads_for_pattern(s, p, o, g)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __iter__(self):
        raise AssertionError("the graph's statements were read into Python")

    def __len__(self):
        return len(self.real)


@pytest.fixture()
def built(tmp_path):
    return KnowledgeGraph.build(store=tmp_path / "g.store")


def test_summary_counts_in_the_store(built, monkeypatch):
    exact = len({str(q.triple) for q in built.store.store.quads_for_pattern(None, None, None, None)})
    monkeypatch.setattr(built.store, "store", Sealed(built.store.store))
    monkeypatch.setattr(type(built.store), "triples", lambda self: pytest.fail("triples() materialises the graph"))
    summary = built.summary
    assert summary["triples"] == exact and summary["documents"] == 5
    assert summary["entities"]["Adoption"] > 300
    # an unchanged store gives its kept counts without counting again
    monkeypatch.setattr(built.store, "query", lambda *a, **k: pytest.fail("counted again"))
    assert built.summary["entities"] == summary["entities"] and built.summary["triples"] == exact


def test_export_streams_sorts_in_runs_without_a_platform_tool(built, tmp_path, monkeypatch):
    whole = tmp_path / "whole.ttl"
    n = built.export(whole)
    monkeypatch.setattr(exporting, "RUN_LINES", 1000)            # fifteen runs for the bundled corpus
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("an external program was run"))
    spilled = []
    real_spill = exporting._spill
    monkeypatch.setattr(exporting, "_spill", lambda lines, tmp, i: spilled.append(len(lines)) or real_spill(lines, tmp, i))
    assert built.store.write(tmp_path / "runs.nt") == n == len(built.store)
    assert len(spilled) >= n // 1000 and max(spilled) <= 1000      # never more than a run of lines in memory
    sorted_runs = tmp_path / "runs.ttl"
    assert built.export(sorted_runs) == n and sorted_runs.read_bytes() == whole.read_bytes()


def test_an_unchanged_graph_is_not_exported_again(built, tmp_path, monkeypatch):
    out = tmp_path / "g.nt"
    n = built.export(out)
    before = out.stat().st_mtime_ns
    real = built.store.store
    monkeypatch.setattr(built.store, "store", Sealed(real))
    assert built.export(out) == n and out.stat().st_mtime_ns == before      # nothing read, nothing written
    monkeypatch.setattr(built.store, "store", real)
    assert built.export(tmp_path / "g.ttl") != 0                             # another format is another file
    out.write_bytes(out.read_bytes()[:-1])                                   # the file was edited: written again
    assert built.export(out) == n and out.read_bytes().endswith(b" .\n")
    # a report removed from the store: its graph is gone, so the file is written again
    graph = built.store.report_graphs()[0]
    built.store.remove_graph(graph)
    smaller = built.export(out)
    assert smaller < n and graph.encode() not in out.read_bytes()


def test_a_store_is_true_without_counting(built, monkeypatch):
    """`if store:` must not count millions of statements: a store (even an empty one) is simply true."""
    monkeypatch.setattr(built.store, "query", lambda *a, **k: pytest.fail("counted to test truth"))
    monkeypatch.setattr(built.store, "store", Sealed(built.store.store))
    assert built.store


def test_kept_records_leave_no_temporary_behind(built, tmp_path):
    """The summary kept in the store folder and the export's digest are written whole, through one helper."""
    assert built.summary["documents"] == 5
    built.export(tmp_path / "g.nt")
    folder = built.store.path
    assert (folder / "summary.json").is_file() and (tmp_path / "g.nt.digest").is_file()
    assert not [p.name for p in [*folder.iterdir(), *tmp_path.iterdir()] if p.name.endswith(".tmp")]

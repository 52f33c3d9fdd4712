"""The store stays true: whatever sequence of builds, removals, renames and interruptions, the store's export
equals a fresh build of the same reports byte for byte; each fault found once has one test here."""
from __future__ import annotations

import os
import shutil
import stat
import sys

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from govkg import KnowledgeGraph
from govkg.cli import main
from govkg.kg.api import bundled_corpus
from govkg.kg.store import MANIFEST_GRAPH, SD_NAMED_GRAPH


def fresh(folder, out):
    KnowledgeGraph.build([folder]).export(out)
    return out.read_bytes()


def exported(kg, out):
    kg.export(out)
    return out.read_bytes()


def test_removing_reports_removes_their_shared_entities(corpus, tmp_path):
    store = tmp_path / "g.store"
    del_kg = KnowledgeGraph.build([corpus], store=store)
    del del_kg
    for p in sorted(corpus.iterdir())[1:]:
        p.unlink()
    kg = KnowledgeGraph.build([corpus], store=store, prune=True)
    assert kg.report.removed == 4
    assert exported(kg, tmp_path / "a.ttl") == fresh(corpus, tmp_path / "b.ttl")
    agencies = kg.store.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a gov:Agency }").rows[0]["n"]
    assert agencies == KnowledgeGraph.build([corpus]).store.query(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a gov:Agency }").rows[0]["n"]
    assert kg.validate()[0]


def test_the_dataset_export_equals_a_fresh_build_after_a_change(corpus, tmp_path):
    store = tmp_path / "g.store"
    kg = KnowledgeGraph.build([corpus], store=store)
    del kg
    target = corpus / "002_ec20e51193bd3e3a.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("赤峰市", "某市"), encoding="utf-8")
    kg = KnowledgeGraph.build([corpus], store=store)
    assert kg.report.changed == [target.name]
    kg.export(tmp_path / "a.nq")
    KnowledgeGraph.build([corpus]).export(tmp_path / "b.nq")
    assert (tmp_path / "a.nq").read_bytes() == (tmp_path / "b.nq").read_bytes()


def test_reports_not_given_are_kept_and_prune_removes_them(corpus, tmp_path):
    store = tmp_path / "g.store"
    KnowledgeGraph.build([corpus], store=store).store.flush()
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(sorted(corpus.iterdir())[0], mine / "own.txt")
    kg = KnowledgeGraph.build([mine], store=store)
    assert kg.summary["documents"] == 5 and kg.report.kept == 4 and kg.report.removed == 0
    assert kg.report.renamed == [("000_5b05b909241fc83c.txt", "own.txt")]
    del kg
    kg = KnowledgeGraph.build([mine], store=store, prune=True)
    assert kg.summary["documents"] == 1 and sorted(kg.report.removed_names)[0] == "001_71049110a64369f6.txt"
    assert exported(kg, tmp_path / "a.ttl") == fresh(mine, tmp_path / "b.ttl")


def test_a_renamed_file_gets_its_new_source_name(corpus, tmp_path):
    store = tmp_path / "g.store"
    KnowledgeGraph.build([corpus], store=store).store.flush()
    (corpus / "000_5b05b909241fc83c.txt").rename(corpus / "zhongwei.txt")
    kg = KnowledgeGraph.build([corpus], store=store, prune=True)
    assert kg.report.renamed == [("000_5b05b909241fc83c.txt", "zhongwei.txt")] and kg.report.removed == 0
    names = {r["n"] for r in kg.store.query("SELECT ?n WHERE { ?r gov:sourceName ?n }").rows}
    assert "zhongwei.txt" in names and "000_5b05b909241fc83c.txt" not in names
    assert exported(kg, tmp_path / "a.ttl") == fresh(corpus, tmp_path / "b.ttl")


def test_remove_by_name_from_the_command_line(corpus, tmp_path):
    store = tmp_path / "g.store"
    out = tmp_path / "g.ttl"
    first = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert first.exit_code == 0 and "added: 000_5b05b909241fc83c.txt" in first.output
    result = CliRunner().invoke(main, ["remove", "004_cf16352dc10b8b11.txt", "--store", str(store),
                                       "--out", str(tmp_path / "after.ttl")])
    assert result.exit_code == 0 and "removed 1: 004_cf16352dc10b8b11.txt" in result.output
    (corpus / "004_cf16352dc10b8b11.txt").unlink()
    assert (tmp_path / "after.ttl").read_bytes() == fresh(corpus, tmp_path / "b.ttl")
    missing = CliRunner().invoke(main, ["remove", "nope.txt", "--store", str(store)])
    assert missing.exit_code == 1 and "no report named 'nope.txt'" in missing.output


def _entry(graph):
    return ox.Quad(ox.NamedNode(graph), ox.NamedNode(SD_NAMED_GRAPH[0]), ox.NamedNode(SD_NAMED_GRAPH[1]),
                   ox.NamedNode(MANIFEST_GRAPH))


def test_removal_is_one_transaction_and_recovery_repairs_both_directions(corpus, tmp_path):
    store = tmp_path / "g.store"
    kg = KnowledgeGraph.build([corpus], store=store)
    reference = exported(kg, tmp_path / "ref.ttl")
    a, b, c = sorted(kg.store.complete_graphs())[:3]
    gs = kg.store
    gs.store.remove_graph(ox.NamedNode(a))           # a manifest entry without its graph (a kill mid-removal)
    gs.store.remove(_entry(b))                       # a graph without its manifest entry (a kill mid-build)
    gs.contributions.delete(c)                       # a graph whose entity contribution is lost
    gs.contributions.mark_stale()
    gs.flush()
    del kg, gs
    again = KnowledgeGraph.build([corpus], store=store)
    assert again.report.incomplete == 3 and again.report.built == 3
    assert exported(again, tmp_path / "again.ttl") == reference
    # one removal takes the graph and its manifest entry together
    again.store.remove_graphs([a])
    assert a not in again.store.complete_graphs() and a not in again.store.report_graphs()


# ------------------------------------------------------------------ per-file isolation

def test_a_report_whose_build_fails_is_skipped_by_name_and_the_rest_is_stored(corpus, tmp_path):
    # spaCy refuses a text over a million characters (E088): one such sentence must cost only its report
    (corpus / "huge.txt").write_text("中卫市推行行政执法三项制度," + "依法行政" * 260_000 + "。\n", encoding="utf-8")
    out = tmp_path / "g.ttl"
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "huge.txt" in result.stderr and "E088" in result.stderr
    assert "documents: 5 (built 5" in result.stdout
    (corpus / "huge.txt").unlink()
    assert out.read_bytes() == fresh(corpus, tmp_path / "b.ttl")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)                       # opening it for reading would wait for a writer forever
    kg = KnowledgeGraph.build([fifo, "/dev/zero"])
    reasons = {os.path.basename(s.path): s.reason for s in kg.report.skipped}
    assert "not a regular file" in reasons["pipe.txt"] and "not a regular file" in reasons["zero"]
    folder = tmp_path / "reports"
    folder.mkdir()
    os.mkfifo(folder / "inside.txt")
    assert "not a regular file" in KnowledgeGraph.build([folder]).report.skipped[0].reason


def test_reading_is_bounded_whatever_size_the_file_claims(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_text("依法行政。" * 1000, encoding="utf-8")
    real = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((stat.S_IFREG | 0o644,) + tuple(real(fd))[1:6]
                                                                  + (0,) + tuple(real(fd))[7:10]))
    kg = KnowledgeGraph.build([big], max_bytes=100)      # the size check sees 0, the read stops at 101
    assert "larger than 100 bytes" in kg.report.skipped[0].reason


def test_symbolic_links_are_not_followed_outside_the_folder(corpus, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("中卫市推行行政执法三项制度。", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside)
    (corpus / "inner.txt").symlink_to(corpus / "000_5b05b909241fc83c.txt")
    (corpus / "sub").symlink_to(tmp_path, target_is_directory=True)
    kg = KnowledgeGraph.build([corpus])
    reasons = {os.path.basename(s.path): s.reason for s in kg.report.skipped}
    assert "outside the folder" in reasons["link.txt"]
    assert "same content" in reasons["inner.txt"]         # read (inside), then a duplicate
    assert kg.summary["documents"] == 5


def test_an_unreadable_folder_is_reported_and_its_reports_are_not_pruned(corpus, tmp_path, monkeypatch):
    store = tmp_path / "g.store"
    sub = corpus / "sub"
    sub.mkdir()
    shutil.move(str(corpus / "004_cf16352dc10b8b11.txt"), sub)
    KnowledgeGraph.build([corpus], store=store).store.flush()
    real = os.scandir

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    kg = KnowledgeGraph.build([corpus], store=store, prune=True)
    assert any("cannot read folder" in s.reason and s.path.endswith("sub") for s in kg.report.skipped)
    assert kg.report.removed == 0 and kg.summary["documents"] == 5
    with pytest.raises(ValueError, match="cannot read folder"):
        KnowledgeGraph.build([corpus], store=tmp_path / "h.store", strict=True)


# ------------------------------------------------------------------ read-only commands and locks

def test_read_only_commands_work_while_a_build_holds_the_store(corpus, tmp_path):
    store = tmp_path / "g.store"
    holder = KnowledgeGraph.build([corpus], store=store)      # keeps the store open for writing
    holder.store.flush()
    q = CliRunner().invoke(main, ["query", "reports", "--graph", str(store), "--format", "csv"])
    assert q.exit_code == 0 and q.output.count("\n") == 6, q.output
    e = CliRunner().invoke(main, ["export", "--graph", str(store), "--format", "nt", "--out", str(tmp_path / "x.nt")])
    assert e.exit_code == 0, e.output
    busy = CliRunner().invoke(main, ["build", str(corpus), "--store", str(store), "--out", str(tmp_path / "y.ttl")])
    assert busy.exit_code == 1 and "in use by pid" in busy.output and "Traceback" not in busy.output
    assert len(busy.output.strip().splitlines()) == 1
    del holder


def test_a_folder_that_is_not_a_store_is_neither_read_nor_turned_into_one(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.md").write_text("mine", encoding="utf-8")
    q = CliRunner().invoke(main, ["query", "reports", "--graph", str(folder)])
    assert q.exit_code == 1 and "not a govkg store" in q.output
    b = CliRunner().invoke(main, ["build", "--store", str(folder), "--out", str(tmp_path / "g.ttl")])
    assert b.exit_code == 1 and "not a govkg store" in b.output
    assert [p.name for p in folder.iterdir()] == ["notes.md"]


# ------------------------------------------------------------------ one clear line, never a traceback

def one_line_error(result, *words):
    assert result.exit_code not in (0, None) and "Traceback" not in result.output, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error:") and all(w in last for w in words), result.output
    return last


def test_construct_and_describe_answer_as_triples(tmp_path):
    ttl = tmp_path / "g.ttl"
    KnowledgeGraph.build().export(ttl)
    r = CliRunner().invoke(main, ["query", "CONSTRUCT { ?r gov:sourceName ?n } WHERE { ?r gov:sourceName ?n }",
                                  "--graph", str(ttl), "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("subject,predicate,object") and "000_5b05b909241fc83c.txt" in r.output
    d = CliRunner().invoke(main, ["query", "DESCRIBE <https://w3id.org/govkg/id/division/640500>", "--graph", str(ttl)])
    assert d.exit_code == 0 and "中卫市" in d.output


def test_disk_full_during_export_is_one_line(tmp_path, monkeypatch):
    ttl = tmp_path / "g.ttl"
    KnowledgeGraph.build().export(ttl)
    import errno

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    before = sorted(p.name for p in tmp_path.iterdir())                 # g.ttl and the digest of what it holds
    monkeypatch.setattr(os, "fsync", full)
    r = CliRunner().invoke(main, ["export", "--graph", str(ttl), "--format", "nt", "--out", str(tmp_path / "o.nt")])
    one_line_error(r, "o.nt", "No space left")
    assert sorted(p.name for p in tmp_path.iterdir()) == before         # no temporary or partial file left behind


def test_unwritable_outputs_and_unknown_formats_are_one_line(tmp_path):
    ttl = tmp_path / "g.ttl"
    KnowledgeGraph.build().export(ttl)
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    one_line_error(CliRunner().invoke(main, ["view", "--graph", str(ttl), "--out", str(blocked / "v.html")]), "v.html")
    one_line_error(CliRunner().invoke(main, ["spread", "three-enforcement-systems", "--graph", str(ttl),
                                             "--gexf", str(blocked / "s.gexf")]), "s.gexf")
    one_line_error(CliRunner().invoke(main, ["build", "--out", str(tmp_path / "x.txt")]), "unknown RDF format")


def test_a_corrupted_store_is_one_line(corpus, tmp_path):
    store = tmp_path / "g.store"
    KnowledgeGraph.build([corpus], store=store).store.flush()
    (store / "CURRENT").write_text("MANIFEST-999999\n", encoding="utf-8")
    one_line_error(CliRunner().invoke(main, ["query", "reports", "--graph", str(store)]), str(store))
    one_line_error(CliRunner().invoke(main, ["build", str(corpus), "--store", str(store),
                                             "--out", str(tmp_path / "g.ttl")]), str(store))


@pytest.mark.parametrize("value", ["1_0", "١٠", "10.0", " "])
def test_integer_parameters_are_ascii_digits_only(value):
    from govkg.kg.api import QueryParameterError
    with pytest.raises(QueryParameterError, match="whole number"):
        KnowledgeGraph.build().query("shared-practices", k=value)
    r = CliRunner().invoke(main, ["build", "--max-bytes", value])
    assert r.exit_code == 2 and "whole number" in r.output


def test_untrusted_text_reaches_the_terminal_escaped(tmp_path):
    bad = tmp_path / "evil\x1b[2Jname.txt"
    bad.write_bytes(b"\x00\x01binary")
    r = CliRunner().invoke(main, ["build", str(bad), "--no-store", "--out", str(tmp_path / "g.ttl")])
    assert r.exit_code == 3 and "\x1b" not in r.output and "evil\\x1b[2Jname.txt" in r.output


def test_xml_outputs_are_well_formed_whatever_control_characters_the_text_holds(corpus, tmp_path):
    import xml.dom.minidom
    for p in corpus.iterdir():          # a control character after every comma, as pasted from a web page
        p.write_text(p.read_text(encoding="utf-8").replace("，", "\x01，").replace(",", "\x0b,"), encoding="utf-8")
    kg = KnowledgeGraph.build([corpus])
    trace = kg.spread("three-enforcement-systems")
    assert any("\x01" in d["quote"] or "\x0b" in d["quote"] for _, _, d in trace.graph().edges(data=True))
    kg.export(tmp_path / "g.rdf")
    trace.write_gexf(tmp_path / "s.gexf")
    trace.write_graphml(tmp_path / "s.graphml")
    for name in ("g.rdf", "s.gexf", "s.graphml"):
        xml.dom.minidom.parse(str(tmp_path / name))          # raises if not well-formed
        assert "中卫市" in (tmp_path / name).read_text(encoding="utf-8")


@pytest.mark.dask
def test_the_local_dask_cluster_opens_no_dashboard_port(monkeypatch):
    pytest.importorskip("dask.distributed")
    from distributed import Scheduler

    from govkg.kg import engines
    seen = []
    real = Scheduler.start_http_server

    def record(self, routes, dashboard_address, default_port=0, ssl_options=None):
        out = real(self, routes, dashboard_address, default_port, ssl_options)
        seen.append((dashboard_address, self.http_server))
        return out
    monkeypatch.setattr(Scheduler, "start_http_server", record)
    text = next(iter(bundled_corpus())).read_text(encoding="utf-8")
    payloads = list(engines.run_builders([(text, "a.txt", "utf-8", False)], engine="dask", workers=1))
    assert payloads[0].source_name == "a.txt"
    assert seen and all(addr.startswith("127.0.0.1:") and not addr.endswith(":8787") for addr, _ in seen)


def test_sigterm_during_export_removes_its_temporary_folder(tmp_path):
    import subprocess
    ttl = tmp_path / "g.ttl"
    KnowledgeGraph.build().export(ttl)
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = f"""
import time
from govkg.kg import exporting
def slow(lines, tmp, run_lines=None):
    print("sorting", flush=True)
    time.sleep(120)
    return iter(())
exporting.sorted_unique = slow
from govkg.cli import main
main(["export", "--graph", {str(ttl)!r}, "--format", "nt", "--out", {str(tmp_path / "o.nt")!r}])
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, TMPDIR=str(temp)))
    assert proc.stdout.readline().strip() == b"sorting"
    assert list(temp.glob("govkg-export-*"))
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and b"Traceback" not in err
    assert not list(temp.iterdir()) and not (tmp_path / "o.nt").exists()


def test_temporary_folders_of_killed_runs_are_removed_by_the_next(corpus, tmp_path):
    from govkg.kg.store import remove_stale_temporaries
    dead = tmp_path / "govkg-export-999999999-abc"           # no such process
    alive = tmp_path / f"govkg-export-{os.getpid()}-abc"
    for d in (dead, alive):
        (d / "sub").mkdir(parents=True)
    remove_stale_temporaries(tmp_path, "govkg-export-")
    assert not dead.exists() and alive.exists()
    store = tmp_path / "g.store"
    KnowledgeGraph.build([corpus], store=store).store.flush()
    left = store / ".govkg-stage-999999999-xyz"
    left.mkdir()
    (left / "reports-0.nq").write_text("half a chunk", encoding="utf-8")
    KnowledgeGraph.build([corpus], store=store)
    assert not left.exists()

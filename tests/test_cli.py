"""Every command through click's CliRunner, on the bundled corpus."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest
from click.testing import CliRunner

from govkg.cli import main

RESULTS = {"json": pyoxigraph.QueryResultsFormat.JSON, "xml": pyoxigraph.QueryResultsFormat.XML,
           "csv": pyoxigraph.QueryResultsFormat.CSV, "tsv": pyoxigraph.QueryResultsFormat.TSV}


@pytest.fixture()
def runner():
    return CliRunner()


def test_help_shows_examples(runner):
    for cmd in ([], ["build"], ["query"], ["view"], ["export"], ["validate"], ["eval"]):
        result = runner.invoke(main, cmd + ["-h"])
        assert result.exit_code == 0
        assert "Example" in result.output


def test_build_writes_graph_view_and_prints_summary(runner, tmp_path):
    out, html = tmp_path / "g.ttl", tmp_path / "g.html"
    result = runner.invoke(main, ["build", "--out", str(out), "--html", str(html), "--show", "adopters",
                                  "--param", "practice=three-enforcement-systems"])
    assert result.exit_code == 0, result.output
    assert "documents: 5" in result.output
    assert "Adoption" in result.output and "adoptions" in result.output
    assert "中卫市" in result.output and "piloted" in result.output and "2017" in result.output
    assert out.stat().st_size > 100_000 and html.stat().st_size > 100_000


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv", "xml"])
def test_query_formats(runner, ttl, fmt):
    """Every --format: the same adopters of the Fengqiao experience, read back with a parser of that format."""
    result = runner.invoke(main, ["query", "adopters", "--graph", str(ttl), "--param",
                                  "practice=fengqiao-experience", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "table":
        assert "吴忠市" in result.output and "兰州市" in result.output
        return
    if fmt == "csv":                  # SPARQL CSV carries values only (and a parser cannot read it back)
        rows = list(csv.DictReader(io.StringIO(result.output)))
        assert {"吴忠市", "兰州市"} <= {r["division"] for r in rows} and "2019" in {r["year"] for r in rows}
        return
    # json, xml and tsv are SPARQL 1.1 Query Results that keep language tags and datatypes: a parser reads them
    solutions = list(pyoxigraph.parse_query_results(result.stdout_bytes, format=RESULTS[fmt]))
    assert {"吴忠市", "兰州市"} <= {s["division"].value for s in solutions}
    first = next(s for s in solutions if s["year"] is not None)
    assert first["division"].language == "zh" and first["year"].datatype.value.endswith("#gYear")
    if fmt == "json":
        data = json.loads(result.output)
        assert "practice" not in data["head"]["vars"]        # the bound parameter is not repeated
        assert data["results"]["bindings"][0]["report"]["type"] == "literal"


@pytest.mark.parametrize("payload", ['"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o', "x' || 1=1 }", "} ; DROP ALL",
                                     '中卫市"@zh } UNION { ?s ?p ?o }', "<http://evil>"])
def test_parameters_are_bound_not_interpolated(runner, ttl, payload):
    # a named query checks the slug against the graph: no practice is called that
    result = runner.invoke(main, ["query", "adopters", "--graph", str(ttl), "--param", f"practice={payload}"])
    assert result.exit_code == 2 and "no practice with slug" in result.output
    # a query of one's own binds it as a term: it matches nothing and changes nothing
    own = "SELECT ?practice ?p WHERE { ?p skos:notation ?practice }"
    result = runner.invoke(main, ["query", own, "--graph", str(ttl), "--param", f"practice={payload}",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"] == []
    still = runner.invoke(main, ["query", "reports", "--graph", str(ttl), "--format", "json"])
    assert len(json.loads(still.output)["results"]["bindings"]) == 5


def test_unknown_parameter_is_a_clear_error(runner, ttl):
    result = runner.invoke(main, ["query", "adopters", "--graph", str(ttl), "--param", "colour=red"])
    assert result.exit_code == 2
    assert "unknown parameter" in result.output


def test_missing_graph_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(main, ["query", "adopters", "--graph", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 1
    assert "no such graph file" in result.output


def test_view_export_validate(runner, ttl, tmp_path):
    html = tmp_path / "v.html"
    result = runner.invoke(main, ["view", "--graph", str(ttl), "--practice", "fang-guan-fu", "--out", str(html)])
    assert result.exit_code == 0
    assert "放管服" in html.read_text(encoding="utf-8")
    nt = tmp_path / "g.nt"
    result = runner.invoke(main, ["export", "--graph", str(ttl), "--format", "nt", "--out", str(nt)])
    assert result.exit_code == 0 and nt.stat().st_size > 100_000
    jl = tmp_path / "g.jsonld"
    assert runner.invoke(main, ["export", "--graph", str(ttl), "--format", "jsonld", "--out", str(jl)]).exit_code == 0
    assert json.loads(jl.read_text(encoding="utf-8"))
    result = runner.invoke(main, ["validate", "--graph", str(ttl)])
    assert result.exit_code == 0 and "Conforms: True" in result.output


def test_eval_prints_every_category(runner, ttl):
    from pathlib import Path
    gold = Path(__file__).parent / "fixtures" / "seeds_gold.json"
    result = runner.invoke(main, ["eval", "--gold", str(gold), "--graph", str(ttl)])
    assert result.exit_code == 0, result.output
    for cat in ("divisions", "agencies", "adoptions", "spread", "regulations", "outcomes", "awards"):
        assert cat in result.output


def test_build_skips_bad_files_with_reasons(runner, tmp_path):
    from govkg.kg.api import bundled_corpus
    corpus = tmp_path / "in"
    corpus.mkdir()
    good = bundled_corpus()[0]
    (corpus / good.name).write_bytes(good.read_bytes())
    (corpus / "copy.txt").write_bytes(good.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(main, ["build", str(corpus), "--out", str(tmp_path / "g.ttl")])
    assert result.exit_code == 3, result.output
    assert "documents: 1" in result.output
    assert "copy.txt" in result.output and "empty.txt" in result.output and "binary.txt" in result.output
    strict = runner.invoke(main, ["build", str(corpus), "--strict", "--out", str(tmp_path / "s.ttl")])
    assert strict.exit_code == 1


def test_query_and_spread_print_a_head_on_a_terminal_and_everything_when_piped(runner, ttl, monkeypatch):
    args = ["query", "adopters", "--graph", str(ttl), "--param", "practice=fang-guan-fu"]
    piped = runner.invoke(main, args)
    total = int(piped.output.rsplit("(", 1)[1].split(" ")[0])
    assert total > 20 and piped.output.count("\n") == total + 3              # header, rule, rows, count
    head = runner.invoke(main, args + ["--limit", "5"])
    assert head.output.count("\n") == 5 + 3 and f"(5 of {total} rows; {total - 5} more" in head.output
    csv_head = runner.invoke(main, args + ["--limit", "5", "--format", "csv"])
    assert csv_head.stdout.count("\n") == 6 and f"{total - 5} more" in csv_head.stderr   # the data stays CSV
    monkeypatch.setattr("govkg.cli._terminal", lambda: True)
    tty = runner.invoke(main, args)
    assert tty.output.count("\n") == 20 + 3 and f"(20 of {total} rows" in tty.output
    assert runner.invoke(main, args + ["--all"]).output == piped.output
    assert "not both" in runner.invoke(main, args + ["--all", "--limit", "3"]).output
    trace = runner.invoke(main, ["spread", "fang-guan-fu", "--graph", str(ttl), "--limit", "1"])
    full = runner.invoke(main, ["spread", "fang-guan-fu", "--graph", str(ttl), "--all"])
    adopters = full.output.split("Adoption timeline")[1].split("累计采纳")[0].count("\n        “")
    assert adopters > 1 and f"… {adopters - 1} more adopters" in trace.output
    assert len(trace.output) < len(full.output)


def test_terminal_output_escapes_exactly_the_unsafe_characters():
    # every control, bidirectional override and lone surrogate the table names is shown escaped, and nothing
    # else changes (Chinese, tabs, newlines and the arrows of a trace pass through)
    from govkg.cli import _UNSAFE, safe
    text = "".join(chr(c) for c in range(0xE100)) + "瓮安县 → 贞丰县\t2022\n"
    out = safe(text)
    assert out == "".join(_UNSAFE.get(ord(ch), ch) for ch in text)
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b" in out and "瓮安县 → 贞丰县\t2022\n" in out

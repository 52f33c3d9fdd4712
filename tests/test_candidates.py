"""New practices found in the corpus: candidates read per report, merged and ranked over the store, listed by
`govkg candidates`, traced by `govkg spread`, and promoted into practices by `govkg build --vocabulary`."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from govkg.builders import lexicon
from govkg.cli import main

# Three reports of three divisions naming one practice that the vocabulary does not hold, in three wordings:
# quoted with 制度, unquoted with 制度 after an adopting verb, unquoted with 机制.
REPORTS = {
    "a.txt": "宜昌市2021年法治政府建设情况报告\n\n2021年,宜昌市全面推行“涉企检查码”制度,检查次数下降三成。\n",
    "b.txt": "襄阳市2022年法治政府建设情况报告\n\n2022年,襄阳市探索推行涉企检查码制度。\n",
    "c.txt": "荆州市2022年法治政府建设情况报告\n\n荆州市建立健全涉企检查码机制,规范行政检查。\n",
}


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def shipped_vocabulary():
    yield
    lexicon.use_vocabulary([])     # a build with --vocabulary leaves its files in force for the process


def build(runner, corpus, store, *extra):
    result = runner.invoke(main, ["build", str(corpus), "--out", str(store.with_suffix(".ttl")),
                                  "--store", str(store), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_candidates_are_merged_across_wordings_and_ranked_by_divisions(corpus, tmp_path):
    runner = CliRunner()
    store = tmp_path / "g.store"
    build(runner, corpus, store)
    result = runner.invoke(main, ["candidates", "--graph", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    top = rows[0]
    assert top["stem"] == "涉企检查码"
    assert top["divisions"] == 3
    assert set(top["adopters"].split("、")) == {"宜昌市", "襄阳市", "荆州市"}
    assert top["firstYear"] == 2021
    assert set(top["candidates"].split()) == {"candidate/涉企检查码制度", "candidate/涉企检查码机制"}
    assert "涉企检查码" in top["evidence"]
    # the table and --min-divisions
    table = runner.invoke(main, ["candidates", "--graph", str(store), "--min-divisions", "2"])
    assert "涉企检查码" in table.output and "(1 rows)" in table.output


def test_a_candidate_is_traced_like_a_practice(corpus, tmp_path):
    runner = CliRunner()
    store = tmp_path / "g.store"
    build(runner, corpus, store)
    result = runner.invoke(main, ["spread", "candidate/涉企检查码制度", "--graph", str(store)])
    assert result.exit_code == 0, result.output
    assert re.search(r"2021\s+宜昌市", result.output) and "襄阳市" in result.output


def test_a_user_vocabulary_promotes_a_candidate_and_a_change_of_vocabulary_rebuilds(corpus, tmp_path):
    runner = CliRunner()
    store = tmp_path / "g.store"
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps([{
        "id": "enterprise-inspection-code", "zh": "涉企检查码制度", "en": "Inspection codes for enterprises",
        "definition": "对企业的行政检查须扫码登记、事后可查的制度。", "chapter": "administrative-enforcement",
        "broader": None, "parts": [], "aliases": ["涉企检查码", "涉企检查码机制"]}], ensure_ascii=False),
        encoding="utf-8")
    build(runner, corpus, store, "--vocabulary", str(extra))
    answer = json.loads(runner.invoke(main, ["query", "adopters", "--graph", str(store), "--param",
                                             "practice=enterprise-inspection-code", "--format", "json"]).output)
    rows = [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]  # SPARQL Results JSON
    assert {r["division"] for r in rows} == {"宜昌市", "襄阳市", "荆州市"}
    assert {r["practiceLabel"] for r in rows} == {"涉企检查码制度"}
    listed = json.loads(runner.invoke(main, ["candidates", "--graph", str(store), "--format", "json"]).output)
    assert not any("涉企检查码" in r["stem"] for r in listed)
    # the same reports without the vocabulary: read again, the practice is a candidate again
    lexicon.use_vocabulary([])
    assert "built 3, unchanged 0" in build(runner, corpus, store)
    listed = json.loads(runner.invoke(main, ["candidates", "--graph", str(store), "--format", "json"]).output)
    assert listed[0]["stem"] == "涉企检查码"
    # and unchanged reports with an unchanged vocabulary are skipped
    assert "built 0, unchanged 3" in build(runner, corpus, store)


def test_a_vocabulary_file_that_is_not_a_list_of_practices_is_a_one_line_error(corpus, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"zh": "无编号"}]', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "g.ttl"), "--no-store",
                                       "--vocabulary", str(bad)])
    assert result.exit_code == 1 and "needs an id" in result.output and "Traceback" not in result.output

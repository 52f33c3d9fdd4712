"""`govkg query` as a user meets it: standard input, closest matches for what is misspelt, divisions by code
or name.  The real CLI on the bundled corpus."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govkg.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, ["query", *map(str, args)], input=input)


def test_a_query_from_standard_input(ttl):
    r = run("-", "--graph", ttl, "--format", "json",
            input="SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a gov:Report }\n")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["results"]["bindings"][0]["n"]["value"] == "5"
    ask = run("-", "--graph", ttl, "--format", "xml", input="ASK { ?a a gov:Adoption }")
    assert ask.exit_code == 0 and "<boolean>true</boolean>" in ask.output
    empty = run("-", "--graph", ttl, input="  \n")
    assert empty.exit_code == 2 and "no query on standard input" in empty.output


@pytest.mark.parametrize("args, wanted", [
    (["adoptrs"], "did you mean adopters"),
    (["adopters", "--param", "practise=fengqiao-experience"], "did you mean practice"),
    (["adopters", "--param", "practice=fengqiao-experiance"], "did you mean fengqiao-experience"),
    (["division-practices", "--param", "division=中为市"], "did you mean 中卫市"),
    (["division-practices", "--param", "division=6405000"], "did you mean 640500"),
])
def test_what_is_misspelt_gets_the_closest_matches_in_one_line(ttl, args, wanted):
    r = run(*args, "--graph", ttl)
    assert r.exit_code == 2, r.output
    error = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and wanted in error[0] and "Traceback" not in r.output


def test_a_misspelt_slug_is_not_an_empty_answer(ttl):
    right = run("adopters", "--graph", ttl, "--param", "practice=three-enforcement-systems", "--format", "json")
    assert len(json.loads(right.output)["results"]["bindings"]) > 10
    wrong = run("adopters", "--graph", ttl, "--param", "practice=three-enforcement-system", "--format", "json")
    assert wrong.exit_code == 2 and "no practice with slug 'three-enforcement-system'" in wrong.output


@pytest.mark.parametrize("division", ["640500", "中卫市", "中卫"])
def test_a_division_by_code_full_or_short_name(ttl, division):
    r = run("division-practices", "--graph", ttl, "--param", f"division={division}", "--format", "json")
    assert r.exit_code == 0, r.output
    practices = {b["practice"]["value"] for b in json.loads(r.output)["results"]["bindings"]}
    assert "three-enforcement-systems" in practices and len(practices) > 20


def test_every_form_of_a_division_gives_the_same_answer(ttl):
    answers = {d: run("division-practices", "--graph", ttl, "--param", f"division={d}", "--format", "csv").output
               for d in ("640500", "中卫市", "中卫")}
    assert len(set(answers.values())) == 1
    other = run("division-practices", "--graph", ttl, "--param", "division=620100", "--format", "csv").output
    assert other != answers["640500"] and other.count("\n") > 1

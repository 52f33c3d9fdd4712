"""Shared fixtures: the bundled corpus built once per test session, and its texts."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkg import KnowledgeGraph
from govkg.kg.api import bundled_corpus

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.build()


@pytest.fixture(scope="session")
def ttl(kg, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "govkg.ttl"
    kg.export(path)
    return path


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    """Report texts as read (UTF-8), keyed by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in bundled_corpus()}


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads((FIXTURES / "seeds_gold.json").read_text(encoding="utf-8"))


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """A writable copy of the bundled corpus in a folder of its own (a test may edit, remove or rename files)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in bundled_corpus():
        shutil.copy(p, folder / p.name)
    return folder

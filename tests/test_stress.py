"""A few runs of the interruption stress (bench/stress.py): kill an operation on the store at a random point,
rebuild, and compare byte for byte with a fresh build.  `python bench/stress.py --runs 30` runs more."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from stress import stress  # noqa: E402


def test_interrupted_operations_recover_to_a_fresh_build(tmp_path):
    outcomes = stress(3, seed=3, work=tmp_path, log=lambda line: None)
    assert [o.crash for o in outcomes] == ["", "", ""]
    assert all(o.same for o in outcomes), outcomes

"""The bundled corpus builds to exactly the N-Quads of the golden file, byte for byte.

When a change is meant to move the output, regenerate the golden file with
``python bench/same_output.py golden`` and review the difference (see docs/extending.md).
"""
import gzip
from pathlib import Path

from govkg.builders.pipeline import build_text
from govkg.kg.api import bundled_corpus

GOLDEN = Path(__file__).parent / "fixtures" / "corpus.nq.gz"


def test_bundled_corpus_nquads_are_byte_identical_to_the_golden_file():
    got = "".join("".join(build_text(p.read_text(encoding="utf-8"), p.name).nquads) for p in sorted(bundled_corpus()))
    want = gzip.decompress(GOLDEN.read_bytes()).decode("utf-8")
    if got != want:
        lost, gained = set(want.splitlines()) - set(got.splitlines()), set(got.splitlines()) - set(want.splitlines())
        raise AssertionError(f"{len(lost)} lines lost, {len(gained)} gained; e.g. lost {sorted(lost)[:2]}, "
                             f"gained {sorted(gained)[:2]}")
    assert got.count("\n") > 9000

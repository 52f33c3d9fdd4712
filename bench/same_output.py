"""Check that a change to the builders changes no output: N-Quads of the bundled corpus and of synthetic
reports, compared byte for byte with a reference recorded before the change.

    python bench/same_output.py record REF_DIR          # before: writes REF_DIR/{synthetic/,*.nq}
    python bench/same_output.py check REF_DIR           # after: rebuilds and compares, exit 1 on a difference
    python bench/same_output.py golden                  # rewrite tests/fixtures/corpus.nq.gz (output meant to change)

The synthetic reports are written once, at `record`, and read back at `check`: `bench/generate.py` uses
the builders itself (sentences, divisions), so regenerating them would test two things at once.  `check`
also regenerates them and reports whether the generator's output moved.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from govkg.builders.pipeline import build_text  # noqa: E402
from govkg.kg.api import bundled_corpus  # noqa: E402

from generate import generate  # noqa: E402

GOLDEN = Path(__file__).parents[1] / "tests" / "fixtures" / "corpus.nq.gz"
SYNTHETIC = 300
SEED = 7


def nquads(paths: list[Path]) -> str:
    out = []
    for p in sorted(paths):
        r = build_text(p.read_text(encoding="utf-8"), p.name)
        out.append("".join(r.nquads))
    return "".join(out)


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def record(ref: Path) -> None:
    ref.mkdir(parents=True, exist_ok=True)
    synth = generate(SYNTHETIC, ref / "synthetic", seed=SEED)
    (ref / "corpus.nq").write_text(nquads(bundled_corpus()), encoding="utf-8")
    (ref / "synthetic.nq").write_text(nquads(synth), encoding="utf-8")
    (ref / "synthetic.sha256").write_text(_digest(synth) + "\n")
    print(f"recorded {len(bundled_corpus())} bundled and {len(synth)} synthetic reports in {ref}")


_EVIDENCE = "<https://w3id.org/govkg/ontology#evidence>"
_QUOTE = "<https://w3id.org/govkg/ontology#quote>"


def moved_sentences(changed: set[str], lines: set[str]) -> list[str]:
    """The evidence sentences of the facts whose lines changed: where a cue or a rule made a difference."""
    subjects = {line.split(" ", 1)[0] for line in changed}
    evidence = {line.split(" ")[2] for line in lines if line.split(" ", 2)[1] == _EVIDENCE
                and line.split(" ", 1)[0] in subjects}
    quotes = set()
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if predicate == _QUOTE and (subject in evidence or subject in subjects):
            literal = rest.rsplit(" <", 1)[0][1:-1]
            quotes.add(literal.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"))
    return sorted(quotes)


def check(ref: Path) -> bool:
    ok = True
    for name, paths in (("corpus", bundled_corpus()), ("synthetic", sorted((ref / "synthetic").glob("*.txt")))):
        got = nquads(paths)
        want = (ref / f"{name}.nq").read_text(encoding="utf-8")
        if got == want:
            print(f"{name}: identical ({len(paths)} reports, {got.count(chr(10))} lines)")
        else:
            ok = False
            a, b = set(want.splitlines()), set(got.splitlines())
            print(f"{name}: DIFFERENT: {len(a - b)} lines lost, {len(b - a)} lines gained")
            for line in sorted(a - b)[:5]:
                print("  -", line)
            for line in sorted(b - a)[:5]:
                print("  +", line)
            for quote in moved_sentences((a - b) | (b - a), a | b)[:20]:
                print("  moved:", quote)
    with tempfile.TemporaryDirectory() as tmp:
        again = _digest(generate(SYNTHETIC, Path(tmp), seed=SEED))
    same = again == (ref / "synthetic.sha256").read_text().strip()
    print("generator:", "same reports" if same else "DIFFERENT reports")
    return ok and same


def golden() -> None:
    """The bundled corpus's N-Quads as the golden file `tests/test_golden.py` compares with (gzip without a
    timestamp, so the same output gives the same bytes)."""
    GOLDEN.write_bytes(gzip.compress(nquads(bundled_corpus()).encode("utf-8"), mtime=0))
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("record", "check", "golden"))
    ap.add_argument("ref", type=Path, nargs="?")
    args = ap.parse_args()
    if args.action == "golden":
        golden()
    elif args.ref is None:
        ap.error("record and check need a reference folder")
    elif args.action == "record":
        record(args.ref)
    else:
        sys.exit(0 if check(args.ref) else 1)

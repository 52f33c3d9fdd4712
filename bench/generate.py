"""Synthetic corpus for benchmarks: real sentences of the bundled reports, re-attributed to other real
divisions from the GB/T 2260 gazetteer and other years, so the facts are realistic and national.

    python bench/generate.py 1000 /tmp/corpus --seed 7

Deterministic for a seed: the same arguments write the same files.
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from govkg.builders import gazetteer
from govkg.builders.context import detect
from govkg.builders.recognise import find_divisions
from govkg.builders.text import normalise, sentences
from govkg.kg.api import bundled_corpus

YEAR = re.compile(r"(20[12]\d)(\s*年)")


def _seed_sentences() -> list[tuple[list[str], list[str]]]:
    """Per bundled report: (names of its own division, its body sentences)."""
    gaz = gazetteer.load()
    out = []
    for path in bundled_corpus():
        text = path.read_text(encoding="utf-8")
        norm = normalise(text)
        ctx = detect(text, norm, find_divisions(norm), lambda o: False)
        d = gaz[ctx.division]
        names = sorted({d.name, *d.short}, key=len, reverse=True)
        body = [text[s.start:s.end] for s in sentences(norm) if s.zone in ("body", "heading") and s.end - s.start > 12]
        out.append((names, body))
    return out


def generate(n: int, out: Path, seed: int = 7, sentences_per_doc: int | None = None) -> list[Path]:
    """`n` reports in `out`.  By default each has as many sentences as makes it, on average, as long as the
    bundled reports."""
    rng = random.Random(seed)
    gaz = gazetteer.load()
    targets = sorted((d for d in gaz.by_code.values() if d.level in ("county", "prefecture") and d.longitude),
                     key=lambda d: d.code)
    seeds = _seed_sentences()
    if sentences_per_doc is None:
        reports = bundled_corpus()
        mean_report = sum(len(p.read_text(encoding="utf-8")) for p in reports) / len(reports)
        body = [s for _, sents in seeds for s in sents]
        sentences_per_doc = round(mean_report / (sum(map(len, body)) / len(body)))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        target = targets[rng.randrange(len(targets))]
        year = rng.randrange(2015, 2024)
        shift = year - 2020
        lines = [f"{target.name}{year}年法治政府建设情况的报告", "",
                 f"{year}年,{target.name}深入推进依法行政,加快建设法治政府。"]
        for _ in range(sentences_per_doc):
            names, body = seeds[rng.randrange(len(seeds))]
            s = body[rng.randrange(len(body))]
            for name in names:
                s = s.replace(name, target.name)
            s = YEAR.sub(lambda m, shift=shift: f"{int(m.group(1)) + shift}{m.group(2)}", s)
            lines.append(s)
        path = out / f"{i:06d}_{target.code}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(f"wrote {len(generate(args.n, args.out, args.seed))} reports to {args.out}")

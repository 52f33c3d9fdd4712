"""govkg benchmark: build throughput, memory, incremental rebuild and query latency on a synthetic corpus.

    python bench/run.py --docs 1000 --workers 2            # one size
    python bench/run.py --compare 1000 10000 --workers 2   # memory flatness: each size in its own process

Prints its figures; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

from govkg import KnowledgeGraph  # noqa: E402


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def show(figures: dict) -> None:
    for k, v in figures.items():
        print(f"{k:16s} {v}", flush=True)


def stages(corpus: Path, tmp: Path, sample: int = 200) -> dict:
    """Where the end-to-end time goes: the builder alone in one process, and Oxigraph's bulk load alone
    (on-disk store), on the first `sample` reports."""
    import pyoxigraph as ox
    from govkg.builders.pipeline import build_text
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in sorted(corpus.glob("*.txt"))[:sample]]
    build_text(*texts[0])                                   # lexicons and automata loaded before timing
    t = time.perf_counter()
    lines = [line for text, name in texts for line in build_text(text, name).nquads]
    build_s = time.perf_counter() - t
    nq = tmp / "sample.nq"
    nq.write_text("".join(lines), encoding="utf-8")
    store = ox.Store(str(tmp / "sample.store"))
    t = time.perf_counter()
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS, lenient=True)
    load_s = time.perf_counter() - t
    chars = sum(len(text) for text, _ in texts)
    return {"builder_only_chars_per_s": round(chars / build_s), "load_only_quads_per_s": round(len(lines) / load_s),
            "quads_per_char": round(len(lines) / chars, 3)}


def run(docs: int, workers: int, keep: Path | None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="govkg-bench-"))
    try:
        corpus = tmp / "corpus"
        generate(docs, corpus)
        store = (keep or tmp) / "bench.store"
        if store.exists():
            shutil.rmtree(store)
        t = time.perf_counter()
        kg = KnowledgeGraph.build([corpus], store=store, workers=workers)
        build_s = time.perf_counter() - t
        chars = kg.report.chars
        rss = peak_rss_mb()                # before anything else touches memory
        quads = len(kg.store.store)        # statements as stored (counted by Oxigraph, not in Python)
        figures = {"docs": docs, "workers": workers, "chars": chars, "quads": quads,
                   "build_s": round(build_s, 2), "chars_per_s": round(chars / build_s),
                   "docs_per_s": round(docs / build_s, 1), "quads_per_s": round(quads / build_s),
                   "peak_rss_mb": round(rss, 1)}
        show(figures)
        del kg
        t = time.perf_counter()
        again = KnowledgeGraph.build([corpus], store=store, workers=workers)
        rebuild_s = time.perf_counter() - t
        figures |= {"rebuild_s": round(rebuild_s, 2), "rebuild_share": round(rebuild_s / build_s, 4),
                    "rebuild_built": again.report.built}
        show({k: figures[k] for k in ("rebuild_s", "rebuild_share", "rebuild_built")})
        figures["stages"] = stages(corpus, tmp)
        show(figures["stages"])
        latency = {}
        for name, call in (
                ("adopters(three-enforcement-systems)", lambda: again.query("adopters", practice="three-enforcement-systems")),
                ("first-adopters-by-province(fengqiao-experience)",
                 lambda: again.query("first-adopters-by-province", practice="fengqiao-experience")),
                ("division-practices(中卫市)", lambda: again.query("division-practices", division="中卫市")),
                ("spread-statements(fang-guan-fu)", lambda: again.query("spread-statements", practice="fang-guan-fu")),
                ("spread(fengqiao-experience)", lambda: again.spread("fengqiao-experience"))):
            latency[name] = timed(call, repeat=2)
            show({name: round(latency[name], 3)})
        figures["latency_s"] = {k: round(v, 3) for k, v in latency.items()}
        show({"latency_s": figures["latency_s"]})
        return figures
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="keep the built store in this folder")
    ap.add_argument("--compare", type=int, nargs=2, metavar=("SMALL", "LARGE"),
                    help="run both sizes in separate processes and print the peak-memory ratio")
    args = ap.parse_args()
    if args.compare:
        results = []
        for n in args.compare:
            out = subprocess.run([sys.executable, __file__, "--docs", str(n), "--workers", str(args.workers)],
                                 capture_output=True, text=True, check=True).stdout
            print(out, end="", flush=True)
            results.append(json.loads(out.strip().splitlines()[-1]))
        print(f"peak RSS ratio {args.compare[1]}/{args.compare[0]} docs: "
              f"{results[1]['peak_rss_mb'] / results[0]['peak_rss_mb']:.2f}")
        return
    figures = run(args.docs, args.workers, args.keep)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

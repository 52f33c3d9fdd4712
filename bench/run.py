"""govkg benchmark: the commands a user runs, each timed as a whole process with its peak memory, on a
synthetic national corpus.

    python bench/run.py --docs 1000 --workers 2            # one size
    python bench/run.py --compare 1000 10000 --workers 2   # both sizes, and the peak-memory ratio
    python bench/run.py --docs 1000 --work /tmp/b1000      # keep corpus, store and outputs (corpus reused next time)
    python bench/run.py --docs 10000 --work /tmp/b10k --reuse   # and the store: time all but the first build

Timed, each as its own `govkg` process: `build` end to end (build, summary and Turtle export), the same
build again with nothing changed, `view` (overview, one practice family, one division), `spread` for the
three seed families, and every named query with the parameters of its example.  Peak memory is the largest
resident set of the process and the workers it started (wait4).  Then, in this process, the builder's and
the store's speed each alone on a sample.  Prints its figures and the issue's targets beside them;
nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from govkg import queries  # noqa: E402

from generate import generate  # noqa: E402

SEED_FAMILIES = ("three-enforcement-systems", "fengqiao-experience", "fang-guan-fu")
# Targets on a 2-core machine (see the benchmark section of the README).
TARGETS = {"build_chars_per_s": 500_000, "rebuild_share": 0.05, "view_s": 3.0, "spread_s": 1.0, "query_s": 1.0,
           "memory_ratio": 1.5}


def govkg() -> list[str]:
    """The `govkg` command of the Python running this script."""
    exe = Path(sys.executable).with_name("govkg")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "govkg"]


def timed(args: list[str], cwd: Path, timeout: float | None = None) -> dict:
    """Run one command to the end (or stop it after `timeout` seconds: "stopped" is then set): seconds, CPU
    seconds (its own and its workers'; on a shared machine the steadier figure), peak resident memory (MB)
    and the last line it printed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(govkg() + args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stopped = timer is not None and not timer.is_alive() and seconds >= timeout  # type: ignore[operator]
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if stopped:
        return {"s": round(seconds, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_mb": round(usage.ru_maxrss / 1024, 1), "out": text, "last": f"stopped after {timeout:g} s",
                "stopped": True}
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"govkg {shlex.join(args)} failed ({proc.returncode}):\n{text[-2000:]}")
    lines = text.strip().splitlines()
    return {"s": round(seconds, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "out": text,
            "last": lines[-1] if lines else ""}


def show(name: str, r: dict, note: str = "") -> None:
    print(f"{name:58s} {r['s']:8.2f} s {r['cpu_s']:8.2f} s CPU {r['peak_mb']:8.1f} MB  {note}", flush=True)


def example_args(name: str) -> list[str]:
    """The arguments of a named query's example line (after `govkg query NAME`)."""
    for line in queries.load(name).text.splitlines():
        if line.startswith("# Example:"):
            return shlex.split(line.split(":", 1)[1])[2:]
    return [name]


def stages(corpus: Path, tmp: Path, sample: int = 200) -> dict:
    """The builder alone in one process, and Oxigraph's bulk load alone (on-disk store), on a sample."""
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


def run(docs: int, workers: int, work: Path, reuse: bool = False, timeout: float | None = None) -> dict:
    corpus = work / "corpus"
    if len(list(corpus.glob("*.txt"))) != docs:
        shutil.rmtree(corpus, ignore_errors=True)
        generate(docs, corpus)
        reuse = False                      # a new corpus: its store must be built
    chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt"))
    reuse = reuse and (work / "bench.store").is_dir()
    if not reuse:
        for stale in ("bench.ttl", "bench.ttl.digest", "bench.store", "bench.texts"):
            p = work / stale
            shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    figures: dict = {"docs": docs, "workers": workers, "chars": chars, "commands": {}}
    cmds = figures["commands"]
    build = ["build", "corpus", "--out", "bench.ttl", "--workers", str(workers)]
    r = timed(build, work)
    statements = int(r["out"].split(" statements)")[0].rsplit("(", 1)[1])
    name = "govkg " + shlex.join(build) + ("  (store reused: summary and export only)" if reuse else "")
    figures |= {"statements": statements, "build_s": r["s"], "build_chars_per_s": round(chars / r["s"]),
                "peak_mb": r["peak_mb"], "reused": reuse}
    cmds[name] = {k: r[k] for k in ("s", "cpu_s", "peak_mb")}
    show(name, r, f"{chars / r['s'] / 1e6:.3f} M chars/s, {statements} statements" if not reuse
         else f"{statements} statements")
    r = timed(build, work)
    assert "built 0" in r["out"], r["out"]
    figures["rebuild_s"] = r["s"]
    figures["rebuild_share"] = None if reuse else round(r["s"] / figures["build_s"], 4)
    cmds["govkg " + shlex.join(build) + "  (unchanged)"] = {k: r[k] for k in ("s", "cpu_s", "peak_mb")}
    show("govkg " + shlex.join(build) + "  (unchanged)", r,
         "the build was not timed" if reuse else f"{100 * figures['rebuild_share']:.1f} % of the build")
    graph = ["--graph", "bench.store"]
    first = work / "first-division.rq"           # a division of the corpus, asked without reading all reports
    first.write_text("SELECT ?division WHERE { ?r a gov:Report ; gov:aboutDivision ?d . ?d rdfs:label ?division }"
                     " LIMIT 1\n", encoding="utf-8")
    found = timed(["query", str(first), *graph, "--format", "csv"], work)["out"]
    division = next(csv.DictReader(io.StringIO(found)))["division"]
    commands = [["view", *graph, "--out", "overview.html"],
                ["view", *graph, "--practice", "fengqiao-experience", "--out", "family.html"],
                ["view", *graph, "--division", division, "--out", "division.html"]]
    commands += [["spread", slug, *graph] for slug in SEED_FAMILIES]
    commands += [["query", *example_args(name), *graph] for name in queries.names()]
    for args in commands:
        r = timed(args, work, timeout)
        name = "govkg " + shlex.join(args)
        cmds[name] = {k: r[k] for k in ("s", "cpu_s", "peak_mb")} | ({"stopped": True} if r.get("stopped") else {})
        if args[0] == "view" and not r.get("stopped"):
            cmds[name]["page_mb"] = round((work / args[-1]).stat().st_size / 1e6, 2)
        figures["peak_mb"] = max(figures["peak_mb"], r["peak_mb"])
        show(name, r, f"page {cmds[name]['page_mb']} MB" if "page_mb" in cmds[name] else r["last"][:40])
    with tempfile.TemporaryDirectory(prefix="govkg-bench-") as tmp:
        figures["stages"] = stages(corpus, Path(tmp))
    print(json.dumps(figures["stages"]), flush=True)
    print("targets: " + "; ".join(verdicts(figures)), flush=True)
    return figures


def verdicts(f: dict) -> list[str]:
    def worst(prefix: str) -> tuple[float, str]:
        return max((v["s"], k) for k, v in f["commands"].items() if k.startswith(prefix))
    out = [f"build {f['build_chars_per_s'] / 1e6:.3f} M chars/s (target ≥ {TARGETS['build_chars_per_s'] / 1e6} at "
           "10,000 reports)" if not f.get("reused") else "build not timed (--reuse)",
           f"unchanged rebuild {f['rebuild_s']} s" + ("" if f["rebuild_share"] is None else
                                                       f" = {100 * f['rebuild_share']:.1f} % of the build") +
           f" (target ≤ {100 * TARGETS['rebuild_share']:.0f} %)"]
    for prefix, key in (("govkg view", "view_s"), ("govkg spread", "spread_s"), ("govkg query", "query_s")):
        s, name = worst(prefix)
        stopped = " (stopped)" if f["commands"][name].get("stopped") else ""
        out.append(f"slowest {prefix[6:]} {s} s{stopped}: {name[6:60]} (target ≤ {TARGETS[key]} s)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--work", type=Path, default=None, help="keep corpus, store and outputs in this folder")
    ap.add_argument("--reuse", action="store_true",
                    help="with --work: keep a store built there before and time everything but the first build "
                         "(at 10,000 reports that build takes about 25 minutes on two cores)")
    ap.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                    help="stop a view, trace or query that runs longer and print it as stopped (the pairing "
                         "queries grow with the square of the corpus)")
    ap.add_argument("--compare", type=int, nargs=2, metavar=("SMALL", "LARGE"),
                    help="run both sizes in separate processes and print the peak-memory ratio")
    args = ap.parse_args()
    if args.compare:
        results = []
        for n in args.compare:
            cmd = [sys.executable, __file__, "--docs", str(n), "--workers", str(args.workers)]
            if args.timeout:
                cmd += ["--timeout", str(args.timeout)]
            if args.work:
                cmd += ["--work", str(args.work / str(n))] + (["--reuse"] if args.reuse else [])
            out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
            print(out, end="", flush=True)
            results.append(json.loads(out.strip().splitlines()[-1]))
        print(f"peak RSS ratio {args.compare[1]}/{args.compare[0]} reports: "
              f"{results[1]['peak_mb'] / results[0]['peak_mb']:.2f} (target ≤ {TARGETS['memory_ratio']})")
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="govkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(args.docs, args.workers, work, reuse=args.reuse and args.work is not None,
                      timeout=args.timeout)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

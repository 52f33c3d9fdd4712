"""Interruption stress: kill `govkg build`, `govkg remove` and `govkg load` at random points, then check that
the store recovers to exactly a fresh build.

Each run: pick a random subset of a small corpus, start one operation on the store in a subprocess (a build
of the subset with or without --prune, a build through the bulk loader, a removal by name, or a load into
an Oxigraph server), send it SIGKILL, SIGINT or SIGTERM after a random delay, then build the whole corpus
into the same store with --prune and compare its N-Quads export byte for byte with a fresh in-memory
build of the same corpus.  A run fails when the rebuild differs, the rebuild exits non-zero, anything
prints a traceback, temporary folders of the killed process are left once the rebuild is done, or the
adoption index of the store (kg/adoptions.py) is not trusted or not the store's adoptions after it.

    python bench/stress.py --runs 30 --seed 1
"""
from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SIGNALS = {"KILL": signal.SIGKILL, "INT": signal.SIGINT, "TERM": signal.SIGTERM}
# The bulk path (stage files, bulk loads in chunks) normally starts at 100 reports; lowered here so that a
# small corpus takes it.
BULK = ("import sys; from govkg.kg import api; api.BULK_THRESHOLD = 2; api.BULK_CHUNK = 1500; "
        "from govkg.cli import main; sys.argv[0] = 'govkg'; main()")


@dataclass
class Outcome:
    operation: str
    signal: str
    delay: float
    killed: bool          # interrupted while working (not during interpreter start-up, not after it ended)
    same: bool            # the rebuild's export equals the fresh build's
    crash: str            # "" or what went wrong (non-zero rebuild, traceback, leftovers)


def make_corpus(folder: Path) -> list[Path]:
    """The bundled reports, plus variants (a report cut in half, two reports joined) so that there are
    changed and shared entities to keep right."""
    from govkg.kg.api import bundled_corpus
    folder.mkdir(parents=True, exist_ok=True)
    texts = {p.name: p.read_text(encoding="utf-8") for p in bundled_corpus()}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    names = sorted(texts)
    for i, name in enumerate(names):
        half = texts[name][: len(texts[name]) // 2]
        (folder / f"half-{i}.txt").write_text(half, encoding="utf-8")
    (folder / "joined.txt").write_text(texts[names[0]] + "\n" + texts[names[-1]], encoding="utf-8")
    return sorted(folder.iterdir())


def govkg(*args: str, bulk: bool = False) -> list[str]:
    if bulk:
        return [sys.executable, "-c", BULK, *args]
    return [sys.executable, "-m", "govkg.cli", *args]


def run_once(rng: random.Random, work: Path, corpus: list[Path], reference: bytes, server: str | None,
             timing: dict[str, float]) -> Outcome:
    store, subset = work / "g.store", work / "subset"
    shutil.rmtree(subset, ignore_errors=True)
    subset.mkdir()
    chosen = rng.sample(corpus, rng.randint(1, len(corpus)))
    for p in chosen:
        text = p.read_text(encoding="utf-8")
        name = p.name
        if rng.random() < 0.2:                      # a changed report
            text = text.replace("。", "。\n", 1)
        if rng.random() < 0.2:                      # a renamed one
            name = "renamed-" + name
        (subset / name).write_text(text, encoding="utf-8")
    ops = ["build", "build-prune", "build-bulk", "remove"] + (["load"] if server else [])
    op = rng.choice(ops)
    out = work / "killed.nq"
    if op == "remove":
        names = [p.name for p in rng.sample(corpus, rng.randint(1, 3))]
        cmd = govkg("remove", *names, "--store", str(store))
    elif op == "load":
        cmd = govkg("load", "--graph", str(store), "--endpoint", server + "/query")
    else:
        cmd = govkg("build", str(subset), "--store", str(store), "--out", str(out), "--texts", str(work / "texts"),
                    *(["--prune"] if op != "build" else []), bulk=op == "build-bulk")
    sig = rng.choice(list(SIGNALS))
    delay = rng.uniform(0.5 * timing["startup"], timing["startup"] + timing["work"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(SIGNALS[sig])
    _, err = proc.communicate(timeout=120)
    crash = []
    # Ctrl-C while the interpreter is still starting (importing) prints Python's own KeyboardInterrupt
    # traceback before the command runs at all (under click, Ctrl-C ends in "Aborted!"); that is reported
    # apart, not as a crash.
    startup = b"KeyboardInterrupt" in err and b"click" not in err.split(b"KeyboardInterrupt")[0]
    if b"Traceback" in err and not startup:
        tail = " | ".join(err.decode(errors="replace").strip().splitlines()[-6:])
        crash.append(f"{op} printed a traceback: {tail}")
    pid = proc.pid
    rebuilt = work / "rebuilt.nq"
    rebuild = subprocess.run(govkg("build", str(work / "all"), "--prune", "--store", str(store), "--out", str(rebuilt),
                                   "--texts", str(work / "texts")), capture_output=True, cwd=work, timeout=600)
    if rebuild.returncode != 0 or b"Traceback" in rebuild.stderr:
        crash.append(f"rebuild exit {rebuild.returncode}: {rebuild.stderr.decode(errors='replace').strip()[-300:]}")
    leftovers = [p.name for p in store.glob(f".govkg-stage-{pid}-*")] + \
                [p.name for p in Path(tempfile.gettempdir()).glob(f"govkg-export-{pid}-*")]
    if leftovers:
        crash.append(f"left behind: {leftovers}")
    if rebuild.returncode == 0:
        from govkg.kg.store import GraphStore
        gs = GraphStore.open(store)
        index = gs.adoption_index()
        if index is None or index.statements() != gs.adoption_statements():
            crash.append("the adoption index is " + ("not trusted" if index is None else "not the store's adoptions")
                         + " after the rebuild")
        index and index.close()
    same = rebuilt.exists() and rebuilt.read_bytes() == reference
    return Outcome(op, sig, round(delay, 2), killed and not startup, same, "; ".join(crash))


def start_server(work: Path) -> tuple[subprocess.Popen | None, str | None]:
    exe = shutil.which("oxigraph")
    if not exe:
        return None, None
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([exe, "serve", "--location", str(work / "server"), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return proc, f"http://127.0.0.1:{port}"


def stress(runs: int, seed: int, work: Path, log=print) -> list[Outcome]:
    from govkg import KnowledgeGraph
    rng = random.Random(seed)
    corpus = make_corpus(work / "all")
    fresh = work / "fresh.nq"
    KnowledgeGraph.build([work / "all"]).export(fresh)
    reference = fresh.read_bytes()
    server, url = start_server(work)
    # Kill points are spread over the time an operation takes on this machine: start-up, then the work.
    t = time.perf_counter()
    subprocess.run(govkg("--version"), capture_output=True, check=True)
    startup = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run(govkg("build", str(work / "all"), "--store", str(work / "timing.store"), "--out",
                         str(work / "timing.nq")), capture_output=True, check=True, cwd=work)
    timing = {"startup": startup, "work": max(0.5, time.perf_counter() - t - startup)}
    log(f"start-up {timing['startup']:.1f}s, a full build {timing['work']:.1f}s more")
    outcomes = []
    try:
        for i in range(runs):
            o = run_once(rng, work, corpus, reference, url, timing)
            outcomes.append(o)
            log(f"run {i + 1:3d}: {o.operation:12s} SIG{o.signal:5s} after {o.delay:4.2f}s "
                f"{'killed' if o.killed else 'had ended'}  rebuild {'same' if o.same else 'DIFFERENT'}"
                f"{'  CRASH ' + o.crash if o.crash else ''}")
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(10)
    return outcomes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the working folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govkg-stress-"))
    try:
        outcomes = stress(args.runs, args.seed, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    killed = sum(o.killed for o in outcomes)
    different = sum(not o.same for o in outcomes)
    crashes = sum(bool(o.crash) for o in outcomes)
    print(f"runs {len(outcomes)}, interrupted while working {killed}, differences {different}, crashes {crashes}")
    return 1 if different or crashes else 0


if __name__ == "__main__":
    sys.exit(main())

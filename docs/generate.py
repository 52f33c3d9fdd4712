"""Regenerate the documentation that is made of real output: the CLI reference (from --help) and the
tutorial (every command run on the bundled corpus).  `tests/test_docs.py` fails when they are stale.

    python docs/generate.py            # rewrite docs/cli.md and docs/tutorial.md
    python docs/generate.py --images   # also the README screenshot (needs Chromium)
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from govkg.cli import main

DOCS = Path(__file__).parent

TUTORIAL = [
    ("# Tutorial: five research questions", None, """\
Every answer below is the real output of the command above it, on the bundled sample corpus (five reports:
中卫市 2020, 同心县 2020, 赤峰市 2015–2020, 吴忠市 2021, 兰州市 2019). Build the graph first:"""),
    (None, "govkg build --out govkg.ttl", None),
    ("## 1. Which divisions piloted the three enforcement systems, and what followed?", None, """\
`pilots-and-followers` pairs each pilot with the adoptions that came after it at the same or a lower level,
with the lag in years. 中卫市 was designated a national pilot by the State Council in 2017:"""),
    (None, "govkg query pilots-and-followers --param practice=three-enforcement-systems", None),
    (None, None, "The spread trace puts the same facts on the curated national record (pilots in 2017, the "
                 "nationwide mandate of December 2018) and scores each adopter's innovativeness:"),
    (None, "govkg spread three-enforcement-systems --csv cascades.csv", None),
    (None, None, """\
Only a year the text states — in the sentence (`stated`) or in its paragraph or heading (`context`) — orders
adopters, ranks their innovativeness and dates an edge. A year inherited from the report (`report`) is an
upper bound: the division is shown “by YEAR” (observed, not evidence of order); so is a year whose source the
graph does not record. “After a mandate” compares months where both are known (the mandate of December 2018
is not followed by an adoption dated 2018), and a fact dated before the practice's curated origin is flagged
⚠. Edges are `vertical` (a designation from the level that made it, a mandate, a division above → its
rollout: a county and its prefecture are never horizontal), `horizontal` (the latest earlier peer in the
province), `learning` (学习借鉴/复制推广 X 的经验: from X to the learner; none in the five sample reports) and
`spread` (推广 statements). The cascades table keeps every adopter, with where its year comes from:"""),
    (None, "cat cascades.csv", None),
    ("## 2. Which practices co-occur with the Fengqiao experience?", None, """\
Practices adopted by the divisions that adopted 新时代“枫桥经验” or one of its local brands (塞上枫桥,
枫桥式公安派出所 …), counted by division:"""),
    (None, "govkg query co-adopted-practices --param practice=fengqiao-experience", None),
    ("## 3. What outcomes are reported under “放管服”?", None, """\
Outcomes tied to the reform or to a narrower practice of its family (证照分离, 好差评, 一窗受理 …):"""),
    (None, "govkg query outcomes-by-practice --param practice=fang-guan-fu --format csv", None),
    ("## 4. Which regulations are cited most?", None, "Titles in 《》, by the number of reports citing them, "
                                                       "with the kind read from the title's form:"),
    (None, "govkg query most-cited-regulations", None),
    ("## 5. Who adopted first in each province?", None, "The earliest stated year per province, here for the "
                                                        "Fengqiao family:"),
    (None, "govkg query first-adopters-by-province --param practice=fengqiao-experience", None),
    ("## Going further", None, """\
- `govkg query --list` shows every named query; `queries/*.rq` are plain SPARQL to copy and adapt.
- `govkg spread SLUG --html trace.html --csv cascades.csv --gexf trace.gexf` writes the view, the cascades
  table used by policy-diffusion tools (SPID, NetworkInference; keep `year_source` stated/context for an order
  of adoption) and a dynamic Gephi file (a `start` year on every node and edge the text dates).
  `KnowledgeGraph.spread(SLUG).to_dataframe()` gives the same table with nullable integer years (`Int64`).
- `govkg serve` exposes the graph to YASGUI or any SPARQL client; `govkg load --endpoint URL` pushes it to
  Oxigraph, Fuseki or QLever."""),
]

MAX_LINES = 40


def run(cmd: str, cwd: Path) -> str:
    if cmd.startswith("cat "):          # a file an earlier command wrote, as written
        return (cwd / cmd[4:]).read_text(encoding="utf-8").rstrip("\n")
    args = shlex.split(cmd)[1:]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    if result.exit_code != 0:
        raise RuntimeError(f"{cmd} failed: {result.output}")
    lines = result.stdout.rstrip("\n").splitlines()
    if "seconds:" in result.output:   # timings vary from run to run
        lines = [_without_seconds(line) for line in lines]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"… ({len(lines) - MAX_LINES} more lines)"]
    return "\n".join(lines)


def _without_seconds(line: str) -> str:
    import re
    return re.sub(r"seconds: [0-9.]+", "seconds: …", line)


def tutorial() -> str:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for heading, cmd, prose in TUTORIAL:
            if heading:
                out.append(heading + "\n")
            if prose:
                out.append(prose + "\n")
            if cmd:
                out.append(f"```console\n$ {cmd}\n{run(cmd, Path(tmp))}\n```\n")
    return "\n".join(out)


def commands(group=main, prefix=("govkg",)):
    """(full name, command) for every command, depth first, in name order."""
    import click
    yield " ".join(prefix), group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from commands(group.commands[name], prefix + (name,))


def cli_reference() -> str:
    out = ["# CLI reference\n", "Generated from `--help` by `python docs/generate.py`; do not edit by hand.\n"]
    for name, _ in commands():
        args = name.split()[1:] + ["--help"]
        text = CliRunner().invoke(main, args, terminal_width=100).output.rstrip()
        out.append(f"## `{name}`\n\n```text\n{text}\n```\n")
    return "\n".join(out)


def screenshot() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run("govkg build --out govkg.ttl", Path(tmp))
        run("govkg spread three-enforcement-systems --html trace.html", Path(tmp))
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp}/profile", "--window-size=1400,820", "--virtual-time-budget=5000",
                        f"--screenshot={DOCS / 'img' / 'spread-three-enforcement-systems.png'}",
                        (Path(tmp) / "trace.html").as_uri()], check=True, capture_output=True)


if __name__ == "__main__":
    (DOCS / "cli.md").write_text(cli_reference() + "\n", encoding="utf-8")
    (DOCS / "tutorial.md").write_text(tutorial(), encoding="utf-8")
    if "--images" in sys.argv:
        screenshot()
    print("wrote docs/cli.md, docs/tutorial.md" + (" and docs/img" if "--images" in sys.argv else ""))

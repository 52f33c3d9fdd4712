"""The division tables that installed packages ship, read as data.  Neither package is imported: both
build matchers or load C extensions at import time that govkg does not need (`import jionlp` alone takes
about 1.2 s; reading its two files directly, well under half of that).

- `cpca` (MIT): resources/adcodes.csv, the GB/T 2260 table of a few years ago: 12-digit code, name,
  WGS-84 coordinates.
- `jionlp` (Apache-2.0): dictionary/china_location.zip, the current five-level table (province,
  prefecture and county with their codes and short names; townships and then villages by name, one a
  line, indented by tabs), and dictionary/china_location_change.txt, dated changes since 2002 by name
  (`date  kind  old province  short  old prefecture  short  [old county  short]=>new province  new
  prefecture  [new county]`).
"""
from __future__ import annotations

import csv
import importlib.util
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NATIONAL_CODE = "100000"

# Placeholder rows of the tables, not divisions (市直辖行政区划, 省直辖县级行政区划, 市辖区).
PLACEHOLDER = re.compile(r"(直辖|^市辖区$)")
# Hong Kong and Macao list their districts under the region's own code.
_ONE_CODE_REGIONS = ("810000", "820000")
# Lines down to townships (at most three tabs): the villages below them are read only when asked for.
_DOWN_TO_TOWNSHIPS = re.compile(r"^\t{0,3}[^\t\n][^\n]*", re.M)


_IRI_SAFE = set("-_.~")


def township_key(county: str, name: str) -> str:
    """``{county code}/{name}``, the name kept readable: letters and digits of any script stay, anything
    else is percent-encoded (the same rule as the IRIs of practices), so the key is an IRI path."""
    safe = "".join(ch if ch.isalnum() or ch in _IRI_SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
                   for ch in name)
    return f"{county}/{safe}"


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the `{package}` package (division tables) is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    if code[4] == "7":           # x7x: statistical codes of development zones, not in GB/T 2260
        return "zone"
    return "county"


# ------------------------------------------------------------------ the base table (cpca)

@lru_cache(maxsize=1)
def base_rows() -> tuple[tuple[str, str, float | None, float | None], ...]:
    """(6-digit code, name, longitude, latitude) of the GB/T 2260 table, in its own order."""
    with (package_dir("cpca") / "resources" / "adcodes.csv").open(encoding="utf-8") as f:
        return tuple((r["adcode"][:6], r["name"].strip(),
                      float(r["longitude"]) if r["longitude"] else None,
                      float(r["latitude"]) if r["latitude"] else None) for r in csv.DictReader(f))


# ------------------------------------------------------------------ the current table (jionlp)

@dataclass
class Location:
    coded: dict[str, tuple[str, str]]          # code → (name, parent code), first occurrence
    townships: dict[str, list[str]]            # county (or county-less prefecture) code → names
    path_codes: dict[tuple[str, ...], str]     # (province, prefecture, county) names → code


def _location_text() -> str:
    with zipfile.ZipFile(package_dir("jionlp") / "dictionary" / "china_location.zip") as z:
        return z.read("china_location.txt").decode("utf-8")


@lru_cache(maxsize=1)
def location() -> Location:
    coded: dict[str, tuple[str, str]] = {}
    townships: dict[str, list[str]] = {}
    path_codes: dict[tuple[str, ...], str] = {}
    codes, names = ["", "", ""], ["", "", ""]          # the current province, prefecture, county
    for line in _DOWN_TO_TOWNSHIPS.findall(_location_text()):
        if line.startswith("\t\t\t"):
            county = codes[2] or codes[1]
            if county:
                townships.setdefault(county, []).append(line.strip())
            continue
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        name, code = fields[0], (fields[1] if len(fields) > 1 else "")
        codes[depth], names[depth] = code, name
        for d in range(depth + 1, 3):
            codes[d], names[d] = "", ""
        if code in _ONE_CODE_REGIONS and depth:
            codes[depth] = ""
            continue
        if PLACEHOLDER.search(name):
            continue
        parent = next((c for c in reversed(codes[:depth]) if c), NATIONAL_CODE)
        coded.setdefault(code, (name, parent))
        path_codes[tuple(names[:depth + 1])] = code
    return Location(coded, townships, path_codes)


def villages() -> dict[str, str]:
    """Township key → the block of its village lines as the table has them (split on demand: some 620 000
    names stay one string per township)."""
    text = _location_text()
    out: dict[str, str] = {}
    codes = ["", "", ""]
    township, start = "", 0
    for m in _DOWN_TO_TOWNSHIPS.finditer(text):
        if township:
            out[township] = text[start:m.start()]
        line = m.group(0)
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        township = ""
        if depth == 3:
            township, start = township_key(codes[2] or codes[1], fields[0]), m.end()
            continue
        codes[depth] = fields[1] if len(fields) > 1 else ""
        for d in range(depth + 1, 3):
            codes[d] = ""
    if township:
        out[township] = text[start:]
    return out


def changes() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(date, old names province→county, new names) for each line of the change list."""
    path = package_dir("jionlp") / "dictionary" / "china_location_change.txt"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) < 5 or "=>" not in line:
            continue
        left, right = "\t".join(fields[2:]).split("=>", 1)
        old = tuple(left.split("\t")[0::2])      # full, short, full, short …: the full names
        new = tuple(n for n in right.split("\t") if n)
        out.append((fields[0], old, new))
    return out

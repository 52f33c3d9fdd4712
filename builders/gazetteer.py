"""GB/T 2260 administrative divisions, read from the adcode table that the `cpca` package ships.

Only the CSV is read (the `cpca` module itself is never imported: it builds a matcher at import time
that govkg does not need).  Each row gives a 12-digit code, a name and WGS-84 coordinates; the
6-digit GB/T 2260 code, the level and the direct parent are derived from the code.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

NATIONAL_CODE = "100000"

# Suffixes stripped to get the short form used in running text (宁夏, 内蒙古, 中卫, 恩施 …).
_PROVINCE_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{1,8}?族)*(自治州|地区|盟|市)$")

# Two-character short forms that are also ordinary words or famous places in policy prose
# (长治久安, 世界大同, 孙中山, 幸福安康, 日照时数 …); the full name still matches.
SHORT_FORM_STOPLIST = frozenset({
    "长治", "大同", "中山", "安康", "红河", "黄山", "北海", "朝阳", "海南", "白银", "日照",
    "来宾", "阿里", "普洱", "玉树", "三沙", "兴安", "泰安", "金昌", "东营", "山南", "文山",
    "吉林", "四平", "永州", "通化", "开封", "保山", "海东", "海北", "海西", "黄南", "果洛",
})

# County-level names that are ordinary words; matched only with a division prefix.
NAME_STOPLIST = frozenset({"城区", "郊区", "矿区", "新区", "市辖区", "东区", "西区", "县", "市中区"})


@dataclass(frozen=True)
class Division:
    code: str                      # six-digit GB/T 2260 code
    name: str                      # full name: 中卫市
    level: str                     # national | province | prefecture | county
    parent: str | None             # code of the direct parent
    longitude: float | None = None
    latitude: float | None = None
    short: tuple[str, ...] = field(default=())

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture(self) -> str | None:
        return self.code[:4] + "00" if self.level == "county" else (self.code if self.level == "prefecture" else None)


def _table_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the `cpca` package (GB/T 2260 adcode table) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def _short_forms(name: str, level: str) -> tuple[str, ...]:
    if level == "province":
        short = _PROVINCE_SUFFIX.sub("", name)
    elif level == "prefecture":
        short = _PREFECTURE_SUFFIX.sub("", name)
    else:
        return ()
    if len(short) < 2 or short == name or short in SHORT_FORM_STOPLIST:
        return ()
    return (short,)


class Gazetteer:
    """All divisions by code, and the codes behind each name or short form."""

    def __init__(self, divisions: list[Division]):
        self.by_code: dict[str, Division] = {d.code: d for d in divisions}
        self.by_name: dict[str, list[str]] = {}
        self.by_short: dict[str, list[str]] = {}
        for d in sorted(divisions, key=lambda d: d.code):
            self.by_name.setdefault(d.name, []).append(d.code)
            for s in d.short:
                self.by_short.setdefault(s, []).append(d.code)

    def __getitem__(self, code: str) -> Division:
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def ancestors(self, code: str) -> list[str]:
        """Codes from the direct parent up to the province."""
        out, cur = [], self.by_code[code].parent
        while cur and cur in self.by_code and cur != NATIONAL_CODE:
            out.append(cur)
            cur = self.by_code[cur].parent
        return out

    def candidates(self, name: str) -> list[str]:
        return self.by_name.get(name, []) or self.by_short.get(name, [])

    def resolve(self, name: str, context: list[str]) -> tuple[str | None, list[str]]:
        """Pick the division a name means, given the codes of the report's own division chain.

        Returns (code, candidates). Ambiguous names are resolved by the report's province, then its
        prefecture; when that still leaves several, code is None and the candidates are returned so
        that the caller can record the ambiguity.
        """
        cands = self.candidates(name)
        if len(cands) <= 1:
            return (cands[0] if cands else None), cands
        for depth in (4, 2):  # same prefecture first, then same province
            prefixes = {c[:depth] for c in context}
            near = [c for c in cands if c[:depth] in prefixes]
            if len(near) == 1:
                return near[0], cands
        return None, cands


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    rows: list[Division] = [Division(NATIONAL_CODE, "中央", "national", None, None, None, ())]
    with _table_path().open(encoding="utf-8") as f:
        raw = [(r["adcode"][:6], r["name"].strip(), r["longitude"], r["latitude"]) for r in csv.DictReader(f)]
    codes = {c for c, name, _, _ in raw if name != "市辖区"}
    for code, name, lon, lat in raw:
        if name == "市辖区" or not name:
            continue
        level = _level(code)
        parent: str | None
        if level == "province":
            parent = NATIONAL_CODE
        elif level == "prefecture":
            parent = code[:2] + "0000"
        else:
            pref = code[:4] + "00"
            parent = pref if pref in codes else code[:2] + "0000"
        rows.append(Division(code, name, level, parent,
                             float(lon) if lon else None, float(lat) if lat else None,
                             _short_forms(name, level)))
    return Gazetteer(rows)

"""How division names are written: level suffixes, ethnic groups, short forms, character variants.

All rules work over the whole table (no list of places): the word lists they need are data files under
builders/data/ (a header row, `#` comments), read once.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of builders/data/<name>.tsv: a header row, `#` comment lines skipped."""
    with (DATA / f"{name}.tsv").open(encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


def column(name: str) -> frozenset[str]:
    """The first column of a data file."""
    return frozenset(next(iter(r.values())) for r in rows(name))


# Short forms that are ordinary words (长治久安, 世界大同 …): the full name still matches, these never.
SHORT_FORM_STOPLIST = column("short_form_stoplist")

# Suffixes stripped to get the short form used in running text (宁夏, 内蒙古, 中卫, 恩施 …).
_PROVINCE_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{1,8}?族)*(自治州|地区|盟|市)$")


# ------------------------------------------------------------------ level suffixes

@lru_cache(maxsize=1)
def _suffixes() -> dict[str, str]:
    return {r["suffix"]: r["level"] for r in rows("division_suffixes")}


@lru_cache(maxsize=1)
def _suffix_sets() -> tuple[tuple[int, frozenset[str]], ...]:
    lengths = sorted({len(s) for s in _suffixes()}, reverse=True)
    return tuple((n, frozenset(s for s in _suffixes() if len(s) == n)) for n in lengths)


_SUFFIX_SETS: list[tuple[int, frozenset[str]]] = []   # filled on first use


def split_suffix(name: str) -> tuple[str, str]:
    """(stem, level suffix), the longest suffix first (tested in tests/test_gazetteer.py).
    A name that is all suffix keeps it as its stem (县 → (县, ''))."""
    if not _SUFFIX_SETS:                # called some 50 000 times on a first load: no cache lookup
        _SUFFIX_SETS.extend(_suffix_sets())
    for n, suffixes in _SUFFIX_SETS:
        if len(name) > n and name[-n:] in suffixes:
            return name[:-n], name[-n:]
    return name, ""


def suffix_level(suffix: str) -> str | None:
    """The level a suffix usually marks (a hint where no code is known: 市 may be any of three)."""
    return _suffixes().get(suffix)


# ------------------------------------------------------------------ autonomous divisions

@lru_cache(maxsize=1)
def _ethnic_forms() -> tuple[str, ...]:
    forms = []
    for r in rows("ethnic_groups"):
        forms.append(r["form"] + "族")
        if len(r["form"]) >= 2:      # 蒙古, 哈萨克 are written without 族 in names; 回, 水 never are
            forms.append(r["form"])
    return tuple(sorted(forms, key=len, reverse=True))


def ethnic_core(stem: str) -> str:
    """The stem of an autonomous division without its ethnic groups: 镇宁布依族苗族 → 镇宁."""
    forms = _ethnic_forms()
    while True:
        for f in forms:
            if stem.endswith(f) and len(stem) > len(f):
                stem = stem[:-len(f)]
                break
        else:
            return stem


def short_forms(name: str, level: str) -> tuple[str, ...]:
    """The name without its suffix, for provinces and prefectures (宁夏, 中卫), unless an ordinary word."""
    if level == "province":
        short = _PROVINCE_SUFFIX.sub("", name)
    elif level == "prefecture":
        short = _PREFECTURE_SUFFIX.sub("", name)
    else:
        return ()
    if len(short) < 2 or short == name or short in SHORT_FORM_STOPLIST:
        return ()
    return (short,)


_AUTONOMOUS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


def derived_aliases(name: str, level: str) -> list[tuple[str, str]]:
    """(form, kind) for one full name, by general rules:

    - autonomous divisions drop their ethnic groups (an autonomous county also gives `X县`, `X自治县` and the bare
      stem); an autonomous prefecture gives `X州` and `X`, and a core of four or more characters also gives
      a one-character abbreviation plus 州 (examples in builders/examples/divisions.tsv);
    - provinces and prefectures lose their suffix unless that is an ordinary word;
    - counties without their suffix are `bare`: usable only with context.
    """
    out: list[tuple[str, str]] = [(s, "short") for s in short_forms(name, level)]
    stem, suffix = split_suffix(name)
    if suffix in _AUTONOMOUS:
        core = ethnic_core(stem)
        if len(core) >= 2 and core != stem:
            plain = _AUTONOMOUS[suffix]
            out += [(core + plain, "abbreviation"), (core + suffix, "abbreviation")]
            if level == "prefecture":
                if core not in SHORT_FORM_STOPLIST:
                    out.append((core, "short"))
                if len(core) >= 4:
                    out.append((core[0] + plain, "abbreviation"))
            else:
                out.append((core, "bare"))
    elif level == "county" and len(stem) >= 2 and suffix:
        out.append((stem, "bare"))
    elif level == "province" and suffix == "自治区":
        core = ethnic_core(stem)
        if len(core) >= 2 and core not in SHORT_FORM_STOPLIST:
            out.append((core, "short"))
    for rule in _abbreviation_rules():
        if rule[2] == level and rule[0].match(name):
            out.append((rule[0].sub(rule[1], name), "abbreviation"))
    seen, unique = {name}, []
    for form, kind in out:
        if form not in seen:
            seen.add(form)
            unique.append((form, kind))
    return unique


@lru_cache(maxsize=1)
def _abbreviation_rules() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(r["pattern"]), r["replacement"], r["level"]) for r in rows("abbreviation_rules"))


# ------------------------------------------------------------------ character variants

def _opencc_table(file: str) -> dict[int, str]:
    """One character to one, the first of OpenCC's choices (names keep their length)."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return {}
    table: dict[int, str] = {}
    path = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / file
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            other = parts[1].split(" ")[0]
            if len(other) == 1 and other != parts[0]:
                table[ord(parts[0])] = other
    return table


@lru_cache(maxsize=1)
def _s2t() -> dict[int, str]:
    return _opencc_table("STCharacters.txt")


@lru_cache(maxsize=1)
def _t2s() -> dict[int, str]:
    return _opencc_table("TSCharacters.txt")


def traditional(name: str) -> str:
    """廣州市 for 广州市."""
    return name.translate(_s2t())


def simplified(name: str) -> str:
    """广州市 for 廣州市."""
    return name.translate(_t2s())

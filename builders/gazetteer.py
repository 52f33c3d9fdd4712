"""Administrative divisions: GB/T 2260 codes with their names, short forms, townships and history.

Two package tables are read as data (neither module is imported: both build matchers at import time
that govkg does not need):

- `cpca`'s adcode CSV: the GB/T 2260 table of a few years ago (12-digit code, name, WGS-84
  coordinates).  It stays the base of `by_code`, `by_name` and `by_short`, the vocabulary the
  recogniser matches today, so that a build over the same reports gives the same graph.
- `jionlp`'s `china_location.zip` (Apache-2.0): the current five-level table (province, prefecture,
  county with codes; townships and villages by name) and `china_location_change.txt` (dated changes
  since 2002, by name).  It adds the current codes, every township and village, and the history.

Townships have no GB/T 2260 code: their key is ``{county code}/{name}`` (the division IRI is
``…/id/division/330681/枫桥镇``; see `gov:Township` in ontology/core.ttl).  Word lists are data files
under builders/data/.
"""
from __future__ import annotations

import csv
import importlib.util
import re
import zipfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

NATIONAL_CODE = "100000"
DATA = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of builders/data/<name>.tsv: a header row, `#` comment lines skipped."""
    with (DATA / f"{name}.tsv").open(encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))


def _column(name: str) -> frozenset[str]:
    rows = _rows(name)
    return frozenset(next(iter(r.values())) for r in rows)


# Short forms that are ordinary words (长治久安, 世界大同 …) and county names that are ordinary words
# (城区, 郊区 …): the recogniser never matches the first, and the second only with a prefix.
SHORT_FORM_STOPLIST = _column("short_form_stoplist")
NAME_STOPLIST = _column("name_stoplist")

# Suffixes stripped to get the short form used in running text (宁夏, 内蒙古, 中卫, 恩施 …).
_PROVINCE_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{1,8}?族)*(自治州|地区|盟|市)$")
# Placeholder rows of the tables, not divisions.
_PLACEHOLDER = re.compile(r"(直辖|市辖区$)")


@dataclass(frozen=True)
class Division:
    code: str                      # six-digit GB/T 2260 code; a township: "{county code}/{name}"
    name: str                      # full name: 中卫市
    level: str                     # national | province | prefecture | county | zone | township
    parent: str | None             # code of the direct parent
    longitude: float | None = None
    latitude: float | None = None
    short: tuple[str, ...] = field(default=())
    suffix: str = ""               # level suffix of the name: 县, 自治县, 镇, 街道 … ("" when none)
    valid_from: str | None = None  # ISO date the code came into use, when the data records it
    valid_until: str | None = None  # ISO date the code was retired
    replaced_by: str | None = None  # the code that took over a retired one

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture(self) -> str | None:
        if self.level in ("county", "township"):
            return self.code[:4] + "00"
        return self.code if self.level == "prefecture" else None

    @property
    def stem(self) -> str:
        """The name without its level suffix: 枫桥 for 枫桥镇, 焉耆回族 for 焉耆回族自治县."""
        return self.name[:len(self.name) - len(self.suffix)] if self.suffix else self.name

    def valid_in(self, year: int) -> bool:
        return ((self.valid_from is None or int(self.valid_from[:4]) <= year)
                and (self.valid_until is None or year < int(self.valid_until[:4])))


@dataclass(frozen=True)
class Alias:
    """Another way of writing a division's name.

    kind: `abbreviation` (焉耆县, 巴州, 黔南州: by rule from autonomous names), `short` (宁夏, 中卫:
    the name without its suffix, as `Division.short`), `bare` (诸暨: a county without its suffix, only
    safe with context), `traditional` (廣州市), `former` (襄樊市, a name the code had until `until`).
    """
    form: str
    code: str
    kind: str
    until: str | None = None


@dataclass(frozen=True)
class Change:
    """A dated change in the table: `old` (code or, when the data does not give it, None) became `new`."""
    date: str
    old_code: str | None
    old_name: str
    new_code: str
    new_name: str


# ------------------------------------------------------------------ names and suffixes

@lru_cache(maxsize=1)
def _suffixes() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((r["suffix"], r["level"]) for r in _rows("division_suffixes")),
                        key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def _suffix_sets() -> tuple[tuple[int, frozenset[str]], ...]:
    lengths = sorted({len(s) for s, _ in _suffixes()}, reverse=True)
    return tuple((n, frozenset(s for s, _ in _suffixes() if len(s) == n)) for n in lengths)


def split_suffix(name: str) -> tuple[str, str]:
    """(stem, level suffix): 枫桥镇 → (枫桥, 镇), 范县 → (范, 县), 宁夏回族自治区 → (宁夏回族, 自治区)."""
    for n, suffixes in _suffix_sets():
        if len(name) > n and name[-n:] in suffixes:
            return name[:-n], name[-n:]
    return name, ""


def suffix_level(suffix: str) -> str | None:
    """The level a suffix usually marks (a hint for text without a code: 市 may be any of three)."""
    return dict(_suffixes()).get(suffix)


@lru_cache(maxsize=1)
def _ethnic_forms() -> tuple[str, ...]:
    forms = []
    for r in _rows("ethnic_groups"):
        forms.append(r["form"] + "族")
        if len(r["form"]) >= 2:      # 蒙古, 哈萨克 are written without 族; 回, 水 never are
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


_AUTONOMOUS = {"自治州": "州", "自治县": "县", "自治旗": "旗"}


def derived_aliases(name: str, level: str) -> list[tuple[str, str]]:
    """(form, kind) for one full name, by general rules (no list of places):

    - autonomous divisions drop their ethnic groups: 焉耆回族自治县 → 焉耆县, 焉耆自治县; 巴音郭楞蒙古自治州
      → 巴音郭楞州, 巴音郭楞, and a core of four or more characters gives the one-character abbreviation
      巴州 (克州, 博州);
    - provinces and prefectures lose their suffix (宁夏, 内蒙古, 中卫), unless the short form is a stoplisted
      ordinary word;
    - counties without their suffix are `bare` (诸暨): only usable with context.
    """
    out: list[tuple[str, str]] = [(s, "short") for s in _short_forms(name, level)]
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
    seen, unique = {name}, []
    for form, kind in out:
        if form not in seen:
            seen.add(form)
            unique.append((form, kind))
    return unique


@lru_cache(maxsize=1)
def _s2t_table() -> dict[int, str]:
    """Simplified → traditional, one character to one (the first of OpenCC's STCharacters choices)."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return {}
    table: dict[int, str] = {}
    path = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "STCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            trad = parts[1].split(" ")[0]
            if len(trad) == 1 and trad != parts[0]:
                table[ord(parts[0])] = trad
    return table


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return {}
    table: dict[int, str] = {}
    path = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            simp = parts[1].split(" ")[0]
            if len(simp) == 1 and simp != parts[0]:
                table[ord(parts[0])] = simp
    return table


def traditional(name: str) -> str:
    return name.translate(_s2t_table())


def simplified(name: str) -> str:
    return name.translate(_t2s_table())


# ------------------------------------------------------------------ source tables

def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the `{package}` package (division tables) is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def _table_path() -> Path:
    return _package_dir("cpca") / "resources" / "adcodes.csv"


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    if code[4] == "7":           # x7x: statistical codes of development zones, not GB/T 2260
        return "zone"
    return "county"


@dataclass
class _Location:
    """The current table: coded rows (code → name, parent) and townships per county."""
    coded: dict[str, tuple[str, str]]
    townships: dict[str, list[str]]          # county (or prefecture) code → township names
    path_codes: dict[tuple[str, ...], str]   # (province, prefecture, county) names → code


def _location_text() -> str:
    with zipfile.ZipFile(_package_dir("jionlp") / "dictionary" / "china_location.zip") as z:
        return z.read("china_location.txt").decode("utf-8")


# Lines down to townships (at most three tabs): the villages below are read only when asked for.
_DOWN_TO_TOWNSHIPS = re.compile(r"^\t{0,3}[^\t\n][^\n]*", re.M)


@lru_cache(maxsize=1)
def _location() -> _Location:
    coded: dict[str, tuple[str, str]] = {}
    townships: dict[str, list[str]] = {}
    path_codes: dict[tuple[str, ...], str] = {}
    stack: list[str] = ["", "", ""]           # codes at depth 0..2
    names: list[str] = ["", "", ""]
    for line in _DOWN_TO_TOWNSHIPS.findall(_location_text()):
        if line.startswith("\t\t\t"):
            county = stack[2] or stack[1]
            if county:
                townships.setdefault(county, []).append(line.strip())
            continue
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        name, code = fields[0], fields[1] if len(fields) > 1 else ""
        names[depth] = name
        stack[depth] = code
        for d in range(depth + 1, 3):
            stack[d], names[d] = "", ""
        if code in ("810000", "820000") and depth:
            stack[depth] = ""                   # Hong Kong and Macao list districts under one code
            continue
        if _PLACEHOLDER.search(name):
            continue
        parent = NATIONAL_CODE if depth == 0 else next((c for c in reversed(stack[:depth]) if c), NATIONAL_CODE)
        if code not in coded:
            coded[code] = (name, parent)
        path_codes[tuple(n for n in names[:depth + 1])] = code
    return _Location(coded, townships, path_codes)


def _change_lines() -> list[str]:
    return (_package_dir("jionlp") / "dictionary" / "china_location_change.txt").read_text(encoding="utf-8").splitlines()


def _parse_change(line: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(date, old names province→county, new names) from one line of china_location_change.txt."""
    fields = line.rstrip("\n").split("\t")
    if len(fields) < 5 or "=>" not in line:
        return None
    date = fields[0]
    left, right = "\t".join(fields[2:]).split("=>", 1)
    old = tuple(left.split("\t")[0::2])      # full, short, full, short … : the full names
    new = tuple(n for n in right.split("\t") if n)
    return date, old, new


# ------------------------------------------------------------------ the gazetteer

class Gazetteer:
    """All divisions by code, and the codes behind each name or short form.

    `by_name` and `by_short` are the vocabulary of the GB/T 2260 base table (what the recogniser
    matches).  `names` holds every full name (current names, townships) and `aliases` every other
    form (abbreviations, traditional spellings, former names); `lookup` and `resolve(…, year=…)`
    search both and follow a retired code to its successor.
    """

    def __init__(self, divisions: list[Division], aliases: list[Alias] = (), changes: list[Change] = ()):
        self.by_code: dict[str, Division] = {d.code: d for d in divisions}
        self.by_name: dict[str, list[str]] = {}
        self.by_short: dict[str, list[str]] = {}
        self.names: dict[str, list[str]] = {}
        self.aliases: dict[str, list[Alias]] = {}
        self.changes: list[Change] = sorted(changes, key=lambda c: (c.date, c.old_code or "", c.new_code))
        self._children: dict[str, list[str]] = {}
        base = _base_codes()
        for d in sorted(divisions, key=lambda d: d.code):
            self.names.setdefault(d.name, []).append(d.code)
            if d.parent:
                self._children.setdefault(d.parent, []).append(d.code)
            if d.code in base or d.code == NATIONAL_CODE:   # the recogniser's vocabulary
                self.by_name.setdefault(d.name, []).append(d.code)
                for s in d.short:
                    self.by_short.setdefault(s, []).append(d.code)
        for a in aliases:
            self.aliases.setdefault(a.form, []).append(a)

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

    def children(self, code: str) -> list[str]:
        """Codes of the divisions directly under `code` (a county's townships included)."""
        return list(self._children.get(code, ()))

    def townships(self, county: str) -> list[str]:
        return [c for c in self._children.get(county, ()) if self.by_code[c].level == "township"]

    def candidates(self, name: str) -> list[str]:
        return self.by_name.get(name, []) or self.by_short.get(name, [])

    # --- history

    def successor(self, code: str) -> str | None:
        """The code that finally took over a retired one (莱芜市 371200 → 济南市 370100), else None."""
        seen, cur = set(), self.by_code[code].replaced_by if code in self.by_code else None
        while cur and cur in self.by_code and self.by_code[cur].replaced_by and cur not in seen:
            seen.add(cur)
            cur = self.by_code[cur].replaced_by
        return cur

    def predecessors(self, code: str) -> list[str]:
        return sorted(d.code for d in self.by_code.values() if d.replaced_by == code)

    def code_in(self, code: str, year: int) -> str | None:
        """The code that stood for `code`'s division in `year`: a later successor for a retired code,
        the single predecessor for a code that did not exist yet, else the code itself."""
        d = self.by_code.get(code)
        if d is None:
            return None
        seen = set()
        while d.valid_until and int(d.valid_until[:4]) <= year and d.replaced_by in self.by_code \
                and d.code not in seen:
            seen.add(d.code)
            d = self.by_code[d.replaced_by]
        if d.valid_from and year < int(d.valid_from[:4]):
            before = [p for p in self.predecessors(d.code) if self.by_code[p].valid_in(year)]
            if len(before) == 1:
                return before[0]
        return d.code

    # --- lookups over every name

    def lookup(self, name: str, year: int | None = None, *, kinds: tuple[str, ...] | None = None) -> list[str]:
        """Codes a written name can stand for.  Full names first; then aliases (of `kinds`, default all
        but `bare`).  Traditional characters are read as simplified.  With a year, codes are those
        valid that year: a retired code becomes its successor, a former name counts until it changed."""
        kinds = kinds or ("abbreviation", "short", "traditional", "former", "current")
        found: list[str] = []
        for form in dict.fromkeys((name, simplified(name))):
            found += self.names.get(form, [])
            found += [a.code for a in self.aliases.get(form, ())
                      if a.kind in kinds and (year is None or a.until is None or year < int(a.until[:4]))]
        found = list(dict.fromkeys(found))
        if year is None:
            return found
        valid = [c for c in found if self.by_code[c].valid_in(year)]
        moved = [self.code_in(c, year) for c in found if c not in valid]
        return list(dict.fromkeys(valid + [c for c in moved if c]))

    def resolve(self, name: str, context: list[str], year: int | None = None) -> tuple[str | None, list[str]]:
        """Pick the division a name means, given the codes of the report's own division chain.

        Returns (code, candidates). Ambiguous names are resolved by the report's province, then its
        prefecture; when that still leaves several, code is None and the candidates are returned so
        that the caller can record the ambiguity.  Without `year` only the base vocabulary is searched
        (`candidates`); with it, every name (`lookup`) as it stood that year.
        """
        cands = self.candidates(name) if year is None else self.lookup(name, year)
        if len(cands) <= 1:
            return (cands[0] if cands else None), cands
        for depth in (4, 2):  # same prefecture first, then same province
            prefixes = {c[:depth] for c in context}
            near = [c for c in cands if c[:depth] in prefixes]
            if len(near) == 1:
                return near[0], cands
        return None, cands

    def forms(self, code: str) -> list[tuple[str, str]]:
        """(form, kind) of every way the gazetteer knows to write one division, the full name first."""
        d = self.by_code[code]
        return [(d.name, "name")] + [(a.form, a.kind) for al in self.aliases.values() for a in al if a.code == code]

    # --- villages (read on first use: some 620 000 names)

    def villages(self, township: str) -> tuple[str, ...]:
        """Village and community names (村, 社区, 嘎查) under a township key."""
        return _villages().get(township, ())


@lru_cache(maxsize=1)
def _base_codes() -> frozenset[str]:
    with _table_path().open(encoding="utf-8") as f:
        return frozenset(r["adcode"][:6] for r in csv.DictReader(f))


@lru_cache(maxsize=1)
def _villages() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    stack = ["", "", ""]
    township = ""
    for line in _location_text().splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        if depth < 3:
            stack[depth] = fields[1] if len(fields) > 1 else ""
            for d in range(depth + 1, 3):
                stack[d] = ""
        elif depth == 3:
            township = f"{stack[2] or stack[1]}/{fields[0]}"
        else:
            out.setdefault(township, []).append(fields[0])
    return {k: tuple(v) for k, v in out.items()}


# ------------------------------------------------------------------ building

def _base_rows() -> list[Division]:
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
                             _short_forms(name, level), split_suffix(name)[1]))
    return rows


def _history(by_code: dict[str, Division], loc: _Location) -> tuple[list[Change], list[Alias]]:
    """Changes from jionlp's change list and the supplement in builders/data/division_changes.tsv.

    A change line names the old division by its path of names and the new one likewise.  The old code is
    found in the base table (older) under the same parent names, the new code in the current table.
    When the codes are equal the division was renamed (the old name becomes a `former` alias); when they
    differ the old code was retired and is replaced by the new one.
    """
    base_path: dict[tuple[str, ...], str] = {}
    for d in by_code.values():
        if d.level in ("province", "prefecture", "county", "zone") and d.code != NATIONAL_CODE:
            chain = [d.code] + [c for c in _chain(by_code, d.code)]
            names = tuple(by_code[c].name for c in reversed(chain))
            base_path.setdefault(names, d.code)
            if d.level == "county" and len(names) == 2:   # municipality districts: 北京市/东城区
                base_path.setdefault((names[0], names[0], names[1]), d.code)

    def old_code(names: tuple[str, ...]) -> str | None:
        return base_path.get(names) or loc.path_codes.get(names)

    def new_code(names: tuple[str, ...]) -> str | None:
        return loc.path_codes.get(names) or base_path.get(names)

    changes: list[Change] = []
    for line in _change_lines():
        parsed = _parse_change(line)
        if not parsed:
            continue
        date, old, new = parsed
        oc, nc = old_code(old), new_code(new)
        if nc:
            changes.append(Change(date, oc, old[-1], nc, new[-1]))
    for r in _rows("division_changes"):
        changes.append(Change(r["date"], r["old_code"], r["old_name"], r["new_code"], r["new_name"]))
    aliases = [Alias(c.old_name, c.new_code, "former", c.date) for c in changes
               if c.old_name != c.new_name and (c.old_code in (None, c.new_code))]
    return changes, aliases


def _chain(by_code: dict[str, Division], code: str) -> list[str]:
    out, cur = [], by_code[code].parent
    while cur and cur in by_code and cur != NATIONAL_CODE:
        out.append(cur)
        cur = by_code[cur].parent
    return out


def build() -> Gazetteer:
    rows = _base_rows()
    by_code = {d.code: d for d in rows}
    loc = _location()
    # current codes the base table lacks (莱芜区 370116, 云冈区 140214, development zones …)
    for code, (name, parent) in sorted(loc.coded.items()):
        if code not in by_code and parent in by_code:
            level = _level(code)
            by_code[code] = Division(code, name, level, parent, None, None, _short_forms(name, level),
                                     split_suffix(name)[1])
    changes, aliases = _history(by_code, loc)
    for c in changes:
        if c.old_code and c.old_code != c.new_code and c.old_code in by_code and c.new_code in by_code:
            by_code[c.old_code] = replace(by_code[c.old_code], valid_until=c.date, replaced_by=c.new_code)
            if by_code[c.new_code].valid_from is None and c.new_code not in _base_codes():
                by_code[c.new_code] = replace(by_code[c.new_code], valid_from=c.date)
    # renamed in place: the current name is an alias until the base table catches up
    for code, (name, _) in loc.coded.items():
        if code in _base_codes() and code in by_code and by_code[code].name != name:
            aliases.append(Alias(name, code, "current"))
    # townships under their county
    for county, names in sorted(loc.townships.items()):
        if county not in by_code:
            continue
        for name in dict.fromkeys(names):
            key = f"{county}/{name}"
            by_code[key] = Division(key, name, "township", county, suffix=split_suffix(name)[1])
    for d in list(by_code.values()):
        if d.level in ("province", "prefecture", "county"):
            aliases += [Alias(form, d.code, kind) for form, kind in derived_aliases(d.name, d.level)]
    for d in list(by_code.values()):
        if d.code != NATIONAL_CODE:
            t = traditional(d.name)
            if t != d.name:
                aliases.append(Alias(t, d.code, "traditional"))
    return Gazetteer(list(by_code.values()), aliases, changes)


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    return build()

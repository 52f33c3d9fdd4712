"""Administrative divisions: GB/T 2260 codes with their names, short forms, townships and history.

The base is the GB/T 2260 table that `cpca` ships (with coordinates): `by_code`, `by_name` and
`by_short` hold it, and they are what the recogniser matches, so that the same reports always give the
same graph.  The current five-level table and change list that `jionlp` ships (see
`gazetteer_sources`) extend it, built on first use (about a second, once per process) and reached through
`lookup`, `resolve(…, year=…)`, `townships`, `aliases`, `successor`, `code_in` and `all_divisions`:

- current codes the base lacks (莱芜区 370116, development zones);
- every township, keyed ``{county code}/{name}`` since townships have no GB/T 2260 code (the IRI is
  ``…/id/division/330681/枫桥镇``; see `gov:Township` in ontology/core.ttl);
- aliases derived by rule (`gazetteer_names`): short, abbreviated, traditional and former names;
- code history: the date a code was retired and the code that replaced it (莱芜市 371200 → 济南市 370100).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import unquote

from govkg.builders import gazetteer_sources as sources
from govkg.builders.gazetteer_names import (
    SHORT_FORM_STOPLIST,
    column,
    derived_aliases,
    rows,
    short_forms,
    simplified,
    split_suffix,
    suffix_level,
    traditional,
)
from govkg.builders.gazetteer_sources import township_key

__all__ = ["NATIONAL_CODE", "SHORT_FORM_STOPLIST", "NAME_STOPLIST", "Division", "Alias", "Change", "Span",
           "Gazetteer", "load", "settle", "township_key", "split_suffix", "suffix_level", "simplified", "traditional"]

NATIONAL_CODE = sources.NATIONAL_CODE

# County-level names that are ordinary words; matched only with a division prefix.
NAME_STOPLIST = column("name_stoplist")

# Stems that are common words (和平, 同心): such names need stronger evidence of being a place.
COMMON_STEMS = column("common_stems")

# Kinds of alias `lookup` searches by default: `bare` (诸暨 for 诸暨市) needs context and is left out.
DEFAULT_KINDS = ("abbreviation", "short", "traditional", "former", "current")


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
        """The name without its level suffix: 枫桥 for 枫桥镇, 范 for 范县."""
        return self.name[:len(self.name) - len(self.suffix)]


@dataclass(frozen=True)
class Alias:
    """Another way to write a division's name.

    kind: `abbreviation` (by rule from autonomous names), `short` (
    the name without its suffix), `bare` (a county without its suffix, only safe with
    context), `traditional`, `former` (a name the code had `until` a date), `current`
    (the current name of a base-table code renamed in place).
    """
    form: str
    code: str
    kind: str
    until: str | None = None


@dataclass(frozen=True)
class Change:
    """A change: `old_code` (None when the data gives only the old name) became `new_code` on `date`
    (None when no source dates it)."""
    date: str | None
    old_code: str | None
    old_name: str
    new_code: str
    new_name: str


@dataclass(frozen=True)
class Span:
    """When a code was in use, as far as the data records: ISO dates, None when not recorded."""
    valid_from: str | None = None
    valid_until: str | None = None
    replaced_by: str | None = None

    def covers(self, year: int) -> bool:
        return ((self.valid_from is None or int(self.valid_from[:4]) <= year)
                and (self.valid_until is None or year < int(self.valid_until[:4])))


_ALWAYS = Span()


@dataclass
class _Full:
    """The extended table (see the module docstring)."""
    by_code: dict[str, Division]
    names: dict[str, list[str]]
    aliases: dict[str, list[Alias]]
    changes: list[Change]
    spans: dict[str, Span]
    children: dict[str, list[str]]


class Gazetteer:
    """All divisions by code, and the codes behind each name or short form."""

    def __init__(self, divisions: list[Division], extend: Callable[[Gazetteer], _Full] | None = None):
        self.by_code: dict[str, Division] = {d.code: d for d in divisions}
        self.by_name: dict[str, list[str]] = {}
        self.by_short: dict[str, list[str]] = {}
        for d in sorted(divisions, key=lambda d: d.code):
            self.by_name.setdefault(d.name, []).append(d.code)
            for s in d.short:
                self.by_short.setdefault(s, []).append(d.code)
        self._extend = extend

    @cached_property
    def _full(self) -> _Full:
        if self._extend is None:
            return _Full(self.by_code, dict(self.by_name), {}, [], {}, _children(self.by_code))
        return self._extend(self)

    def __getitem__(self, code: str) -> Division:
        d = self.by_code.get(code)
        if d is None:
            d = self._township(code) if "_full" not in self.__dict__ else None
        return d if d is not None else self._full.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code or (isinstance(code, str) and self._township(code) is not None) \
            or code in self._full.by_code

    # --- the light index the recogniser needs (the five-level table only: no aliases, no history)

    @cached_property
    def township_names(self) -> dict[str, tuple[str, ...]]:
        """Township name → the codes of the counties it stands under (several: 东城街道)."""
        out: dict[str, list[str]] = {}
        for county, township_names in sources.location().townships.items():
            for name in dict.fromkeys(township_names):
                out.setdefault(name, []).append(county)
        return {name: tuple(sorted(c)) for name, c in out.items()}

    def _township(self, key: str) -> Division | None:
        """A township key's division, without building the extended table."""
        county, _, name = key.partition("/")
        name = unquote(name)
        if not name or county not in self.township_names.get(name, ()):
            return None
        return Division(key, name, "township", county, suffix=split_suffix(name)[1])

    @cached_property
    def written_forms(self) -> dict[str, tuple[str, ...]]:
        """Forms the recogniser matches beyond the base names and short forms: abbreviations and short
        forms of autonomous divisions (焉耆县, 镇宁自治县, 巴州, 黔南州) and current names of base codes
        (禄丰市), by the rules of `gazetteer_names` over the base table only (cheap: no history)."""
        out: dict[str, list[str]] = {}
        for d in self.by_code.values():
            if d.level in ("province", "prefecture", "county"):
                for form, kind in derived_aliases(d.name, d.level):
                    if kind in ("abbreviation", "short") and len(form) >= 2 and form not in self.by_name \
                            and form not in SHORT_FORM_STOPLIST and form not in NAME_STOPLIST:
                        out.setdefault(form, []).append(d.code)
        for code, (name, _parent) in sources.location().coded.items():
            if len(code) == 6 and name not in self.by_name and name not in self.by_short and sources.level_of(code) in (
                    "province", "prefecture", "county") and code[:2] + "0000" in self.by_code:
                out.setdefault(name, []).append(code)
        return {form: tuple(dict.fromkeys(codes)) for form, codes in out.items()}

    def township_in(self, name: str, context: list[str], alone: bool = True) -> str | None:
        """A township name (with its suffix) → its key, only with a parent in context: the first context
        code (a county named before it, the report's own county …) that has it, else the one in the
        context's prefecture or province; a name no other county has may stand alone unless its stem is a
        common word (和平镇, 城关镇) or `alone` is False (the name is glued to the word before it)."""
        counties = self.township_names.get(name, ())
        context = [c for c in context if "/" not in c]
        for c in context:
            if c in counties:
                return township_key(c, name)
        code = settle(list(counties), context)
        if code and any(code[:2] == c[:2] for c in context):
            return township_key(code, name)
        if alone and len(counties) == 1 and split_suffix(name)[0] not in COMMON_STEMS:
            return township_key(counties[0], name)
        return None

    @cached_property
    def bare_forms(self) -> dict[str, tuple[str, ...]]:
        """Counties without their suffix (东城, 通州, 焉耆): matched only under the report's own division."""
        out: dict[str, list[str]] = {}
        for d in self.by_code.values():
            if d.level == "county":
                for form, kind in derived_aliases(d.name, d.level):
                    if kind == "bare" and form not in COMMON_STEMS and form not in SHORT_FORM_STOPLIST:
                        out.setdefault(form, []).append(d.code)
        return {form: tuple(codes) for form, codes in out.items()}

    def is_current(self, code: str) -> bool:
        """The code is in the current table (a base code that is not was retired)."""
        return code in sources.location().coded or "/" in code or code == NATIONAL_CODE

    def ancestors(self, code: str) -> list[str]:
        """Codes from the direct parent up to the province."""
        out, cur = [], self[code].parent
        while cur and cur in self and cur != NATIONAL_CODE:
            out.append(cur)
            cur = self[cur].parent
        return out

    def candidates(self, name: str) -> list[str]:
        """Base-table codes for a full name or short form (the recogniser's vocabulary)."""
        return self.by_name.get(name, []) or self.by_short.get(name, []) or list(self.written_forms.get(name, ()))

    # --- the extended table

    @property
    def all_divisions(self) -> dict[str, Division]:
        """Every division by code: the base table, current codes, townships."""
        return self._full.by_code

    @property
    def names(self) -> dict[str, list[str]]:
        """Every full name (base, current, township) → codes."""
        return self._full.names

    @property
    def aliases(self) -> dict[str, list[Alias]]:
        return self._full.aliases

    @property
    def changes(self) -> list[Change]:
        return self._full.changes

    def children(self, code: str) -> list[str]:
        """Codes directly under `code`, its townships included."""
        return list(self._full.children.get(code, ()))

    def townships(self, county: str) -> list[str]:
        return [c for c in self.children(county) if self[c].level == "township"]

    def forms(self, code: str) -> list[tuple[str, str]]:
        """(form, kind) of every way the gazetteer knows to write one division, the full name first."""
        return [(self[code].name, "name")] + sorted(
            (a.form, a.kind) for al in self.aliases.values() for a in al if a.code == code)

    def villages(self, township: str) -> tuple[str, ...]:
        """Village and community names (村, 社区, 嘎查 …) under a township key; read on first use."""
        return tuple(v.strip() for v in _villages().get(township, "").split("\n") if v.strip())

    # --- history

    def span(self, code: str) -> Span:
        return self._full.spans.get(code, _ALWAYS)

    def valid_in(self, code: str, year: int) -> bool:
        return self.span(code).covers(year)

    def successor(self, code: str) -> str | None:
        """The code that finally took over a retired one (莱芜市 371200 → 济南市 370100), else None."""
        seen, cur = {code}, self.span(code).replaced_by
        while cur and self.span(cur).replaced_by and cur not in seen:
            seen.add(cur)
            cur = self.span(cur).replaced_by
        return cur

    def predecessors(self, code: str) -> list[str]:
        return sorted(c for c, s in self._full.spans.items() if s.replaced_by == code)

    def code_in(self, code: str, year: int) -> str | None:
        """The code that stood for `code`'s division in `year`: the successor of a code retired by then,
        the one predecessor of a code that did not exist yet, else the code itself."""
        if code not in self:
            return None
        seen = set()
        while True:
            span = self.span(code)
            if span.valid_until and int(span.valid_until[:4]) <= year and span.replaced_by and code not in seen:
                seen.add(code)
                code = span.replaced_by
                continue
            break
        if span.valid_from and year < int(span.valid_from[:4]):
            before = [p for p in self.predecessors(code) if self.valid_in(p, year)]
            if len(before) == 1:
                return before[0]
        return code

    # --- lookups over every name

    def lookup(self, name: str, year: int | None = None, *, kinds: tuple[str, ...] = DEFAULT_KINDS) -> list[str]:
        """Codes a written name can stand for: full names (townships included), then aliases of `kinds`.
        Traditional characters are read as simplified.  With a year, only codes valid that year: a
        retired code gives way to its successor, a former name counts until it changed."""
        found: list[str] = []
        for form in dict.fromkeys((name, simplified(name))):
            found += self.names.get(form, [])
            found += [a.code for a in self.aliases.get(form, ())
                      if a.kind in kinds and (year is None or a.until is None or year < int(a.until[:4]))]
        found = list(dict.fromkeys(found))
        if year is None:
            return found
        moved = [self.code_in(c, year) for c in found]
        return list(dict.fromkeys(c for c in moved if c and self.valid_in(c, year)))

    def resolve(self, name: str, context: list[str], year: int | None = None) -> tuple[str | None, list[str]]:
        """Pick the division a name means, given the codes of the report's own division chain.

        Returns (code, candidates). Ambiguous names are resolved by the report's province, then its
        prefecture; when that still leaves several, code is None and the candidates are returned so
        that the caller can record the ambiguity.  Without a year only the base vocabulary is searched
        (`candidates`); with one, every name and alias as it stood that year (`lookup`).
        """
        cands = self.candidates(name) if year is None else self.lookup(name, year)
        return settle(cands, context), cands


def settle(cands: list[str], context: list[str]) -> str | None:
    """The one candidate code nearest the context codes: alone, else the one in the same prefecture, else
    the one in the same province; None when that leaves several (or none)."""
    if len(cands) <= 1:
        return cands[0] if cands else None
    for depth in (4, 2):  # same prefecture first, then same province
        prefixes = {c[:depth] for c in context}
        near = [c for c in cands if c[:depth] in prefixes]
        if len(near) == 1:
            return near[0]
    return None


# ------------------------------------------------------------------ building

def _children(by_code: dict[str, Division]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in by_code.values():
        if d.parent:
            out.setdefault(d.parent, []).append(d.code)
    return {k: sorted(v) for k, v in out.items()}


def _base() -> list[Division]:
    rows_ = sources.base_rows()
    out = [Division(NATIONAL_CODE, "中央", "national", None)]
    codes = {c for c, name, _, _ in rows_ if name != "市辖区"}
    for code, name, lon, lat in rows_:
        if name == "市辖区" or not name:
            continue
        level = sources.level_of(code)
        if level == "zone":
            level = "county"
        if level == "province":
            parent = NATIONAL_CODE
        elif level == "prefecture":
            parent = code[:2] + "0000"
        else:
            pref = code[:4] + "00"
            parent = pref if pref in codes else code[:2] + "0000"
        out.append(Division(code, name, level, parent, lon, lat, short_forms(name, level), split_suffix(name)[1]))
    return out


def _paths(by_code: dict[str, Division]) -> dict[tuple[str, ...], str]:
    """(province, prefecture, county) names → code, for the divisions of a table."""
    out: dict[tuple[str, ...], str] = {}
    for d in by_code.values():
        if d.level in ("province", "prefecture", "county", "zone"):
            chain, cur = [d.name], d.parent
            while cur and cur in by_code and cur != NATIONAL_CODE:
                chain.append(by_code[cur].name)
                cur = by_code[cur].parent
            names = tuple(reversed(chain))
            out.setdefault(names, d.code)
            if len(names) == 2 and d.level == "county":      # a municipality's district: 北京市/北京市/东城区
                out.setdefault((names[0], names[0], names[1]), d.code)
    return out


def _history(base: dict[str, Division], loc: sources.Location) -> list[Change]:
    """Changes from the packaged change list and builders/data/division_changes.tsv.

    A change names the old division by its path of names and the new one likewise; the old code is looked
    up in the base table (the older one), the new code in the current table.  Equal codes mean a rename.
    """
    base_paths = _paths(base)
    out = []
    for date, old, new in sources.changes():
        old_code = base_paths.get(old) or loc.path_codes.get(old)
        new_code = loc.path_codes.get(new) or base_paths.get(new)
        if new_code:
            out.append(Change(date, old_code, old[-1], new_code, new[-1]))
    for r in rows("division_changes"):
        out.append(Change(r["date"], r["old_code"], r["old_name"], r["new_code"], r["new_name"]))
    out += _undated(base, loc, {c.old_code for c in out})
    return sorted(set(out), key=lambda c: (c.date or "", c.old_code or "", c.new_code, c.old_name))


def _undated(base: dict[str, Division], loc: sources.Location, known: set[str | None]) -> list[Change]:
    """Base codes gone from the current table that no dated change explains: the successor is the one new
    code in the same province with the same name or stem, or whose name extends the old one (长乐市 →
    长乐区, 那曲地区 → 那曲市, 赣县 → 赣县区).  The date is not known."""
    new_by_province: dict[str, list[tuple[str, str]]] = {}
    for code, (name, _) in loc.coded.items():
        if code not in base:
            new_by_province.setdefault(code[:2], []).append((code, name))
    out = []
    for code, d in base.items():
        if code in loc.coded or code in known or d.level not in ("prefecture", "county") \
                or sources.PLACEHOLDER.search(d.name) or d.name in NAME_STOPLIST:
            continue
        stem = split_suffix(d.name)[0]
        found = [(c, n) for c, n in new_by_province.get(code[:2], ())
                 if sources.level_of(c) == d.level and (split_suffix(n)[0] == stem or n.startswith(d.name))]
        if len(found) == 1:
            out.append(Change(None, code, d.name, found[0][0], found[0][1]))
    return out


def _extend(gaz: Gazetteer) -> _Full:
    by_code = dict(gaz.by_code)
    base_codes = set(by_code)
    loc = sources.location()
    for code, (name, parent) in sorted(loc.coded.items()):
        if code not in by_code and parent in by_code:
            level = sources.level_of(code)
            by_code[code] = Division(code, name, level, parent, None, None, short_forms(name, level),
                                     split_suffix(name)[1])
    aliases: list[Alias] = []
    changes = _history(gaz.by_code, loc)
    spans: dict[str, Span] = {}
    for c in changes:
        if c.old_code and c.old_code != c.new_code and c.old_code in by_code and c.new_code in by_code:
            spans[c.old_code] = Span(spans.get(c.old_code, _ALWAYS).valid_from, c.date, c.new_code)
            if c.date and c.new_code not in base_codes and c.new_code not in spans:
                spans[c.new_code] = Span(c.date)
        elif c.old_name != c.new_name and c.old_code in (None, c.new_code):
            aliases.append(Alias(c.old_name, c.new_code, "former", c.date))
    for code, (name, _) in loc.coded.items():
        if code in base_codes and by_code[code].name != name:
            aliases.append(Alias(name, code, "current"))
    for county, township_names in sorted(loc.townships.items()):
        if county in by_code:
            for name in dict.fromkeys(township_names):
                key = township_key(county, name)
                by_code[key] = Division(key, name, "township", county, suffix=split_suffix(name)[1])
    # Traditional spellings down to counties; `lookup` reads any traditional name as simplified, and so
    # does the text normaliser, so townships need no table of their own.
    for d in list(by_code.values()):
        if d.level in ("province", "prefecture", "county"):
            forms = [(d.name, "name")] + derived_aliases(d.name, d.level)
            aliases += [Alias(form, d.code, kind) for form, kind in forms[1:]]
            aliases += [Alias(traditional(form), d.code, "traditional") for form, kind in forms
                        if kind != "bare" and traditional(form) != form]
    names: dict[str, list[str]] = {}
    for code in sorted(by_code):
        names.setdefault(by_code[code].name, []).append(code)
    by_form: dict[str, list[Alias]] = {}
    for a in sorted(dict.fromkeys(aliases), key=lambda a: (a.form, a.code, a.kind)):
        by_form.setdefault(a.form, []).append(a)
    return _Full(by_code, names, by_form, changes, spans, _children(by_code))


@lru_cache(maxsize=1)
def _villages() -> dict[str, str]:
    return sources.villages()


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    return Gazetteer(_base(), _extend)

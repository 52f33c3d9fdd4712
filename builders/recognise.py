"""Recognisers: find the mentions of divisions, agencies, practices, regulations, quantities and years.

Each recogniser is a plain function from matching text to `Mention`s (offsets relative to that text), so
that it can be tested alone and run fast; `builders.components` wraps them as named spaCy components.
Multi-pattern lexicons are matched with Aho-Corasick automata (leftmost-longest, non-overlapping).  The
words and patterns are data (`builders/data/`, read through `builders.vocab`); the code here is their
structure: which match wins, what a match must not touch.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick
import cn2an

from govkg.builders import gazetteer, lexicon, practice_forms as practice_forms_mod, vocab
from govkg.builders.mention import Label, Mention
from govkg.namespace import RegulationKind

P = vocab.pattern


def _automaton(forms: dict[str, str]) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for form, key in forms.items():
        a.add_word(form, (len(form), key))
    a.make_automaton()
    return a


def _longest(a: ahocorasick.Automaton, text: str) -> list[tuple[int, int, Any]]:
    """Leftmost-longest, non-overlapping matches."""
    found = sorted(((end - n + 1, end + 1, key) for end, (n, key) in a.iter(text)), key=lambda m: (m[0], -m[1]))
    out, last = [], -1
    for s, e, key in found:
        if s >= last:
            out.append((s, e, key))
            last = e
    return out


# ------------------------------------------------------------------ divisions

# A mention's data says what kind of name matched: a township (resolved by the linker from context).
# glued: a Chinese character before it, not a boundary word
TOWNSHIP, GLUED, LEVEL_WORD, BARE = "township", "township glued", "level word", "bare"


@lru_cache(maxsize=1)
def _division_automaton() -> ahocorasick.Automaton:
    """Full names and short forms of the base table, abbreviations and current names (`written_forms`),
    and township names with their suffix (乡, 镇, 街道, 苏木: a township's bare stem is never matched)."""
    gaz = gazetteer.load()
    forms: dict[str, tuple[str, str]] = {}
    for name in gaz.township_names:
        stem, suffix = gazetteer.split_suffix(name)
        if gazetteer.suffix_level(suffix) == "township" and len(stem) >= 2:
            forms[name] = (name, TOWNSHIP)
    for name in gaz.bare_forms:
        if len(name) >= 2:
            forms[name] = (name, BARE)
    for name in gaz.written_forms:
        forms[name] = (name, "")
    for name in gaz.by_short:
        forms[name] = (name, "")
    national = gaz[gazetteer.NATIONAL_CODE].name     # the central level is not a place name in running text
    for name in gaz.by_name:
        if name not in gazetteer.NAME_STOPLIST and len(name) >= 2 and name != national:
            forms[name] = (name, "")
    a = ahocorasick.Automaton()
    for form, key in forms.items():
        a.add_word(form, (len(form), key))
    a.make_automaton()
    return a


@lru_cache(maxsize=4096)
def _weak(name: str) -> bool:
    """A name whose stem is one character (范县, 和县) or a township whose stem is a common word (和平镇): it
    needs a word boundary before it and no run-on word after its suffix."""
    stem, suffix = gazetteer.split_suffix(name)
    if not suffix:
        return False
    return len(stem) == 1 or (stem in vocab.words("common_stems") and gazetteer.suffix_level(suffix) == "township")


def stands_alone(text: str, start: int, end: int, name: str, after_division: bool) -> bool:
    """The word-boundary rule for a weak name (data: division_boundary, division_glued_after)."""
    if not _weak(name):
        return True
    if text[end - 1:end + 1] in vocab.words("division_glued_after"):
        return False
    return after_division or _left_boundary(text, start)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=2)
def _division_names(text: str) -> list[tuple[int, int, tuple[str, str]]]:
    """Division names in `text` that stand at a word boundary (cached: the division and agency recognisers
    both start from them): (start, end, (name, kind))."""
    out: list[tuple[int, int, tuple[str, str]]] = []
    for s, e, key in _longest(_division_automaton(), text):
        after_division = bool(out) and out[-1][1] == s
        if not stands_alone(text, s, e, key[0], after_division):
            continue
        if key[1] == BARE and not ((after_division or _left_boundary(text, s)) and _left_boundary(text, e + 1)):
            continue      # a county without its suffix (红山文化) is a word like any other unless it stands alone
        if key[1] == TOWNSHIP and not after_division and not _left_boundary(text, s):
            key = (key[0], GLUED)      # 提高城乡 holds 高城乡: only a county in context makes it one
        out.append((s, e, key))
    return out


def _left_boundary(text: str, start: int) -> bool:
    before = text[start - 1:start] if start else ""
    return not before or not _is_han(before) or before in vocab.words("division_boundary")


def find_divisions(text: str) -> list[Mention]:
    hits = [Mention(s, e, Label.DIVISION, name, (kind,) if kind else ()) for s, e, (name, kind) in _division_names(text)]
    for word in vocab.words("level_names"):        # 自治区 alone: the report's own region (the linker decides)
        for m in re.finditer(re.escape(word), text):
            if not any(h.start <= m.start() < h.end for h in hits):
                hits.append(Mention(m.start(), m.end(), Label.DIVISION, word, (LEVEL_WORD,)))

    for m in P("zone").finditer(text):
        prefix = P("zone_trim").sub("", m.group(1))
        named = [h for h in hits if m.end(1) - len(prefix) <= h.start < m.end(1)]
        if named:  # a verb before a zone named after its city: keep from the city's name on
            prefix = text[named[-1].start:m.end(1)]
        else:
            lead = P("lead_verb").match(prefix)
            if lead:
                prefix = prefix[lead.end():]
        start = m.end(1) - len(prefix)
        if len(prefix) < 2 or P("not_zone").search(prefix):
            continue
        # A zone named after its city keeps the city as its parent hint.
        hits = [h for h in hits if not (start <= h.start and h.end <= m.end())]
        hits.append(Mention(start, m.end(), Label.ZONE, text[start:m.end()], (prefix,)))
    return sorted(hits, key=lambda h: h.start)


# ------------------------------------------------------------------ practices

def practice_forms(exclude: frozenset[str] = frozenset()) -> practice_forms_mod.Forms:
    """The practice forms; `exclude` leaves surface forms out (used to measure on unseen wording)."""
    return _practice_forms(exclude, lexicon.vocabulary_files())


@lru_cache(maxsize=8)
def _practice_forms(exclude: frozenset[str], files: tuple[str, ...]) -> practice_forms_mod.Forms:
    return practice_forms_mod.Forms({f: slug for f, slug in lexicon.practice_surface_forms().items()
                                     if f not in exclude})


def practice_automaton(exclude: frozenset[str] = frozenset()) -> ahocorasick.Automaton:
    """The matcher of the forms written whole."""
    return _practice_automaton(exclude, lexicon.vocabulary_files())


@lru_cache(maxsize=8)
def _practice_automaton(exclude: frozenset[str], files: tuple[str, ...]) -> ahocorasick.Automaton:
    return _automaton(practice_forms(exclude).whole)


def find_practices(text: str, exclude: frozenset[str] = frozenset()) -> list[Mention]:
    """Practices named by a form written whole, by a form split by a few words, or as an item of a list
    with a shared head noun (`builders.practice_forms`); then names shaped like a practice that the
    vocabulary does not hold (candidates)."""
    forms = practice_forms(exclude)
    whole = _longest(practice_automaton(exclude), text)
    split = practice_forms_mod.split_forms(text, forms, [(s, e) for s, e, _ in whole])
    whole = [w for w in whole if not any(s <= w[0] and w[1] <= e for s, e, _ in split)]
    found = whole + split
    listed, listed_candidates = practice_forms_mod.enumerations(text, forms, [(s, e) for s, e, _ in found])
    found += listed
    hits = [Mention(s, e, Label.PRACTICE, slug) for s, e, slug in found]
    spans = [(h.start, h.end) for h in hits]
    for m in P("candidate_practice").finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        hits.append(Mention(m.start(), m.end(), Label.CANDIDATE, practice_forms_mod.candidate_key(m.group(0))))
    spans = [(h.start, h.end) for h in hits]
    for s, e, key in listed_candidates + practice_forms_mod.named_candidates(text, spans):
        if not any(a < e and s < b for a, b in spans):
            hits.append(Mention(s, e, Label.CANDIDATE, key))
            spans.append((s, e))
    return sorted(hits, key=lambda h: (h.start, h.end))


def _families() -> tuple[tuple[str, frozenset[str]], ...]:
    return _families_of(lexicon.vocabulary_files())


@lru_cache(maxsize=4)
def _families_of(files: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((slug, frozenset(e.parts)) for slug, e in lexicon.practices().items() if len(e.parts) >= 2)


def spelled_out(slugs: set[str]) -> set[str]:
    """Families all of whose parts are named (the three parts of fang-guan-fu name fang-guan-fu)."""
    if len(slugs) < 2:
        return set()
    return {slug for slug, parts in _families() if parts <= slugs}


# ------------------------------------------------------------------ regulations

_TITLE = re.compile(r"《([^《》\n]{1,100})》")


def find_regulations(text: str) -> list[Mention]:
    return [Mention(m.start(), m.end(), Label.REGULATION, m.group(1).strip()) for m in _TITLE.finditer(text)
            if m.group(1).strip()]


def regulation_kind(title: str) -> RegulationKind:
    """The legal form of a titled document, from the shape of its title (patterns ``kind_*``).

    Laws end in a law word; regulations are administrative unless a locality issues them; government rules
    are a province's or a prefecture's management measures (a county cannot make rules, and rules do not
    carry the people's government in their title); plans end in a plan word.  The order below is the
    precedence.
    """
    t = title.strip()
    while True:  # trailing (draft), (trial), (2021-2025) …
        stripped = P("title_trailer").sub("", t).strip()
        if stripped == t:
            break
        t = stripped
    gaz = gazetteer.load()
    local = P("title_locality").match(t)
    local_name = local.group(0) if local else ""
    codes = gaz.by_name.get(local_name) or []
    local_level = gaz[codes[0]].level if codes else ""
    if P("kind_other").search(t):
        return RegulationKind.OTHER_DOCUMENT
    if P("kind_regulation").search(t):
        return RegulationKind.LOCAL_REGULATION if local_name or t.startswith(vocab.words("province_title_leads")) \
            else RegulationKind.ADMINISTRATIVE_REGULATION
    if P("kind_code").search(t) or (P("kind_law").search(t) and len(t) >= 3 and not P("kind_not_law").search(t)):
        return RegulationKind.LAW
    if P("kind_decision").search(t):
        if P("kind_decision_by_government").match(t):
            return RegulationKind.NORMATIVE_DOCUMENT
        return RegulationKind.LOCAL_REGULATION
    if P("kind_plan").search(t):
        return RegulationKind.PLAN_DOCUMENT
    if local_level in ("province", "prefecture") and (
            P("kind_rule").search(t) and not P("kind_not_rule").search(t)
            or P("kind_rule_named").search(t) and P("kind_rule_named_end").search(t)):
        return RegulationKind.GOVERNMENT_RULE
    if P("kind_normative").search(t):
        return RegulationKind.NORMATIVE_DOCUMENT
    return RegulationKind.OTHER_DOCUMENT


# ------------------------------------------------------------------ quantities and years

def _quantity_word(role: str) -> str:
    return vocab.where("quantity_words", "role", role)[0]


def _quantity_words(role: str) -> tuple[str, ...]:
    return vocab.where("quantity_words", "role", role)


def _to_number(m: re.Match) -> float | None:
    if m.group("num"):
        return float(m.group("num"))
    try:
        return float(cn2an.cn2an(m.group("cn"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def find_quantities(text: str) -> list[Mention]:
    """Numbers with their units, as (value, unit, qualifier, raw) in `data`.

    Counts with the 10^4/10^8 multipliers are multiplied out; money keeps them in its unit.
    """
    year_unit, yuan, wan, yi = (_quantity_word(r) for r in ("year", "money", "wan", "yi"))
    not_before = "".join(_quantity_words("not_before"))
    hits: list[Mention] = []
    for m in P("quantity").finditer(text):
        s, e = m.start(), m.end()
        before = text[max(0, s - 1):s]
        if before and (before.isdigit() or before in not_before or before.isascii() and before.isalpha()):
            continue
        if m.group("cn") and not (m.group("q1") or m.group("q2") or m.group("pre") or m.group("mul1")):
            # Bare one-character numerals are mostly names (the three systems); keep counted years and
            # written-out amounts.
            written_out = len(m.group("cn")) >= 2 and P("written_out_number").search(m.group("cn")) and not m.group("mod")
            if not (written_out or m.group("unit") == year_unit
                    and text[max(0, s - 2):s] in vocab.words("quantity_counted_leads")):
                continue
        unit = m.group("unit") or m.group("pct")
        if unit == year_unit and not m.group("cn"):
            continue  # a year in digits is a date, not a quantity
        if unit in vocab.words("place_units") and not m.group("num"):
            continue
        if m.group("unit") and P("not_after_number").match(text[m.end("unit") - len(unit):m.end("unit") + 4]) \
                and unit in (year_unit, _quantity_word("session")):
            continue
        value = _to_number(m)
        if value is None:
            continue
        mul = m.group("mul1") or m.group("mul2")
        money = unit in (yuan,)
        if unit in (wan + yuan, yi + yuan):
            pass
        elif money and mul:
            unit = mul + yuan
        elif mul:
            value *= 10_000 if mul == wan else 100_000_000
        if unit == _quantity_word("approx_cases"):
            unit = _quantity_word("cases")
        qualifier = m.group("q1") or m.group("q2") or m.group("pre") or m.group("post") or ""
        if qualifier in _quantity_words("reached"):
            qualifier = ""
        if m.group("pct") == "‰":
            value, unit = value / 10, "%"
        hits.append(Mention(s, e, Label.QUANTITY, unit, (round(value, 4), unit, qualifier, text[s:e])))
    for m in P("near_yi").finditer(text):
        hits.append(Mention(m.start(), m.end(), Label.QUANTITY, yi + yuan, (1.0, yi + yuan, m.group(0)[0], m.group(0))))
    for m in P("fraction").finditer(text):
        if m.group("half"):
            value = 50.0
        else:
            try:
                value = round(100 * cn2an.cn2an(m.group("numr"), "smart") / cn2an.cn2an(m.group("den"), "smart"), 2)
            except (ValueError, ZeroDivisionError):
                continue
        hits.append(Mention(m.start(), m.end(), Label.QUANTITY, "%", (value, "%", "", m.group(0))))
    return sorted(hits, key=lambda h: h.start)


def find_years(text: str) -> list[Mention]:
    return [Mention(m.start(), m.end(), Label.YEAR, m.group(1)) for m in P("year").finditer(text)]


# ------------------------------------------------------------------ agencies

@lru_cache(maxsize=1)
def _agency_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, ahocorasick.Automaton]:
    suffix = "|".join("(?<=" + re.escape(x) + ")" for x in vocab.words("agency_suffixes"))
    body = "[^" + vocab.source("agency_stop")[1:]
    # Division names are found by the Aho-Corasick matcher; level words and the central level by this pattern.
    level_prefix = P("agency_level_prefix")
    body_suffix = re.compile(r"(?P<body>" + body + r"{0,18})(?:" + suffix + r")")
    standalone = _automaton({n: n for n in vocab.words("central_bodies") + vocab.words("standalone_agencies")})
    return level_prefix, body_suffix, P("department_agency"), standalone


def _is_stop(ch: str) -> bool:
    return P("agency_stop").match(ch) is not None


def _split_conjunction(h: Mention) -> list[Mention]:
    """Two bodies joined by a conjunction become two; a body whose standard name holds one stays whole."""
    name = h.key
    suffixes = vocab.words("agency_suffixes")
    for i, ch in enumerate(name):
        if P("agency_conjunction").fullmatch(ch) and name[:i].endswith(suffixes) and i >= 2:
            left = Mention(h.start, h.start + i, Label.AGENCY, name[:i], h.data)
            right = name[i + 1:]
            if len(right) >= 2 and right.endswith(suffixes):
                return [left, Mention(h.start + i + 1, h.end, Label.AGENCY, right, ("",))]
            return [left]
    return [h]


def _prefixes(text: str) -> list[tuple[int, int]]:
    """Where an agency name may start: a division name (full or short), the central level, a level word."""
    level_prefix = _agency_patterns()[0]
    spans = [(s, e) for s, e, _ in _division_names(text)]
    spans += [(m.start(), m.end()) for m in level_prefix.finditer(text)]
    return sorted(set(spans))


def _short_suffix_closes(name: str, rest: str, nxt: str) -> bool:
    """Short endings close only short names (city government, city committee office), not longer words."""
    if P("agency_short_government").search(name) and not P("agency_short_government_body").fullmatch(rest):
        return False
    for row in vocab.rows("agency_short"):
        if name.endswith(row["suffix"]) and (len(rest) > int(row["longest_body"]) or nxt in row["not_before"]):
            return False
    return True


def find_agencies(text: str) -> list[Mention]:
    _, body_suffix, dept, standalone = _agency_patterns()
    hits: list[Mention] = []
    for ps, pe in _prefixes(text):
        m = body_suffix.match(text, pe)
        if not m:
            continue
        prefix = text[ps:pe]
        name = text[ps:m.end()]
        rest = name[len(prefix):]
        nxt = text[m.end():m.end() + 1]
        if not _short_suffix_closes(name, rest, nxt):
            continue
        if P("not_agency").search(rest or "x") and not name.endswith(vocab.words("agency_whole_suffixes")):
            continue
        if P("agency_clause").search(rest):
            continue
        if len(name) < 2 or not rest or name in vocab.words("not_agency_names"):
            continue
        hits.append(Mention(ps, m.end(), Label.AGENCY, name, (prefix,)))
    for m in dept.finditer(text):
        hits.append(Mention(m.start(), m.end(), Label.AGENCY, m.group(0), ("",)))
    for s, e, key in _longest(standalone, text):
        hits.append(Mention(s, e, Label.AGENCY, key, ("",)))
    for m in P("unprefixed_agency").finditer(text):
        i = m.start()
        while i > 0 and not _is_stop(text[i - 1]) and m.start() - i < 14:
            i -= 1
        inside = P("verb_inside").match(text[i:m.start()])
        if inside:
            i += inside.end()
        lead = P("lead_verb").match(text[i:m.start()])
        if lead:
            i += lead.end()
        if m.start() - i < 2:
            continue
        hits.append(Mention(i, m.end(), Label.AGENCY, text[i:m.end()], ("",)))
    hits = [part for h in hits for part in _split_conjunction(h)]
    # Overlaps: keep the longest (a committee's office over the committee's short name).
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Mention] = []
    for h in hits:
        if out and h.start < out[-1].end:
            if h.end > out[-1].end and h.start == out[-1].start:
                out[-1] = h
            continue
        out.append(h)
    return out


# ------------------------------------------------------------------ what makes a sentence worth annotating

@dataclass(frozen=True)
class Cues:
    """What the prefilter looks for to know a recogniser may find something in a sentence: literal words,
    and positions found by a scan of the whole report."""
    words: Callable[[], Iterable[str]] = lambda: ()
    marks: Callable[[str], Iterable[int]] = lambda norm: ()


def _quantity_marks(norm: str) -> Iterable[int]:
    year_unit = _quantity_word("year")
    for m in P("quantity").finditer(norm):
        if not (m.group("unit") == year_unit and m.group("num")):   # a year in digits is a date
            yield m.start()


# span group → its cues.  Divisions and agencies are found over the whole report (no cue needed); years
# alone make no fact.
CUES: dict[str, Cues] = {
    # “ opens a quoted candidate; a practice word may close an unquoted one or a list's shared head noun
    "practices": Cues(words=lambda: [*lexicon.practice_surface_forms(), "“", *vocab.words("candidate_kinds"),
                                     *vocab.words("enumeration_heads")],
                       marks=lambda norm: (s for s, _, _ in practice_forms_mod.split_forms(norm, practice_forms(), []))),
    "regulations": Cues(words=lambda: ["《"]),
    "quantities": Cues(words=lambda: _quantity_words("literal"), marks=_quantity_marks),
}

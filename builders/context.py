"""Report context: which division reports, on which year, under which title, published when and by whom.

Found from the document header (the index, publisher and title tables of government sites, source lines),
the title lines and the lead paragraph — never from the body's citations: titles inside 《》 name other
documents.
"""
from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from govkg.builders import gazetteer, vocab
from govkg.builders.mention import Label, Mention
from govkg.builders.recognise import BARE, LEVEL_WORD, TOWNSHIP, find_divisions
from govkg.builders.text import FURNITURE

# On a tie the more specific division wins, save a township: it must outvote its county (or speak of
# itself as a township: 我镇, 本街道), since county reports name their townships near the top.
LEVEL_RANK = {"township": -1, "national": 0, "province": 1, "prefecture": 2, "county": 3}
# Words by which a report refers to its own division (resolved to the reporting division).
SELF_REFERENCE = vocab.pattern("self_reference")


@dataclass(frozen=True)
class ReportContext:
    division: str | None          # GB/T 2260 code of the reporting division
    chain: tuple[str, ...]        # the division and its ancestors, most specific first
    year: int | None              # the single year reported on
    period: tuple[int, int] | None
    title: str
    date: str | None              # ISO date of publication
    publisher: str | None


_DATE = vocab.pattern("date")
_FIELD = vocab.multiline("header_field")
_YEAR_LEAD = vocab.pattern("year_lead")
_YEAR_TITLE = vocab.pattern("year_title")
_DOC_NUMBER = vocab.pattern("document_number")
_REPORT_TITLE = vocab.pattern("report_title")


def _enclosing_title(norm: str, offset: int) -> str:
    start, end = norm.rfind("《", 0, offset), norm.find("》", offset)
    return norm[start + 1:end] if start >= 0 and end >= 0 else ""


def _field_role(m: re.Match) -> str | None:
    return vocab.mapping("header_fields").get(m.group(1).replace(" ", ""))


def _iso_date(m: re.Match) -> str | None:
    """The match as an ISO date, or None when it names no real day (a percentage run into a month: 11月95.33%)."""
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _title(norm: str, lines: list[tuple[int, str]]) -> str:
    for m in _FIELD.finditer(norm[:2000]):
        if _field_role(m) == "title":
            return m.group(2).strip()
    title_lines: list[str] = []
    for _, line in lines[:8]:
        s = line.strip()
        if not s:
            continue
        if FURNITURE.search(s) or _DOC_NUMBER.match(s) or _DATE.fullmatch(s):
            if title_lines:
                break
            continue
        if len(s) > 40 or re.search(r"[。;,]", s):
            break
        title_lines.append(s)
    # A leading line that is only place names (a province and a city) is a dateline, not the title.
    while len(title_lines) > 1 and _only_places(title_lines[0]):
        title_lines.pop(0)
    out = ""
    for piece in title_lines:
        glue = "" if out.endswith(vocab.words("title_glue")) or not out else " "
        out += glue + piece
    return out


def _only_places(line: str) -> bool:
    """The line is division names end to end."""
    covered = sum(h.end - h.start for h in find_divisions(line) if h.label is Label.DIVISION)
    return covered == len(line)


def detect(text: str, norm: str, divisions: list[Mention], in_titles) -> ReportContext:
    """Decide the reporting division and year.  `in_titles(offset)` tells whether an offset is inside 《》."""
    gaz = gazetteer.load()
    lines, pos = [], 0
    for line in norm.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    title = _title(norm, lines)
    head_end = min(len(norm), 400)
    publisher = None
    for m in _FIELD.finditer(norm[:2000]):
        if _field_role(m) == "publisher":
            publisher = m.group(2).strip()
            break
    # the first real date near the top, else the last one at the foot (a signature line)
    date = next(filter(None, map(_iso_date, _DATE.finditer(norm[:600]))), None) or \
        next(filter(None, map(_iso_date, reversed(list(_DATE.finditer(norm[-300:]))))), None)

    # --- reporting division: weighted mentions; title and header count most.
    votes: defaultdict[str, float] = defaultdict(float)
    self_level = _self_level(norm)
    # A township counts only where the head names it (a county report lists its townships in the body),
    # resolved with the other divisions the head names (those inside titles too) as its parents in context.
    head_codes = [c for h in divisions if h.start < head_end and h.label is Label.DIVISION
                  and not h.data for c in [gaz.resolve(h.key, [])[0]] if c]
    for h in divisions:
        if h.label is not Label.DIVISION or h.data in ((LEVEL_WORD,), (BARE,)):
            continue
        if in_titles(h.start):      # titles name other documents, save the report itself cited in the head
            if not (h.start < head_end and _REPORT_TITLE.search(_enclosing_title(norm, h.start))):
                continue
        weight = 1.0
        if h.start < head_end or (title and h.key in title):
            weight += 4.0
        if publisher and h.key in publisher:
            weight += 4.0
        if h.data:
            code = gaz.township_in(h.key, head_codes, alone=h.data == (TOWNSHIP,)) if weight > 1 else None
        else:
            code, _ = gaz.resolve(h.key, [])
        if code is None:
            continue
        votes[code] += weight
    division = None
    if votes:
        # Prefer the level the report speaks of itself at (data/self_level.tsv), then the most votes,
        # then the most specific division.
        # A county-level city speaks of itself as a city too, so the level only tips the balance.
        def score(code: str) -> tuple:
            lvl = gaz[code].level
            return (votes[code] * (1.5 if lvl == self_level else 1.0), LEVEL_RANK.get(lvl, 0))
        division = max(sorted(votes), key=score)
    chain = tuple([division] + gaz.ancestors(division)) if division else ()

    # --- year reported on
    year, period = None, None
    tm = _YEAR_TITLE.search(title or "")
    if tm:
        year = int(tm.group(1))
    else:
        for _, line in lines[:40]:
            lm = _YEAR_LEAD.match(line)
            if lm and not FURNITURE.search(line):
                if lm.group(2):
                    end = int(date[:4]) if date else None
                    period = (int(lm.group(1)), end or int(lm.group(1)))
                    if period[0] == period[1]:
                        year, period = period[0], None
                else:
                    year = int(lm.group(1))
                break
    if year is None and period is None:
        limit = int(date[:4]) if date else 9999
        years = Counter(int(y) for y in vocab.pattern("year_any").findall(norm) if int(y) <= limit)
        if years:
            year = years.most_common(1)[0][0]
    if year is not None:
        period = (year, year)
    if division and year and not gaz.is_current(division):     # the code valid in the year reported on
        moved = gaz.code_in(division, year)
        if moved and moved != division:
            division, chain = moved, tuple([moved] + gaz.ancestors(moved))
    return ReportContext(division, chain, year if period and period[0] == period[1] else None, period, title,
                         date, publisher)


def _self_level(norm: str) -> str | None:
    """The level a report speaks of itself at, from how often it uses each level's self-reference."""
    counts = {"township": 0, "county": 0, "prefecture": 0, "province": 0}
    for word, level in vocab.mapping("self_level").items():
        counts[level] += norm.count(word)
    best = max((n, level) for level, n in counts.items())   # on a tie the later name wins, as it always has
    return best[1] if best[0] > 0 else None

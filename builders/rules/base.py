"""What every rule reads: the `Scene` of one sentence, and the structural helpers the rules share
(the year of a position, the subject of a clause, the practice a cue is about)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from govkg.builders import vocab
from govkg.builders.context import ReportContext
from govkg.builders.facts import Agency, CentralBody, DivisionKey, Evidence, When
from govkg.builders.mention import Mention
from govkg.builders.text import Sentence
from govkg.namespace import YearSource


class Designators(Protocol):
    """What a rule may ask the linker (`builders.link.Linker`), named here so that rules do not import it."""
    def designator(self, name: str) -> DivisionKey | CentralBody | None: ...

CLAUSE = re.compile(r"[,;:、]")
Placed = tuple[int, int, DivisionKey]      # (start, end, key) in the sentence


@dataclass
class Paragraph:
    """What a paragraph carries from one sentence to the next."""
    index: int
    last_practice: str | None = None        # the practice a later figure without one is about
    topic: str | None = None                # the paragraph's first practice: what "this practice" refers to
    year: int | None = None                 # the year its opening or its section heading dates it to
    year_stated_at: int | None = None       # where the paragraph's opening year stands (a sentence's start)


@dataclass
class Scene:
    sent: Sentence
    text: str                               # matching text of the sentence
    evidence: Evidence
    ctx: ReportContext
    link: Designators
    mentions: dict[str, list[Mention]]      # as recognised, by span group
    divisions: list[Placed]                 # linked division and zone mentions
    own: list[Placed]                       # those that are the reporting division or under it
    agencies: list[tuple[int, Agency]]
    practices: list[tuple[int, int, str]]   # recognised practices and the families they spell out
    acts: list[tuple[int, int, str]]        # the practices not named inside an honour
    named: set[str]                         # slugs recognised in the sentence (families not added)
    years: list[tuple[int, int]]            # event years: (position, year)
    paragraph: Paragraph = field(default_factory=lambda: Paragraph(-1))
    months: dict[int, int] = field(default_factory=dict)   # the month stated after an event year, by its position
    candidates: list[tuple[int, int, str]] = field(default_factory=list)   # candidate practices not in an honour

    def year_at(self, pos: int) -> int | None:
        return self.when(pos).year

    def when(self, pos: int) -> When:
        """The date of a fact at `pos`: the last event year before it, else the sentence's only year (stated);
        else the year its paragraph opens with or its section heading names (context); else the report's
        year (an upper bound)."""
        before = [(st, y) for st, y in self.years if st <= pos]
        if not before and len({y for _, y in self.years}) == 1:
            before = self.years[:1]
        if before:
            st, y = before[-1]
            return When(y, YearSource.STATED, self.months.get(st))
        para = self.paragraph
        if para.year is not None:
            stated = para.year_stated_at == self.sent.start
            return When(para.year, YearSource.STATED if stated else YearSource.CONTEXT)
        if self.ctx.year is not None:
            return When(self.ctx.year, YearSource.REPORT)
        return When(None)

    def subject_at(self, pos: int) -> DivisionKey | None:
        """The nearest own division named before `pos`, in the clause structure of the sentence."""
        t = self.text
        best = None
        for st, en, k in self.own:
            if en <= pos:
                between = t[en:pos]
                # A list of places or a place in a prepositional phrase is not the subject; the subject
                # stands at a clause start.
                lead = t[max(0, st - 1):st]
                if lead in vocab.words("not_subject_before") or t[en:en + 1] in vocab.words("list_joiners"):
                    continue
                if len(CLAUSE.findall(between)) > 1:
                    continue
                best = k
        return best


def practice_near(prac: list[tuple[int, int, str]], pos: int) -> str | None:
    """The practice a figure or a cue at `pos` is about: the last one named before it, else the first after."""
    before = [p for p in prac if p[0] <= pos]
    if before:
        return before[-1][2]
    return prac[0][2] if prac else None


_PHRASE_END = re.compile(r"[,;:。]")


def phrase_start(t: str, pos: int) -> int:
    """Where the phrase ending at `pos` begins: after the last comma, semicolon or colon before it."""
    return max((m.end() for m in _PHRASE_END.finditer(t, 0, pos)), default=0)


def experience_nouns(t: str) -> list[tuple[int, int]]:
    """Where the nouns an experience is named by stand (经验, 做法, 模式 …)."""
    return [m.span() for m in vocab.pattern("experience_noun").finditer(t)]


def practice_of_phrase(scene: Scene, lo: int, hi: int) -> tuple[str | None, str | None]:
    """The practice an experience phrase t[lo:hi] (ending at its noun) is about: the practice named last
    before the noun, the head of the phrase (“三级联动”行政复议工作经验 is about 行政复议); else a quoted term
    shaped like a practice there (a candidate).  (slug, None), (None, candidate) or (None, None)."""
    named = [p for p in scene.acts if lo <= p[0] and p[1] <= hi and p[1] > p[0]]
    if named:
        return max(named, key=lambda p: (p[1], -p[0]))[2], None
    quoted = [m for m in scene.mentions.get("practices", []) if m.label.value == "CANDIDATE"
              and lo <= m.start and m.end <= hi + 8]
    return (None, quoted[-1].key) if quoted else (None, None)

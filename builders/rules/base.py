"""What every rule reads: the `Scene` of one sentence, and the structural helpers the rules share
(the year of a position, the subject of a clause, the practice a cue is about)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from govkg.builders import vocab
from govkg.builders.context import ReportContext
from govkg.builders.facts import Agency, CentralBody, DivisionKey, Evidence
from govkg.builders.mention import Mention
from govkg.builders.text import Sentence


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
    candidates: list[tuple[int, int, str]] = field(default_factory=list)   # candidate practices not in an honour

    def year_at(self, pos: int) -> int | None:
        """The last event year before `pos`, else the sentence's only year, else the report's year."""
        before = [y for st, y in self.years if st <= pos]
        if before:
            return before[-1]
        if len({y for _, y in self.years}) == 1:
            return self.years[0][1]
        return self.ctx.year

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

"""Read a report's facts sentence by sentence: link each sentence's mentions (`builders.link`), keep the
paragraph's state, and run the registered rules (`builders.rules`) on it.

The rules are about how these reports are written — cue verbs, who the subject of a clause is, where a
number's unit stands — never about one report.
"""
from __future__ import annotations

from govkg.builders import vocab
from govkg.builders.context import ReportContext
from govkg.builders.facts import Evidence, ReportFacts
from govkg.builders.link import Annotated, Linker
from govkg.builders.rules import registered
from govkg.builders.rules.base import Paragraph

__all__ = ["Annotated", "Extractor"]


class Extractor:
    def __init__(self, text: str, ctx: ReportContext, source_name: str, sha: str, encoding: str):
        self.facts = ReportFacts(source_name, sha, text, encoding, ctx.title, ctx.date, ctx.publisher,
                                 ctx.division, ctx.year, ctx.period)
        if ctx.division:     # its parents are described in the graph, but the report does not name them
            self.facts.divisions.add(ctx.division)
        self.linker = Linker(ctx, self.facts)
        self.paragraph = Paragraph(-1)
        self.rules = registered()
        self.dating = Dating(ctx.year)

    def sentence(self, a: Annotated) -> None:
        s = a.sent
        if s.zone == "furniture":
            return
        if s.paragraph != self.paragraph.index:
            self.paragraph = Paragraph(s.paragraph)
            self.dating.open(self.paragraph, s.start, s.zone, a.text)
        evidence = Evidence(s.start, s.end, self.facts.text[s.start:s.end])
        scene = self.linker.scene(a, evidence, self.paragraph)
        if scene.acts:
            self.paragraph.last_practice = scene.acts[-1][2]
            if self.paragraph.topic is None:
                self.paragraph.topic = scene.acts[0][2]
        for rule in self.rules:
            found = list(rule.read(scene))
            for fact in found:
                self.facts.add(fact)
            if found and rule.final:
                return


_HEADING, _SUB_HEADING = vocab.pattern("heading"), vocab.pattern("sub_heading")
_YEAR, _YEAR_LEAD, _PERIOD_LEAD = vocab.pattern("year"), vocab.pattern("year_lead"), vocab.pattern("period_lead")


class Dating:
    """The year the text around a sentence dates it to: its paragraph's opening year (2021年, / 2022年以来,),
    else its section heading's (一、2023年主要工作), else the year the report's lead paragraph opens with when
    that is not the report's own year (which the report year already gives, as an upper bound)."""

    def __init__(self, report_year: int | None) -> None:
        self.report_year = report_year
        self.headings: dict[int, int | None] = {}     # heading depth → the year it names
        self.lead: int | None = None                  # the lead paragraph's year: it dates the whole report
        self.in_sections = False                      # a numbered heading has been seen

    def open(self, paragraph: Paragraph, start: int, zone: str, text: str) -> None:
        """Date a paragraph from its first sentence (`text`, starting at `start`)."""
        if _HEADING.match(text):
            depth = 2 if _SUB_HEADING.match(text) else 1
            self.headings = {d: y for d, y in self.headings.items() if d < depth}
            y = _YEAR.search(text) if zone == "heading" else None
            self.headings[depth] = int(y.group(1)) if y else None
            self.in_sections = True
        lead = _YEAR_LEAD.match(text)
        # "2015年以来" opens a period: it dates what follows only when the period is the report's year.
        if lead and _PERIOD_LEAD.match(text) and int(lead.group(1)) != self.report_year:
            lead = None
        if lead and zone != "heading":
            paragraph.year, paragraph.year_stated_at = int(lead.group(1)), start
            # A lead paragraph dates the report; when it names the report's own year it adds nothing.
            if not self.in_sections and self.lead is None and paragraph.year != self.report_year:
                self.lead = paragraph.year
            return
        named = [y for _, y in sorted(self.headings.items()) if y is not None]
        paragraph.year = named[-1] if named else self.lead

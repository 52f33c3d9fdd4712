"""Read a report's facts sentence by sentence: link each sentence's mentions (`builders.link`), keep the
paragraph's state, and run the registered rules (`builders.rules`) on it.

The rules are about how these reports are written — cue verbs, who the subject of a clause is, where a
number's unit stands — never about one report.
"""
from __future__ import annotations

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

    def sentence(self, a: Annotated) -> None:
        s = a.sent
        if s.zone == "furniture":
            return
        if s.paragraph != self.paragraph.index:
            self.paragraph = Paragraph(s.paragraph)
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

"""Outcomes: a figure with its unit, the indicator written before it in its clause, the division it is about
(the clause's subject, else the reporting division), its year, and the practice it measures (the nearest
named, else the paragraph's last).  A cumulative figure (``cumulative``) without a year of its own is dated
to the end of the report's period.  Figures inside practice names, titles and quoted terms are names.
"""
from __future__ import annotations

import re

from govkg.builders import vocab
from govkg.builders.facts import Outcome, When
from govkg.builders.rules.base import Scene, practice_near
from govkg.builders.rules.registry import rule
from govkg.namespace import YearSource

_QUOTED = re.compile(r"“[^”]{0,30}”")
_CLAUSE_END = re.compile(r"[,;:。]")


@rule("outcome", requires=("quantities",))
def outcomes(scene: Scene) -> list[Outcome]:
    ctx, t = scene.ctx, scene.text
    if not ctx.division:
        return []
    blocked = [(m.start, m.end) for m in scene.mentions.get("practices", [])] + \
              [(m.start, m.end) for m in scene.mentions.get("regulations", [])] + \
              [(m.start(), m.end()) for m in _QUOTED.finditer(t)]
    out = []
    for q in scene.mentions.get("quantities", []):
        st, en = q.start, q.end
        if any(bs <= st and en <= be for bs, be in blocked):
            continue
        value, unit, qualifier, raw = q.data
        clause_start = max((m.end() for m in _CLAUSE_END.finditer(t[:st])), default=0)
        indicator = t[clause_start:st].strip() or t[en:en + 12]
        division = scene.subject_at(st) or ctx.division
        when = scene.when(st)
        cumulative = vocab.pattern("cumulative").search(t)
        if cumulative and when.source is YearSource.CONTEXT:   # a running total is as of the report
            when = When(ctx.year, YearSource.REPORT) if ctx.year else When(None)
        if when.year is None and ctx.period and cumulative:
            when = When(ctx.period[1], YearSource.REPORT)
        practice = practice_near(scene.practices, st)
        if practice is None:
            practice = scene.paragraph.last_practice
        out.append(Outcome(division, indicator, value, unit, raw, qualifier, when.year, practice, scene.evidence,
                           when.source, when.month))
    return out

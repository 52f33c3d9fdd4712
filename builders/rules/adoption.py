"""Adoptions: a division took up a practice, in a mode read from the cue verbs of its clause.

The nearest cue before the practice in its clause wins (``data/mode_cues.tsv``); a pilot anywhere in the
clause, or a widening of coverage, takes precedence.  A pilot may name who designated it (``designation``)
or whom the reporting division designated (``designation_active``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from govkg.builders import gazetteer, vocab
from govkg.builders.facts import Adoption, Agency, CentralBody
from govkg.builders.rules.base import CLAUSE, Scene
from govkg.builders.rules.registry import rule
from govkg.namespace import Mode

P = vocab.pattern
_CLAUSE_END = re.compile(r"[,;:]")


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern, dict[str, Mode]]:
    pairs = sorted(((r["cue"], Mode(r["mode"])) for r in vocab.rows("mode_cues")), key=lambda x: -len(x[0]))
    return re.compile("|".join(re.escape(c) for c, _ in pairs)), dict(pairs)


def mode_cues(t: str) -> list[tuple[int, int, Mode]]:
    pattern, mode_of = _cues()
    return [(c.start(), c.end(), mode_of[c.group(0)]) for c in pattern.finditer(t)]


def mode_at(t: str, cues: list[tuple[int, int, Mode]], st: int, en: int) -> Mode | None:
    """The mode of the practice at st:en, from the sentence's cues (start, end, mode)."""
    if not cues:
        return None
    clause_start = max((m.end() for m in CLAUSE.finditer(t, 0, st)), default=0)
    clause_end = next((m.start() for m in CLAUSE.finditer(t, en)), len(t))
    if P("pilot").search(t[clause_start:clause_end]) or P("pilot").search(t[en:en + 8]):
        return Mode.PILOTED
    # Widening coverage is the more specific statement: a practice adopted and extended to a lower level
    # is an extension.
    wide_start = max((m.end() for m in _CLAUSE_END.finditer(t[:st])), default=0)
    wide_end = next((m.start() for m in _CLAUSE_END.finditer(t[en:])), len(t) - en) + en
    if any(mode is Mode.EXTENDED and wide_start <= s0 < wide_end for s0, _, mode in cues) or \
            P("coverage_towards").search(t[clause_start:clause_end]):
        return Mode.EXTENDED
    before = [c for c in cues if c[1] <= st and c[0] >= clause_start]
    if before:
        return before[-1][2]
    inside = [c for c in cues if st <= c[0] < en]
    after = [c for c in cues if c[0] >= en and c[0] < clause_end]
    if after:
        return after[0][2]
    if inside:
        return inside[0][2]
    before = [c for c in cues if c[1] <= st]
    if before:
        return before[-1][2]
    return cues[0][2]   # a cue later in the sentence, in a clause of its own


@rule("adoption", requires=("practices",))
def adoptions(scene: Scene) -> list[Adoption | Agency]:
    ctx, t = scene.ctx, scene.text
    if not ctx.division:
        return []
    out: list[Adoption | Agency] = []
    designator = None
    m = P("designation").search(t) or P("designation_active").search(t)
    pilot = P("pilot").search(t) is not None
    if m and pilot:
        if m.re is P("designation"):
            designator = scene.link.designator(m.group(1))
            if isinstance(designator, CentralBody):
                out.append(Agency(designator.name, gazetteer.NATIONAL_CODE, designator.name))
        else:
            designator = ctx.division
    cues = mode_cues(t)
    named = [(st, en, slug, False) for st, en, slug in scene.acts] + \
        [(st, en, name, True) for st, en, name in scene.candidates]
    for st, en, slug, candidate in named:   # practices named inside an honour are already out
        mode = mode_at(t, cues, st, en)
        if mode is None:
            continue
        adopter = scene.subject_at(st) or ctx.division
        if m and m.re is P("designation_active") and pilot:
            target = [k for dst, den, k in scene.divisions if m.start(1) <= dst < m.end(1)]
            if target:
                adopter = target[0]
        agency = next((ag.name for ast, ag in reversed(scene.agencies) if ast < st and ag.division == adopter), None)
        out.append(Adoption(adopter, slug, mode, scene.year_at(st),
                            designator if mode is Mode.PILOTED else None, scene.evidence, agency, candidate))
    return out

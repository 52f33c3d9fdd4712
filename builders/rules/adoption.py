"""Adoptions: a division took up a practice, in a mode read from the cue verbs of its clause.

The nearest cue before the practice in its clause wins (``data/mode_cues.tsv``); a pilot anywhere in the
clause, or a widening of coverage, takes precedence.  A pilot may name who designated it (``designation``)
or whom the reporting division designated (``designation_active``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from govkg.builders import gazetteer, vocab
from govkg.builders.facts import Adoption, Agency, CentralBody, DivisionKey, Zone
from govkg.builders.rules.base import CLAUSE, Scene
from govkg.builders.rules.registry import rule
from govkg.namespace import Level, Mode

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


def _designator(scene: Scene, st: int, en: int) -> DivisionKey | CentralBody | Agency | None:
    """Who designated a pilot, from the words between 被 and 确定为: an agency named there (陕西省人民政府,
    司法部), else the division or level word the linker reads there."""
    agency = next((ag for pos, ag in scene.agencies if st <= pos < en), None)
    if agency is not None:
        return CentralBody(agency.name) if agency.division == gazetteer.NATIONAL_CODE else agency
    return scene.link.designator(scene.text[st:en])


def designation_level(by: DivisionKey | CentralBody | Agency, scene: Scene) -> Level | None:
    """The level of the designating body: national for a central body, else its division's level."""
    if isinstance(by, CentralBody):
        return Level.NATIONAL
    code = by.division if isinstance(by, Agency) else by
    if isinstance(code, Zone):
        return None
    if code == gazetteer.NATIONAL_CODE:
        return Level.NATIONAL
    gaz = gazetteer.load()
    return Level(gaz[code].level) if code in gaz else None


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
            designator = _designator(scene, m.start(1), m.end(1))
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
        when = scene.when(st)
        by = designator if mode is Mode.PILOTED else None
        out.append(Adoption(adopter, slug, mode, when.year, by, scene.evidence, agency, when.source, when.month,
                            designation_level(by, scene) if by else None, candidate))
    return out

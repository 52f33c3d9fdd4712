"""Learning links: one place learned from another's experience.

Three ways reports write it (their words in ``data/learning_verbs.tsv``, ``data/learning_visits.tsv`` and
``data/experience_nouns.tsv``):

- a verb of learning with the place learned from right after it and an experience noun closing the phrase:
  学习借鉴X(的)…经验/做法/模式 — the learner is the sentence's named subject, else the reporting division;
- the experience followed by who learned it: the experience, then 被 Y and a learning verb — the learner is Y;
- a learning visit: 赴/到/来 X … 考察学习 — the learner is the one who went (the sentence's named subject, else
  the reporting division).

The practice is the one the experience phrase is about (`practice_of_phrase`), a candidate practice when only a
quoted term names it, or none.  A promotion across a scope (…经验在全省推广) is a spread statement
(`rules.spread`), marked as learning there.  A place never learns from itself.
"""
from __future__ import annotations

import re

from govkg.builders import gazetteer, vocab
from govkg.builders.facts import Agency, CentralBody, DivisionKey, Learning
from govkg.builders.rules.base import Scene, experience_nouns, phrase_start, practice_of_phrase
from govkg.builders.rules.registry import rule

P = vocab.pattern
_SLACK = 2          # characters a place may stand after a verb (了, 的)
_CLAUSE_END = re.compile(r"[,;:。]")
_REACH = 40         # how far an experience noun or a visit's purpose may stand from the place


def _place_at(scene: Scene, pos: int) -> tuple[int, DivisionKey | CentralBody] | None:
    """The place (division, a report's self-reference, a central body) named at `pos`, with its end."""
    for i, (st, en, k) in enumerate(scene.divisions):
        if pos <= st <= pos + _SLACK:
            for nst, nen, nk in scene.divisions[i + 1:]:    # 浙江省诸暨市: the most specific name counts
                if nst != en:
                    break
                en, k = nen, nk
            return en, k
    for st, ag in scene.agencies:
        if pos <= st <= pos + _SLACK and ag.division == gazetteer.NATIONAL_CODE:
            return st + len(ag.surface), CentralBody(ag.name)
    m = P("self_place").match(scene.text[pos:pos + _SLACK + 2])
    if m and scene.ctx.division:
        return pos + m.end(), scene.ctx.division
    return None


def _subject(scene: Scene, before: int, origin) -> DivisionKey | None:
    """The learner: the first place the sentence names before `before` (its subject), else the reporting
    division; never the place learned from."""
    named = [k for st, _, k in scene.divisions if st < before and k != origin]
    learner = named[0] if named else scene.ctx.division
    return None if learner == origin else learner


def _link(scene: Scene, origin, learner, lo: int, hi: int, at: int) -> Learning | None:
    if origin is None or learner is None or origin == learner:
        return None
    slug, candidate = practice_of_phrase(scene, lo, hi)
    when = scene.when(at)
    return Learning(origin, learner, None, slug, candidate, when.year, scene.evidence, when.source, when.month)


@rule("learning", triggers=("learning_verbs", "learning_visits"))
def learnings(scene: Scene) -> list[Learning | Agency]:
    t = scene.text
    nouns = experience_nouns(t)
    out: list[Learning | None] = []
    # 学习借鉴 X(的)…经验: the place right after the verb, the noun within reach in its phrase
    for m in P("learning_verb").finditer(t):
        place = _place_at(scene, m.end())
        if place is None:
            continue
        end, origin = place
        noun = next((n for n in nouns if end <= n[0] <= end + _REACH and phrase_start(t, n[0]) <= m.start()), None)
        if noun is None:
            continue
        out.append(_link(scene, origin, _subject(scene, m.start(), origin), end, noun[0], m.start()))
    # X(的)…经验被 Y 学习推广: the learner after 被, the place learned from heads the phrase
    for ns, ne in nouns:
        pm = P("learning_passive").match(t[ne:])
        if not pm:
            continue
        lo = phrase_start(t, ns)
        origins = [k for st, _, k in scene.divisions if lo <= st < ns]
        if not origins and scene.ctx.division and P("self_place").search(t[lo:ns]):
            origins = [scene.ctx.division]
        learners = [k for st, _, k in scene.divisions if ne + pm.start("who") <= st < ne + pm.end("who")]
        if origins and learners:
            out.append(_link(scene, origins[0], learners[0], lo, ns, ns))
    # 赴 X … 考察学习: the place gone to, the learner who went
    for m in P("learning_visit").finditer(t):
        goes = [g for g in P("learning_go").finditer(t, max(0, m.start() - _REACH), m.start())]
        for g in reversed(goes):
            place = _place_at(scene, g.end())
            if place is None:
                continue
            end, origin = place
            close = next((c.start() for c in _CLAUSE_END.finditer(t, m.end())), len(t))
            out.append(_link(scene, origin, _subject(scene, g.start(), origin), end, close, g.start()))
            break
    links = [x for x in dict.fromkeys(out) if x is not None]
    agencies = [Agency(x.origin.name, gazetteer.NATIONAL_CODE, x.origin.name) for x in links
                if isinstance(x.origin, CentralBody)]
    return [*agencies, *links]

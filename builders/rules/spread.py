"""Spread: a practice promoted beyond its origin — across a scope, shown at a meeting held at its origin,
reported upward to a central body, or held up or reported nationally.

The practice spread is the one named just before the cue, else the first after it, else the paragraph's
topic (a sentence that speaks of "this practice").  The origin is the division the meeting was held in, else
the clause's subject, else the reporting division.
"""
from __future__ import annotations

from govkg.builders import vocab
from govkg.builders.context import SELF_REFERENCE
from govkg.builders.facts import Spread
from govkg.builders.rules.base import Scene, practice_near
from govkg.builders.rules.registry import rule

P = vocab.pattern
_WHOLE = vocab.words("whole_scope")[0]      # the prefix of a whole-scope word


@rule("spread", triggers=("spread_promote", "spread_meeting", "spread_upward", "model_cases", "national_press",
                          "national_media"))
def spreads(scene: Scene) -> list[Spread]:
    t, ctx = scene.text, scene.ctx
    scope_of = vocab.mapping("scope_words")
    found: list[tuple[int, str, str | None]] = []   # (position, scope, origin override)
    for m in P("spread_promote").finditer(t):
        scope = m.group("a") or m.group("b")
        scope = scope_of.get(scope, scope)
        if _WHOLE in scope or scope in scope_of.values():
            found.append((m.start("verb"), scope[scope.index(_WHOLE):] if _WHOLE in scope else scope, None))
    for m in P("spread_meeting").finditer(t):
        # the practice shown is named in the meeting's title, just before the meeting word
        where = m.group("where")
        origin = None
        for st, en, k in scene.divisions:
            if m.start("where") <= st < m.end("where"):
                origin = k
        if origin is None and SELF_REFERENCE.search(where):
            origin = ctx.division
        found.append((m.start("where"), scope_of.get(m.group("scope"), m.group("scope")), origin))
    for name, scope in vocab.mapping("spread_scopes").items():
        for m in P(name).finditer(t):
            found.append((m.start(), scope, None))
    if not found:
        return []
    out, seen = [], set()
    for pos, scope, origin in found:
        slug = practice_near(scene.acts, pos)
        if slug is None:
            slug = scene.paragraph.topic
        if slug is None:
            continue
        origin = origin or scene.subject_at(pos) or ctx.division
        if origin is None or (slug, origin, scope) in seen:
            continue
        seen.add((slug, origin, scope))
        out.append(Spread(slug, origin, scope, scene.year_at(pos), scene.evidence))
    return out

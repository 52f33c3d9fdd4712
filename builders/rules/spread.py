"""Spread: a practice promoted beyond its origin — across a scope, shown at a meeting held at its origin,
reported upward to a central body, or held up or reported nationally.

The practice spread is the one heading the experience phrase the cue is about (X“…”行政复议工作经验被…推广: the
practice named last before 经验/做法, never one named elsewhere in the sentence); when no such phrase names
one, the one named just before the cue, else the first after it, else the paragraph's topic (a sentence that
speaks of "this practice").  A promotion others take up (推广, a meeting held at the origin, an experience
written into a higher body's documents) is a learning link too; one whose experience the vocabulary lacks
is kept as a learning link alone.  The origin is the division the meeting was held in, else
the clause's subject, else the reporting division.
"""
from __future__ import annotations

import re

from govkg.builders import vocab
from govkg.builders.context import SELF_REFERENCE
from govkg.builders.facts import DivisionKey, Learning, Spread
from govkg.builders.rules.base import Scene, experience_nouns, phrase_start, practice_near, practice_of_phrase
from govkg.builders.rules.registry import rule

P = vocab.pattern
_NOT_NAME = re.compile(r"[“”\"的\s]")
_POINTER = 2        # a phrase this short before its noun points back (相关经验, 该项做法), it names nothing
_WHOLE = vocab.words("whole_scope")[0]      # the prefix of a whole-scope word


@rule("spread", triggers=("spread_promote", "spread_meeting", "spread_written", "spread_upward", "model_cases",
                          "national_press", "national_media"))
def spreads(scene: Scene) -> list[Spread | Learning]:
    t, ctx = scene.text, scene.ctx
    scope_of = vocab.mapping("scope_words")
    found: list[tuple[int, str, DivisionKey | None, bool]] = []   # (position, scope, origin override, others learn it)
    for m in P("spread_promote").finditer(t):
        scope = m.group("a") or m.group("b")
        scope = scope_of.get(scope, scope)
        if _WHOLE in scope or scope in scope_of.values():
            found.append((m.start("verb"), scope[scope.index(_WHOLE):] if _WHOLE in scope else scope, None, True))
    for m in P("spread_written").finditer(t):
        found.append((m.start("level"), scope_of[m.group("level")], None, True))
    for m in P("spread_meeting").finditer(t):
        # the practice shown is named in the meeting's title, just before the meeting word
        where = m.group("where")
        origin = None
        for st, _en, k in scene.divisions:
            if m.start("where") <= st < m.end("where"):
                origin = k
        if origin is None and SELF_REFERENCE.search(where):
            origin = ctx.division
        found.append((m.start("where"), scope_of.get(m.group("scope"), m.group("scope")), origin, True))
    for name, scope in vocab.mapping("spread_scopes").items():
        for m in P(name).finditer(t):
            found.append((m.start(), scope, None, False))
    if not found:
        return []
    out: list[Spread | Learning] = []
    seen = set()
    nouns = experience_nouns(t)
    for pos, scope, origin, learning in found:
        decided, slug, candidate = _practice_of_experience(scene, nouns, pos)
        if not decided:
            slug = practice_near(scene.acts, pos) or scene.paragraph.topic
        origin = origin or scene.subject_at(pos) or ctx.division
        if origin is None or (slug or candidate, origin, scope) in seen:
            continue
        when = scene.when(pos)
        if slug is not None:
            out.append(Spread(slug, origin, scope, when.year, scene.evidence, when.source, when.month, learning))
        elif learning and decided:     # an experience outside the vocabulary, promoted: a learning link all the same
            out.append(Learning(origin, None, scope, None, candidate, when.year, scene.evidence, when.source,
                                when.month))
        else:
            continue
        seen.add((slug or candidate, origin, scope))
    return out


def _practice_of_experience(scene: Scene, nouns: list[tuple[int, int]], pos: int
                            ) -> tuple[bool, str | None, str | None]:
    """A spread statement about an experience (X“…”行政复议工作经验被…推广) is about the practice that heads
    the experience's phrase, not another practice named elsewhere in the sentence: the noun closest before
    the cue in its clause decides.  A phrase that only points back (相关经验, 该做法) decides nothing.
    (decided, slug, candidate)."""
    t = scene.text
    before = [n for n in nouns if n[1] <= pos and phrase_start(t, pos) <= n[0]]
    if not before:
        return False, None, None
    ns, _ = before[-1]
    lo = phrase_start(t, ns)
    if len(_NOT_NAME.sub("", t[lo:ns])) <= _POINTER:
        return False, None, None
    slug, candidate = practice_of_phrase(scene, lo, ns)
    return True, slug, candidate

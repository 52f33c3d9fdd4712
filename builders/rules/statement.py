"""Statements: a sentence that admits a shortcoming or announces work is a problem or a plan, not work done.

Its section (problems, plans) decides, or a cue in the sentence (``problem_cue`` unless it tells how the
shortcoming was addressed, ``plan_cue`` at its start).  The rule is final: a plan names practices without
adopting them.
"""
from __future__ import annotations

from govkg.builders import vocab
from govkg.builders.facts import Statement
from govkg.builders.rules.base import Scene
from govkg.builders.rules.registry import rule

P = vocab.pattern


@rule("statement", requires=("practices",), final=True)
def statements(scene: Scene) -> list[Statement]:
    s, t = scene.sent, scene.text
    practices = tuple(sorted(scene.named))
    if s.zone == "problems" or (P("problem_cue").search(t) and s.zone != "heading"
                                and not P("problem_addressed").search(t)):
        return [Statement("problem", practices, scene.evidence)]
    if s.zone == "plans" or P("plan_cue").match(t):
        return [Statement("plan", practices, scene.evidence)]
    return []

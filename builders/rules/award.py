"""Awards: an honour a division received, read after an honour cue (``data/award_cues.tsv``): quoted names,
a list of them closed by an unquoted one, or an unquoted name ending like an honour (``award_tail``; after
a strict cue only an explicit honour, ``award_strict_tail``).  Its level comes from words in its name
(``data/award_levels.tsv``).
"""
from __future__ import annotations

import re

from govkg.builders import vocab
from govkg.builders.facts import Award, Zone
from govkg.builders.rules.base import Scene
from govkg.builders.rules.registry import rule
from govkg.namespace import AwardLevel

P = vocab.pattern
_QUOTED_NAME = re.compile(r"“([^”]{2,40})”")


def honour_spans(t: str) -> list[tuple[int, int]]:
    """Where the names after honour cues stand: a practice named there is an honour's, not an act."""
    return [(m.end(), m.end() + len(m.group(1))) for m in P("award_names").finditer(t)]


def award_level(name: str) -> AwardLevel:
    levels: dict[str, list[str]] = {}
    for word, level in ((r["word"], r["level"]) for r in vocab.rows("award_levels")):
        levels.setdefault(level, []).append(word)
    for level, words in levels.items():
        if any(w in name for w in words):
            return AwardLevel(level)
    return AwardLevel.OTHER


@rule("award", triggers=("award_cues",))
def awards(scene: Scene) -> list[Award]:
    t = scene.text
    how = {r["cue"]: r for r in vocab.rows("award_cues")}
    out = []
    for m in P("award_cue").finditer(t):
        cue = how[m.group(0)]
        rest = t[m.end():]
        names: list[tuple[int, str]] = []
        q = P("award_quoted").match(rest)
        if q and cue["quoted"] == "yes":
            for qm in _QUOTED_NAME.finditer(q.group(2)):
                names.append((m.end() + q.start(2) + qm.start(), qm.group(1)))
            tail = P("award_quoted_tail").match(rest[q.end():])
            if tail:
                names.append((m.end() + q.end() + tail.start(1), tail.group(1)))
        elif cue["phrase"] != "no":
            um = P("award_phrase").match(rest)
            tail_ok = P("award_strict_tail") if cue["phrase"] == "strict" else P("award_tail")
            if um and tail_ok.search(um.group(1)):
                names.append((m.end() + um.start(1), um.group(1)))
        if not names:
            continue
        recipient = scene.subject_at(m.start()) or scene.ctx.division
        if recipient is None or isinstance(recipient, Zone):
            continue
        for pos, name in names:
            when = scene.when(pos)
            out.append(Award(recipient, name, award_level(name), when.year, scene.evidence, when.source, when.month))
    return out

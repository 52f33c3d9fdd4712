"""Candidate sentences: the ones a fact rule could fire on, found with one multi-pattern scan of the report.

spaCy and the fact recognisers run on these only.  A sentence is a candidate when it holds a practice's
surface form, a quoted term (“…”: a candidate practice), a titled document (《…》), a number with a unit
(not a year), or one of the cue words of `extract.TRIGGERS`.  Other sentences still yield their division
and agency mentions (found once for the whole report) and, in problem and plan sections, a statement —
they need no recogniser for that.

    >>> from govkg.builders.text import sentences
    >>> norm = "我市全面推行行政执法“三项制度”。会议强调要提高认识。共办理案件120件。"
    >>> candidates(norm, sentences(norm))
    [True, False, True]
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import Sequence

import ahocorasick

from govkg.builders import lexicon
from govkg.builders.extract import TRIGGERS
from govkg.builders.recognise import QUANTITY
from govkg.builders.text import Sentence

# Literal parts of the quantity forms the QUANTITY pattern does not cover: 三分之一, 一半, 近亿元.
_QUANTITY_WORDS = ("分之", "一半", "近亿元")


@lru_cache(maxsize=1)
def _automaton() -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    words = set(lexicon.practice_surface_forms()) | set(TRIGGERS) | set(_QUANTITY_WORDS) | {"《", "“"}
    for w in sorted(words):
        a.add_word(w, len(w))
    a.make_automaton()
    return a


def candidates(norm: str, sents: Sequence[Sentence]) -> list[bool]:
    """For each sentence (in text order), whether any fact rule could fire on it."""
    starts = [s.start for s in sents]
    marked = [False] * len(sents)

    def mark(pos: int) -> None:
        i = bisect_right(starts, pos) - 1
        if i >= 0 and pos < sents[i].end:
            marked[i] = True

    for end, n in _automaton().iter(norm):
        mark(end - n + 1)
    for m in QUANTITY.finditer(norm):
        if not (m.group("unit") == "年" and m.group("num")):   # 2020年 is a date (see find_quantities)
            mark(m.start())
    return marked

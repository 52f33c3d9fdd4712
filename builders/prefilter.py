"""Candidate sentences: the ones a fact rule could fire on, found with one multi-pattern scan of the report.

spaCy and the fact recognisers run on these only.  Nothing here is a hand-kept list: the words come from
the registered rules (`builders.rules`: the word lists each declares as its triggers) and from the
recognisers whose mentions the rules and the linker require (`recognise.CUES`: practice surface forms,
the marks that open a quoted term or a title, numbers with a unit).  Other sentences still yield their
division and agency mentions (found once for the whole report) and, in problem and plan sections, a
statement — they need no recogniser for that.

    >>> from govkg.builders.text import sentences
    >>> norm = "我市全面推行行政执法“三项制度”。会议强调要提高认识。共办理案件120件。"
    >>> candidates(norm, sentences(norm))
    [True, False, True]
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

import ahocorasick

from govkg.builders import lexicon
from govkg.builders.link import REQUIRES as LINKER_REQUIRES
from govkg.builders.recognise import CUES
from govkg.builders.rules import registered
from govkg.builders.text import Sentence


def required_groups() -> tuple[str, ...]:
    """The span groups the linker or a rule requires, in a stable order."""
    groups = [*LINKER_REQUIRES, *(g for r in registered() for g in r.requires)]
    return tuple(dict.fromkeys(groups))


def trigger_words() -> set[str]:
    """Every literal whose presence may let a rule fire or the linker record a fact."""
    words = {w for r in registered() for w in r.trigger_words()}
    for group in required_groups():
        words.update(CUES[group].words())
    return words


def _automaton() -> ahocorasick.Automaton:
    return _automaton_of(lexicon.vocabulary_files())


@lru_cache(maxsize=4)
def _automaton_of(files: tuple[str, ...]) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for w in sorted(trigger_words()):
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
    for group in required_groups():
        for pos in CUES[group].marks(norm):
            mark(pos)
    return marked

"""The rule table: each rule is a function from a sentence's `Scene` to facts, registered by name with
what it needs to fire (in the spirit of spaCy's registered components and pySHACL's constraint table).

`PIPELINE` is the order in which the rules read a sentence.  A rule marked `final` that yields a fact ends
the sentence (a plan announced is not work done).  `triggers` names word lists (``builders/data``): a rule
with triggers cannot fire on a sentence holding none of their words.  `requires` names span groups: a rule
that requires them yields nothing that depends on the annotation unless one of them is in the sentence.
`builders.prefilter` derives the sentences worth annotating from these declarations.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from govkg.builders import vocab

PIPELINE = ("statement", "adoption", "spread", "learning", "outcome", "award")


@dataclass(frozen=True)
class Rule:
    name: str
    read: Callable[..., Iterable[object]]
    triggers: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    final: bool = False

    def trigger_words(self) -> tuple[str, ...]:
        return tuple(w for name in self.triggers for w in vocab.words(name))


REGISTRY: dict[str, Rule] = {}


def rule(name: str, *, triggers: tuple[str, ...] = (), requires: tuple[str, ...] = (), final: bool = False):
    """Register the decorated function as the rule `name`."""
    def register(read: Callable[..., Iterable[object]]):
        REGISTRY[name] = Rule(name, read, triggers, requires, final)
        return read
    return register


def registered() -> list[Rule]:
    return [REGISTRY[name] for name in PIPELINE]

"""Examples as tests: every registered rule and every recogniser has a table of example sentences with the
facts (or mentions) they must yield — an empty expectation means the sentence must yield none.

The tables are data beside the code: ``builders/rules/examples/<rule>.tsv`` and
``builders/examples/<recogniser>.tsv``.  Rule examples run through the real pipeline (`build_text`) as a
one-sentence report of a prefecture (the header line gives the reporting division and year); recogniser
examples run through the registered spaCy components.

    python tests/test_examples.py adoption "我市全面推行行政执法“三项制度”。"   # what a sentence yields now
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from govkg.builders import gazetteer
from govkg.builders.components import RECOGNISERS, annotate, make_pipeline
from govkg.builders.facts import Zone
from govkg.builders.pipeline import build_text
from govkg.builders.recognise import regulation_kind
from govkg.builders.rules import REGISTRY

BUILDERS = Path(__file__).parents[1] / "builders"
RULE_EXAMPLES = BUILDERS / "rules" / "examples"
RECOGNISER_EXAMPLES = BUILDERS / "examples"
# The report the example sentences stand in: a prefecture none of the bundled reports is about (its
# publisher line makes it the reporting division even when a sentence names one of its counties).
HEADER = "宜昌市2021年法治政府建设情况报告\n发布机构:宜昌市人民政府\n\n"
SEP = " | "


def read_table(path: Path) -> list[tuple[str, list[str]]]:
    rows = []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    for line in lines[1:]:                       # the header
        sentence, expected = (line.split("\t") + [""])[:2]
        rows.append((sentence, sorted(x for x in expected.split(SEP) if x.strip()) if expected.strip() else []))
    return rows


def _name(key) -> str:
    if key is None:
        return "-"
    if isinstance(key, Zone):
        return key.name
    gaz = gazetteer.load()
    return gaz[key].name if key in gaz else str(getattr(key, "name", key))


def _year(y) -> str:
    return str(y) if y else "-"


def rule_facts(rule: str, sentence: str) -> list[str]:
    """The facts `rule` reads from `sentence`, each written as a short line of its fields."""
    facts = build_text(HEADER + sentence + "\n", "example.txt").facts
    mine = lambda f: f.evidence.quote == sentence.strip()  # noqa: E731
    if rule == "adoption":
        out = [f"{_name(a.adopter)} {a.practice} {a.mode} {_year(a.year)}"
               + (f" by {_name(a.designated_by)} {a.designation_level or '-'}" if a.designated_by else "")
               for a in facts.adoptions if mine(a)]
    elif rule == "spread":
        out = [f"{s.practice} {_name(s.origin)} {s.scope} {_year(s.year)}" for s in facts.spreads if mine(s)]
    elif rule == "learning":
        out = [f"{_name(x.origin)} > {_name(x.learner) if x.learner else x.scope} {x.practice or x.candidate or '-'} "
               f"{_year(x.year)} {x.year_source or '-'}" for x in facts.learnings if mine(x)]
    elif rule == "outcome":
        out = [f"{_name(o.division)} {o.indicator} {o.value:g} {o.unit} {_year(o.year)} {o.practice or '-'}"
               for o in facts.outcomes if mine(o)]
    elif rule == "award":
        out = [f"{_name(a.recipient)} {a.name} {a.level} {_year(a.year)}" for a in facts.awards if mine(a)]
    elif rule == "statement":
        out = [f"{s.kind} {','.join(s.practices) or '-'}" for s in facts.statements if mine(s)]
    else:
        raise KeyError(rule)
    return sorted(out)


def recognised(recogniser: str, sentence: str) -> list[str]:
    """The mentions the registered component `recogniser` finds in `sentence`."""
    group, _ = RECOGNISERS[f"govkg_{recogniser}"]
    doc = annotate(make_pipeline((f"govkg_{recogniser}",)), sentence)
    out = []
    for span in doc.spans[group]:
        if recogniser == "quantities":
            value, unit, qualifier, _ = span._.data
            out.append(f"{span.text}={value:g} {unit}" + (f" {qualifier}" if qualifier else ""))
        elif recogniser == "regulations":
            out.append(f"{span.kb_id_}={regulation_kind(span.kb_id_)}")
        elif recogniser == "agencies":
            out.append(span.text)
        else:
            out.append(f"{span.text}={span.label_ if recogniser == 'divisions' else span.kb_id_}")
    return sorted(out)


def _cases(folder: Path, names) -> list:
    return [pytest.param(name, sentence, expected, id=f"{name}:{sentence[:16]}")
            for name in names for sentence, expected in read_table(folder / f"{name}.tsv")]


RECOGNISER_NAMES = sorted(name[len("govkg_"):] for name in RECOGNISERS)


def test_every_rule_and_recogniser_has_examples_of_both_kinds():
    for folder, names in ((RULE_EXAMPLES, sorted(REGISTRY)), (RECOGNISER_EXAMPLES, RECOGNISER_NAMES)):
        for name in names:
            rows = read_table(folder / f"{name}.tsv")
            assert sum(1 for _, e in rows if e) >= 3, f"{name}: fewer than 3 sentences with an expected fact"
            assert any(not e for _, e in rows), f"{name}: no sentence that must yield nothing"


def test_every_trigger_word_of_a_rule_stands_in_one_of_its_examples():
    """A new cue word comes with its example row: each word of the lists that trigger a rule occurs in an
    example sentence of that rule."""
    for name, rule in REGISTRY.items():
        sentences = [s for s, _ in read_table(RULE_EXAMPLES / f"{name}.tsv")]
        missing = [w for w in rule.trigger_words() if not any(w in s for s in sentences)]
        assert not missing, f"{name}: no example sentence holds {missing}"


@pytest.mark.parametrize("rule,sentence,expected", _cases(RULE_EXAMPLES, sorted(REGISTRY)))
def test_rule_example(rule, sentence, expected):
    assert rule_facts(rule, sentence) == expected


@pytest.mark.parametrize("recogniser,sentence,expected", _cases(RECOGNISER_EXAMPLES, RECOGNISER_NAMES))
def test_recogniser_example(recogniser, sentence, expected):
    assert recognised(recogniser, sentence) == expected


if __name__ == "__main__":
    name, *sentences = sys.argv[1:]
    for s in sentences:
        got = rule_facts(name, s) if name in REGISTRY else recognised(name, s)
        print(f"{s}\t{SEP.join(got)}")

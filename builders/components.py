"""The recognisers as spaCy pipeline components, registered by name and assembled from configuration.

The pipeline is spaCy's blank ``zh`` language with its built-in character segmenter (nothing to
download).  Each component writes its spans into ``doc.spans[<group>]``; the span's ``kb_id_`` holds the
linked key (division name, practice slug, title, unit) and ``span._.data`` anything else it found.

    >>> nlp = make_pipeline()
    >>> doc = nlp("中卫市被国务院确定为行政执法“三项制度”改革全国试点")
    >>> [(s.text, s.kb_id_) for s in doc.spans["practices"]]
    [('行政执法“三项制度”', 'three-enforcement-systems')]
"""
from __future__ import annotations

from functools import lru_cache, partial
from typing import Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from govkg.builders import recognise
from govkg.builders.recognise import Hit

if not Span.has_extension("data"):
    Span.set_extension("data", default=())

# component name → (span group, recogniser)
RECOGNISERS: dict[str, tuple[str, Callable[[str], list[Hit]]]] = {
    "govkg_divisions": ("divisions", recognise.find_divisions),
    "govkg_agencies": ("agencies", recognise.find_agencies),
    "govkg_practices": ("practices", recognise.find_practices),
    "govkg_regulations": ("regulations", recognise.find_regulations),
    "govkg_quantities": ("quantities", recognise.find_quantities),
    "govkg_years": ("years", recognise.find_years),
}

DEFAULT_PIPELINE = tuple(RECOGNISERS)


class HitComponent:
    """Runs one recogniser over the doc text and stores its hits as spans."""

    def __init__(self, group: str, find: Callable[[str], list[Hit]]):
        self.group = group
        self.find = find

    def __call__(self, doc: Doc) -> Doc:
        # Doc.text walks every token; with one token per character it is worth computing once per doc.
        text = doc.user_data.get("text")
        if text is None:
            text = doc.user_data["text"] = doc.text
        spans = []
        for h in self.find(text):
            span = doc.char_span(h.start, h.end, label=h.label, kb_id=h.key, alignment_mode="expand")
            if span is not None:
                span._.data = h.data
                spans.append(span)
        doc.spans[self.group] = spans
        return doc


def _register(name: str) -> None:
    group, find = RECOGNISERS[name]

    @Language.factory(name, default_config={"group": group})
    def make(nlp: Language, name: str, group: str) -> HitComponent:  # noqa: ARG001 - spaCy's factory signature
        return HitComponent(group, RECOGNISERS[name][1])


for _name in RECOGNISERS:
    if _name not in Language.factories and _name != "govkg_practices":
        _register(_name)

if "govkg_practices" not in Language.factories:
    @Language.factory("govkg_practices", default_config={"group": "practices", "exclude": []})
    def make_practices(nlp: Language, name: str, group: str, exclude: list[str]) -> HitComponent:  # noqa: ARG001
        """Practice mentions from the SKOS vocabulary; `exclude` drops surface forms (leave-one-out runs)."""
        automaton = recognise.practice_automaton(frozenset(exclude))
        return HitComponent(group, partial(recognise.find_practices, automaton=automaton))


def annotate(nlp: Language, text: str) -> Doc:
    """Run the pipeline on one sentence, handing the components its text (Doc.text would rebuild it
    from one token per character)."""
    doc = nlp.make_doc(text)
    doc.user_data["text"] = text
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def make_pipeline(components: tuple[str, ...] = DEFAULT_PIPELINE,
                  config: dict[str, dict] | None = None) -> Language:
    """A blank Chinese pipeline (character segmenter) with the named govkg components, in order.

    `config` maps a component name to its settings, e.g. ``{"govkg_practices": {"exclude": ["放管服"]}}``.
    """
    if config is None:
        return _default_pipeline(components)
    nlp = spacy.blank("zh")
    for name in components:
        nlp.add_pipe(name, config=config.get(name, {}))
    return nlp


@lru_cache(maxsize=4)
def _default_pipeline(components: tuple[str, ...]) -> Language:
    nlp = spacy.blank("zh")
    for name in components:
        nlp.add_pipe(name)
    return nlp

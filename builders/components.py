"""The recognisers as spaCy pipeline components, registered by name and assembled from configuration.

The pipeline is spaCy's blank ``zh`` language with a character tokenizer (``govkg.chars.v1``: one token
per character, nothing to download).  Each component writes its spans into ``doc.spans[<group>]``; the
span's ``label_`` is the `Mention` label, ``kb_id_`` its key (division name, practice slug, title, unit) and
``span._.data`` anything else it found; the builder turns the spans back into `Mention`s.

The default pipeline holds the recognisers that facts are read from (practices, titled documents,
quantities, years) and runs on candidate sentences only (see `builders.prefilter`).  Division and agency
names are mentions wherever they stand, so the builder finds them once over the whole report; their
components are registered too, for pipelines that want them per sentence.

    >>> nlp = make_pipeline()
    >>> doc = nlp("中卫市被国务院确定为行政执法“三项制度”改革全国试点")
    >>> [(s.text, s.kb_id_) for s in doc.spans["practices"]]
    [('行政执法“三项制度”', 'three-enforcement-systems')]
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from govkg.builders import recognise
from govkg.builders.mention import Mention

if not Span.has_extension("data"):
    Span.set_extension("data", default=())

# component name → (span group, recogniser)
RECOGNISERS: dict[str, tuple[str, Callable[[str], list[Mention]]]] = {
    "govkg_divisions": ("divisions", recognise.find_divisions),
    "govkg_agencies": ("agencies", recognise.find_agencies),
    "govkg_practices": ("practices", recognise.find_practices),
    "govkg_regulations": ("regulations", recognise.find_regulations),
    "govkg_quantities": ("quantities", recognise.find_quantities),
    "govkg_years": ("years", recognise.find_years),
}

DEFAULT_PIPELINE = ("govkg_practices", "govkg_regulations", "govkg_quantities", "govkg_years")
TOKENIZER = {"@tokenizers": "govkg.chars.v1"}


class CharTokenizer:
    """One token per character, the text kept exactly.  spaCy's own ``zh`` character segmenter gives the
    same tokens but re-aligns whitespace in a Python pass that costs more than the segmentation itself."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return Doc(self.vocab, words=list(text), spaces=[False] * len(text))

    # Nothing to save: the tokenizer has no settings (spaCy calls these when a pipeline is written to disk).
    def to_bytes(self, **_) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_) -> CharTokenizer:
        return self

    def to_disk(self, _path, **_) -> None:
        pass

    def from_disk(self, _path, **_) -> CharTokenizer:
        return self


@spacy.registry.tokenizers("govkg.chars.v1")
def make_char_tokenizer() -> Callable[[Language], CharTokenizer]:
    return lambda nlp: CharTokenizer(nlp.vocab)


class MentionComponent:
    """Runs one recogniser over the doc text and stores its mentions as spans."""

    def __init__(self, group: str, find: Callable[[str], list[Mention]]):
        self.group = group
        self.find = find

    def __call__(self, doc: Doc) -> Doc:
        # Doc.text walks every token; with one token per character it is worth computing once per doc.
        text = doc.user_data.get("text")
        if text is None:
            text = doc.user_data["text"] = doc.text
        one_per_char = len(doc) == len(text)
        spans = []
        for h in self.find(text):
            span: Span | None
            if one_per_char:   # token offsets are character offsets: no alignment to compute
                span = Span(doc, h.start, h.end, label=h.label.value, kb_id=h.key)
            else:
                span = doc.char_span(h.start, h.end, label=h.label.value, kb_id=h.key, alignment_mode="expand")
            if span is not None:
                span._.data = h.data
                spans.append(span)
        doc.spans[self.group] = spans
        return doc


def _register(name: str) -> None:
    group, find = RECOGNISERS[name]

    @Language.factory(name, default_config={"group": group})
    def make(nlp: Language, name: str, group: str) -> MentionComponent:  # noqa: ARG001 - spaCy's factory signature
        # `find` from the registration: `name` here is the instance's name, which a caller may choose.
        return MentionComponent(group, find)


for _name in RECOGNISERS:
    if _name not in Language.factories and _name != "govkg_practices":
        _register(_name)

if "govkg_practices" not in Language.factories:
    @Language.factory("govkg_practices", default_config={"group": "practices", "exclude": []})
    def make_practices(nlp: Language, name: str, group: str, exclude: list[str]) -> MentionComponent:  # noqa: ARG001
        """Practice mentions from the SKOS vocabulary; `exclude` drops surface forms (leave-one-out runs)."""
        return MentionComponent(group, partial(recognise.find_practices, exclude=frozenset(exclude)))


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
    """A blank Chinese pipeline (character tokenizer) with the named govkg components, in order.

    `config` maps a component name to its settings, e.g. ``{"govkg_practices": {"exclude": [<surface forms>]}}``.
    """
    if config is None:
        return _default_pipeline(components)
    nlp = _blank()
    for name in components:
        nlp.add_pipe(name, config=config.get(name, {}))
    return nlp


@lru_cache(maxsize=4)
def _default_pipeline(components: tuple[str, ...]) -> Language:
    nlp = _blank()
    for name in components:
        nlp.add_pipe(name)
    return nlp


def _blank() -> Language:
    return spacy.blank("zh", config={"nlp": {"tokenizer": TOKENIZER}})

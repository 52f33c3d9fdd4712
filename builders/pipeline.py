"""The builder as one pure function per report: bytes (or text) → facts → the N-Quads of its named graph.

    >>> from govkg.builders.pipeline import build_text
    >>> result = build_text("2017年,中卫市被国务院确定为行政执法“三项制度”改革全国试点。", "demo.txt")
    >>> [(a.adopter, a.practice, str(a.mode), a.year) for a in result.facts.adoptions]
    [('640500', 'three-enforcement-systems', 'piloted', 2017)]

Being pure (no store, no globals written), it can run in worker processes or on other machines.
"""
from __future__ import annotations

import os
import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.language import Language

from govkg.builders import components, prefilter, text as textmod
from govkg.builders.context import detect
from govkg.builders.emit import emit, graph_iri
from govkg.builders.extract import Annotated, Extractor
from govkg.builders.facts import ReportFacts
from govkg.builders.mention import Label, Mention
from govkg.builders.recognise import find_agencies, find_divisions


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class BuildResult:
    source_name: str
    sha256: str
    graph: str                 # IRI of the report's named graph
    nquads: list[str]          # sorted lines
    facts: ReportFacts
    chars: int
    derived_text: bool = False  # the text as read differs from the file (HTML, or not UTF-8)

    @property
    def text(self) -> str:
        """The text that evidence offsets point into."""
        return self.facts.text


def build_bytes(data: bytes, source_name: str, nlp: Language | None = None) -> BuildResult:
    """Decode (encoding detection, HTML extraction) and build.  Raises `DecodeError` for non-text."""
    decoded = textmod.decode(data, source_name)
    result = build_text(decoded.text, source_name, decoded.encoding, nlp=nlp)
    result.derived_text = decoded.derived
    return result


def build_text(text: str, source_name: str, encoding: str = "utf-8", nlp: Language | None = None,
               select: bool = True) -> BuildResult:
    """Build one report's text.  `nlp` is a pipeline from `components.make_pipeline` (default settings if None).

    With `select` (the default) spaCy runs only on the sentences a fact rule could fire on
    (`prefilter.candidates`); ``select=False`` runs it on every sentence and gives the same facts, slower.
    """
    source_name = os.path.basename(source_name)
    # A lone surrogate cannot be written as UTF-8; it becomes U+FFFD, one character for one, so that offsets
    # still hold (decoded files never contain one; a caller's str might).
    text = _LONE_SURROGATE.sub("\ufffd", text)
    sha = textmod.sha256(text)
    norm = textmod.normalise(text)
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^《》\n]*》", norm)]

    def in_titles(offset: int) -> bool:
        return any(a < offset < b for a, b in titles)

    # Names are mentions wherever they stand: found once over the whole report, shared out by sentence.
    divisions = find_divisions(norm)
    agencies = find_agencies(norm)
    ctx = detect(text, norm, divisions, in_titles)
    extractor = Extractor(text, ctx, source_name, sha, encoding)
    nlp = nlp or components.make_pipeline()
    sents = [s for s in textmod.sentences(norm) if s.zone != "furniture"]
    chosen = prefilter.candidates(norm, sents) if select else [True] * len(sents)
    for sent, candidate in zip(sents, chosen):
        sentence = norm[sent.start:sent.end]
        spans = {"divisions": _within(divisions, sent.start, sent.end),
                 "agencies": _within(agencies, sent.start, sent.end)}
        if candidate:
            doc = components.annotate(nlp, sentence)
            for group in doc.spans:
                spans[group] = [Mention(sp.start_char, sp.end_char, Label(sp.label_), sp.kb_id_, sp._.data)
                                for sp in doc.spans[group]]
        extractor.sentence(Annotated(sent, sentence, spans))
    facts = extractor.facts
    return BuildResult(source_name, sha, graph_iri(sha), emit(facts), facts, len(text))


def _within(hits: list[Mention], start: int, end: int) -> list[Mention]:
    """The mentions (sorted by start) that lie inside start:end, with offsets relative to `start`."""
    out = []
    for i in range(bisect_left(hits, start, key=lambda h: h.start), len(hits)):
        h = hits[i]
        if h.start >= end:
            break
        if h.end <= end:
            out.append(h.shifted(start))
    return out


@dataclass(frozen=True)
class GraphPayload:
    """What the store needs from one report; small enough to send between processes or machines."""
    source_name: str
    sha256: str
    graph: str
    nquads: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]
    chars: int
    text: str | None           # kept only when the text as read differs from the file (HTML, not UTF-8)
    placed: bool = True        # the reporting division was found (a report without one yields no adoptions)


def build_payload(text: str, source_name: str, encoding: str = "utf-8", derived: bool = False) -> GraphPayload:
    """`build_text` reduced to its output: the entry point for worker processes and Dask workers."""
    r = build_text(text, source_name, encoding)
    return GraphPayload(r.source_name, r.sha256, r.graph, tuple(r.nquads), tuple(sorted(r.facts.counts().items())),
                        r.chars, r.text if derived else None, r.facts.division is not None)

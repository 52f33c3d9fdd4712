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
import urllib.parse
from bisect import bisect_left
from dataclasses import dataclass, replace

from spacy.language import Language

from govkg.builders import components, gazetteer, prefilter, text as textmod
from govkg.builders.context import ReportContext, detect
from govkg.builders.emit import DC, SD, G, emit, graph_iri, integer, iri, report_iri
from govkg.builders.extract import Annotated, Extractor
from govkg.builders.facts import ReportFacts
from govkg.builders.mention import Label, Mention
from govkg.builders.recognise import find_agencies, find_divisions
from govkg.builders.text import ReportInputs

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


def build_bytes(data: bytes, source_name: str, nlp: Language | None = None,
                inputs: ReportInputs | None = None) -> BuildResult:
    """Decode (encoding detection, HTML, PDF and DOCX extraction) and build.  Raises `DecodeError` for
    non-text.  A PDF's page starts join `inputs`, so that evidence names its page."""
    decoded = textmod.decode(data, source_name)
    inputs = replace(inputs or ReportInputs(), pages=decoded.pages)
    result = build_text(decoded.text, source_name, decoded.encoding, nlp=nlp, inputs=inputs)
    result.derived_text = decoded.derived
    return result


def build_text(text: str, source_name: str, encoding: str = "utf-8", nlp: Language | None = None,
               select: bool = True, inputs: ReportInputs | None = None) -> BuildResult:
    """Build one report's text.  `nlp` is a pipeline from `components.make_pipeline` (default settings if None).
    `inputs` (page starts, a sidecar's metadata) override what is detected from the text.

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
    ctx = _given(detect(text, norm, divisions, in_titles), inputs)
    extractor = Extractor(text, ctx, source_name, sha, encoding)
    nlp = nlp or components.make_pipeline()
    sents = [s for s in textmod.sentences(norm) if s.zone != "furniture"]
    chosen = prefilter.candidates(norm, sents) if select else [True] * len(sents)
    for sent, candidate in zip(sents, chosen, strict=True):
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
    lines = emit(facts)
    if inputs and (inputs.url or inputs.pages):
        lines = sorted(set(lines) | set(_input_lines(lines, sha, inputs)))
    return BuildResult(source_name, sha, graph_iri(sha), lines, facts, len(text))


def _given(ctx: ReportContext, inputs: ReportInputs | None) -> ReportContext:
    """The detected context with what the inputs state put in its place: a given division decides the
    reporting division (and the chain of divisions the report speaks for), a given year the period."""
    if inputs is None:
        return ctx
    changes: dict = {}
    if inputs.division:
        gaz = gazetteer.load()
        if inputs.division not in gaz:
            raise ValueError(f"division code {inputs.division} is not in the gazetteer")
        changes.update(division=inputs.division, chain=tuple([inputs.division] + gaz.ancestors(inputs.division)))
    if inputs.year:
        changes.update(year=inputs.year, period=(inputs.year, inputs.year))
    if inputs.title:
        changes["title"] = inputs.title
    if inputs.publisher:
        changes["publisher"] = inputs.publisher
    return replace(ctx, **changes)


_START = re.compile(r'^(<[^>]+>) ' + re.escape(G.start) + r' "(\d+)"')


def _input_lines(lines: list[str], sha: str, inputs: ReportInputs) -> list[str]:
    """The report's source URL (dcterms:source) and each evidence node's page (schema:pageStart)."""
    g = f"<{graph_iri(sha)}> .\n"
    out = []
    if inputs.url:
        out.append(f"<{report_iri(sha)}> {DC.source} {iri(_iri_safe(inputs.url))} {g}")
    for line in lines:
        m = _START.match(line) if inputs.pages else None
        if m:
            page = textmod.page_of(inputs.pages, int(m.group(2)))
            if page is not None:        # always, with inputs.pages set
                out.append(f"{m.group(1)} {SD.pageStart} {integer(page)} {g}")
    return out


def _iri_safe(url: str) -> str:
    """A URL as an IRI N-Triples accepts: characters it forbids (spaces, quotes, <>{}|^`\\) percent-encoded."""
    return urllib.parse.quote(url, safe="/:?#[]@!$&'()*+,;=%~-._")


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


def build_payload(text: str, source_name: str, encoding: str = "utf-8", derived: bool = False,
                  inputs: ReportInputs | None = None) -> GraphPayload:
    """`build_text` reduced to its output: the entry point for worker processes and Dask workers."""
    r = build_text(text, source_name, encoding, inputs=inputs)
    return GraphPayload(r.source_name, r.sha256, r.graph, tuple(r.nquads), tuple(sorted(r.facts.counts().items())),
                        r.chars, r.text if derived else None, r.facts.division is not None)

"""Emit RDF for one report: its facts as N-Quads lines in the report's own named graph.

Identifiers are stable and meaningful — divisions by GB/T 2260 code, practices by slug, reports by the
SHA-256 of their text, facts by report and character offset — and the lines are sorted, so the same
text always gives the same bytes.  Terms are written directly in N-Triples syntax: it is the fastest
way to move tens of millions of triples, and it keeps builders independent of any store.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal

from govkg.builders import gazetteer
from govkg.builders.facts import Agency, CentralBody, DivisionKey, Evidence, ReportFacts, Zone
from govkg.builders.practice_forms import candidate_stem
from govkg.namespace import DCTERMS, GOV, GOV_FROM, ID_IRI, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD, Level


class _Bracketed:
    """``<iri>`` strings of a namespace's terms, each made once: looking terms up in a closed namespace
    is slow inside a loop that writes millions of lines."""

    def __init__(self, ns):
        self._ns = ns

    def __getattr__(self, name: str) -> str:
        term = f"<{getattr(self._ns, name)}>"
        setattr(self, name, term)
        return term


G, R, RS, SK, DC, SD, PV, TM = (_Bracketed(ns) for ns in (GOV, RDF, RDFS, SKOS, DCTERMS, SDO, PROV, TIME))
G_FROM = f"<{GOV_FROM}>"

_SAFE = set("-_.~")


def slug(text: str) -> str:
    """IRI-safe path segment that keeps Chinese readable: letters and digits of any script stay."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def iri(value: str) -> str:
    return f"<{value}>"


# N-Triples string escapes: the ECHAR forms where they exist, \uXXXX for other control characters.
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
            ord("\b"): "\\b", ord("\f"): "\\f"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in list(range(0x20)) + [0x7F, 0xFFFE, 0xFFFF] if c not in _ESCAPES})
_ESCAPES.update({c: "\\uFFFD" for c in range(0xD800, 0xE000)})   # lone surrogates cannot be written


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    s = f'"{_escape(value)}"'
    if lang:
        return f"{s}@{lang}"
    if datatype and datatype != str(XSD.string):
        return f"{s}^^<{datatype}>"
    return s


_GYEAR = f"^^<{XSD.gYear}>"
_INTEGER = f"^^<{XSD.integer}>"
_DECIMAL = f"^^<{XSD.decimal}>"


def year(y: int) -> str:
    return f'"{y:04d}"{_GYEAR}'


_GYEARMONTH = f"^^<{XSD.gYearMonth}>"


def year_month(y: int, m: int) -> str:
    return f'"{y:04d}-{m:02d}"{_GYEARMONTH}'


def integer(n: int) -> str:
    return f'"{n}"{_INTEGER}'


def decimal(v: float) -> str:
    d = Decimal(str(v)).normalize()
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    return f'"{text}"{_DECIMAL}'


def division_iri(key: DivisionKey) -> str:
    if isinstance(key, Zone):
        return ID_IRI + f"zone/{key.parent}/{slug(key.name)}"
    return ID_IRI + f"division/{key}"


def practice_iri(practice: str) -> str:
    return ID_IRI + "practice/" + practice


def candidate_notation(term: str) -> str:
    """What `govkg spread` and the views take for a candidate, as they take a slug for a practice."""
    return "candidate/" + term


def candidate_iri(term: str) -> str:
    return ID_IRI + "practice/candidate/" + slug(term)


def agency_iri(division: DivisionKey, name: str) -> str:
    return ID_IRI + f"agency/{division_iri(division)[len(ID_IRI):]}/{slug(name)}"


def regulation_iri(title: str) -> str:
    return ID_IRI + "regulation/" + slug(title)


def report_iri(sha: str) -> str:
    return ID_IRI + "report/" + sha[:16]


def graph_iri(sha: str) -> str:
    """The named graph holding exactly one report's triples."""
    return ID_IRI + "graph/" + sha[:16]


def _short_hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]


ENTITIES_GRAPH = ID_IRI + "graph/entities"
SHARED_LINE_END = f"<{ENTITIES_GRAPH}> .\n"      # how every line about a shared entity ends


class _Writer:
    """Collects N-Quads lines.  What a report says goes to its own graph; descriptions of shared entities
    (divisions, agencies, regulations, candidate practices: labels, codes, kinds) go to one shared graph, so
    that many reports naming the same province do not store, and join over, many copies of it."""

    def __init__(self, graph: str):
        self.g = f"<{graph}> .\n"
        self.shared = SHARED_LINE_END
        self.lines: set[str] = set()
        self.evidence: dict[tuple[int, int], str] = {}

    def add(self, s: str, p: str, o: str) -> None:
        """`s` an IRI; `p` and `o` already in N-Triples syntax."""
        self.lines.add(f"<{s}> {p} {o} {self.g}")

    def describe(self, s: str, p: str, o: str) -> None:
        self.lines.add(f"<{s}> {p} {o} {self.shared}")


def _dated(w: _Writer, s: str, fact) -> None:
    """A fact's year, where the year was read (gov:yearSource) and its month where the text gives one."""
    if not fact.year:
        return
    w.add(s, G.year, year(fact.year))
    if fact.year_source is not None:
        w.add(s, G.yearSource, iri(fact.year_source.term))
    if fact.month:
        w.add(s, TM.inXSDgYearMonth, year_month(fact.year, fact.month))


def _party(key: DivisionKey | CentralBody | Agency) -> str:
    """The IRI of a division, or of an agency (a central body is an agency of the central level)."""
    if isinstance(key, CentralBody):
        return agency_iri(gazetteer.NATIONAL_CODE, key.name)
    if isinstance(key, Agency):
        return agency_iri(key.division, key.name)
    return division_iri(key)


def emit(f: ReportFacts) -> list[str]:
    """The N-Quads lines of one report's named graph, sorted."""
    w = _Writer(graph_iri(f.sha256))
    gaz = gazetteer.load()
    rep = report_iri(f.sha256)
    w.add(rep, R.type, G.Report)
    w.add(rep, G.sourceName, lit(f.source_name))
    w.add(rep, G.sha256, lit(f.sha256))
    w.add(rep, G.encoding, lit(f.encoding))
    if f.title:
        w.add(rep, DC.title, lit(f.title, "zh"))
    if f.date:
        w.add(rep, DC.date, lit(f.date, datatype=str(XSD.date)))
    if f.publisher:
        w.add(rep, DC.publisher, lit(f.publisher, "zh"))
    if f.year:
        w.add(rep, G.reportYear, year(f.year))
    if f.division:
        w.add(rep, G.aboutDivision, iri(division_iri(f.division)))
    for name in sorted(f.ambiguous):
        w.add(rep, G.ambiguousName, lit(name))

    # divisions: each mentioned one, with its chain of parents so that partOf always resolves
    wanted = set()
    for key in f.divisions:
        if isinstance(key, Zone):
            parent = key.parent
            wanted.add(parent)
            wanted.update(gaz.ancestors(parent) if parent in gaz else [])
        elif key in gaz:
            wanted.add(key)
            wanted.update(gaz.ancestors(key))
    for code in sorted(wanted):
        d = gaz[code]
        s = division_iri(code)
        w.describe(s, R.type, G.Division)
        w.describe(s, RS.label, lit(d.name, "zh"))
        if d.level != "township":      # a township has no GB/T 2260 code (see gov:Township)
            w.describe(s, G.adcode, lit(code))
        w.describe(s, G.level, iri(Level(d.level).term))
        if d.parent and d.parent != gazetteer.NATIONAL_CODE:
            w.describe(s, G.partOf, iri(division_iri(d.parent)))
        if d.latitude is not None and d.longitude is not None:
            w.describe(s, SD.latitude, decimal(d.latitude))
            w.describe(s, SD.longitude, decimal(d.longitude))
        if not gaz.is_current(code):      # a retired code: its successor and the date (see core.ttl)
            span = gaz.span(code)
            if span.replaced_by:
                w.describe(s, DC.isReplacedBy, iri(division_iri(gaz.successor(code) or span.replaced_by)))
            if span.valid_until:
                w.describe(s, PV.invalidatedAtTime, lit(f"{span.valid_until[:10]}T00:00:00", datatype=str(XSD.dateTime)))
    national = division_iri(gazetteer.NATIONAL_CODE)
    for zone in sorted(k for k in f.divisions if isinstance(k, Zone)):
        s = division_iri(zone)
        w.describe(s, R.type, G.Division)
        w.describe(s, RS.label, lit(zone.name, "zh"))
        w.describe(s, G.level, iri(Level.ZONE.term))
        w.describe(s, G.partOf, iri(division_iri(zone.parent)))
    for key in sorted(f.divisions, key=str):
        w.add(rep, G.mentions, iri(division_iri(key)))

    national_code = gazetteer.NATIONAL_CODE

    def central_if_needed(key: str) -> None:
        if key == national_code:
            w.describe(national, R.type, G.Division)
            w.describe(national, RS.label, lit(gaz[national_code].name, "zh"))
            w.describe(national, RS.label, lit("Central government", "en"))
            w.describe(national, G.level, G.National)

    # agencies
    for ag in sorted(f.agencies):
        s = agency_iri(ag.division, ag.name)
        w.describe(s, R.type, G.Agency)
        w.describe(s, RS.label, lit(ag.name, "zh"))
        if ag.surface != ag.name:
            w.describe(s, SK.altLabel, lit(ag.surface, "zh"))
        w.describe(s, G.jurisdiction, iri(division_iri(ag.division)))
        central_if_needed(ag.division)
        w.add(rep, G.mentions, iri(s))

    # practices: mentioned ones; candidates get a concept of their own
    for p in sorted(f.practices):
        w.add(rep, G.mentions, iri(practice_iri(p)))
    for c in f.candidates:
        s = candidate_iri(c.term)
        w.describe(s, R.type, G.CandidatePractice)
        w.describe(s, R.type, G.Practice)
        w.describe(s, SK.prefLabel, lit(c.term, "zh"))
        w.describe(s, SK.notation, lit(candidate_notation(c.term)))
        w.describe(s, SK.hiddenLabel, lit(candidate_stem(c.term), "zh"))
        w.add(rep, G.mentions, iri(s))
        w.add(s, G.evidence, _evidence(w, f, c.evidence))

    for r in f.regulations:
        s = regulation_iri(r.title)
        w.describe(s, R.type, G.Regulation)
        w.describe(s, SD.name, lit(r.title, "zh"))
        w.describe(s, G.regulationKind, iri(r.kind.term))
        if r.issuer:
            w.describe(s, G.issuer, iri(division_iri(r.issuer)))
        w.add(s, G.evidence, _evidence(w, f, r.evidence))
        w.add(rep, G.mentions, iri(s))

    for a in f.adoptions:
        s = ID_IRI + f"adoption/{f.sha256[:16]}/{a.evidence.start}-{slug(a.practice)}-{_short_hash(a.adopter, a.mode)}"
        w.add(s, R.type, G.Adoption)
        w.add(s, G.adopter, iri(division_iri(a.adopter)))
        if a.agency:
            w.add(s, G.adopter, iri(agency_iri(a.adopter, a.agency)))
        w.add(s, G.practice, iri(candidate_iri(a.practice) if a.candidate else practice_iri(a.practice)))
        w.add(s, G.mode, iri(a.mode.term))
        _dated(w, s, a)
        if a.designated_by:     # an agency is described with the report's agencies
            w.add(s, G.designatedBy, iri(_party(a.designated_by)))
            if a.designation_level is not None:
                w.add(s, G.designationLevel, iri(a.designation_level.term))
        w.add(s, G.evidence, _evidence(w, f, a.evidence))

    for sp in f.spreads:
        s = ID_IRI + f"spread/{f.sha256[:16]}/{sp.evidence.start}-{slug(sp.practice)}-{_short_hash(sp.origin, sp.scope)}"
        w.add(s, R.type, G.Spread)
        if sp.learning:
            w.add(s, R.type, G.Learning)
        w.add(s, G.practice, iri(practice_iri(sp.practice)))
        w.add(s, G_FROM, iri(division_iri(sp.origin)))
        w.add(s, G.scope, lit(sp.scope, "zh"))
        _dated(w, s, sp)
        w.add(s, G.evidence, _evidence(w, f, sp.evidence))

    for ln in f.learnings:
        where = ln.learner if ln.learner is not None else ln.scope
        s = ID_IRI + (f"learning/{f.sha256[:16]}/{ln.evidence.start}-"
                      f"{_short_hash(ln.origin, where, ln.practice or ln.candidate or '')}")
        w.add(s, R.type, G.Learning)
        w.add(s, G_FROM, iri(_party(ln.origin)))
        if ln.learner is not None:
            w.add(s, G.learner, iri(division_iri(ln.learner)))
        if ln.scope:
            w.add(s, G.scope, lit(ln.scope, "zh"))
        if ln.practice:
            w.add(s, G.practice, iri(practice_iri(ln.practice)))
        elif ln.candidate:
            w.add(s, G.practice, iri(candidate_iri(ln.candidate)))
        _dated(w, s, ln)
        w.add(s, G.evidence, _evidence(w, f, ln.evidence))

    for o in f.outcomes:
        s = ID_IRI + f"outcome/{f.sha256[:16]}/{o.evidence.start}-{_short_hash(o.raw, o.indicator, o.value)}"
        w.add(s, R.type, G.Outcome)
        w.add(s, G.division, iri(division_iri(o.division)))
        if o.indicator:
            w.add(s, G.indicator, lit(o.indicator, "zh"))
        w.add(s, G.value, decimal(o.value))
        w.add(s, G.unit, lit(o.unit))
        w.add(s, G.raw, lit(o.raw))
        if o.qualifier:
            w.add(s, G.qualifier, lit(o.qualifier))
        _dated(w, s, o)
        if o.practice:
            w.add(s, G.practice, iri(practice_iri(o.practice)))
        w.add(s, G.evidence, _evidence(w, f, o.evidence))

    for aw in f.awards:
        s = ID_IRI + f"award/{f.sha256[:16]}/{aw.evidence.start}-{_short_hash(aw.name, aw.recipient)}"
        w.add(s, R.type, G.Award)
        w.add(s, G.recipient, iri(division_iri(aw.recipient)))
        w.add(s, G.awardName, lit(aw.name, "zh"))
        if aw.level.term is not None:
            w.add(s, G.awardLevel, iri(aw.level.term))
        _dated(w, s, aw)
        w.add(s, G.evidence, _evidence(w, f, aw.evidence))

    for st in f.statements:
        cls, path = (G.Problem, "problem") if st.kind == "problem" else (G.Plan, "plan")
        s = ID_IRI + f"{path}/{f.sha256[:16]}/{st.evidence.start}"
        w.add(s, R.type, cls)
        for p in st.practices:
            w.add(s, G.practice, iri(practice_iri(p)))
        w.add(s, G.evidence, _evidence(w, f, st.evidence))
    return sorted(w.lines)


def _evidence(w: _Writer, f: ReportFacts, e: Evidence) -> str:
    """The evidence node of a quote: report, verbatim sentence, offsets (written once per sentence)."""
    node = w.evidence.get((e.start, e.end))
    if node is None:
        s = ID_IRI + f"evidence/{f.sha256[:16]}/{e.start}-{e.end}"
        w.add(s, R.type, G.Evidence)
        w.add(s, G.inReport, iri(report_iri(f.sha256)))
        w.add(s, G.quote, lit(e.quote))
        w.add(s, G.start, integer(e.start))
        w.add(s, G.end, integer(e.end))
        node = w.evidence[(e.start, e.end)] = iri(s)
    return node

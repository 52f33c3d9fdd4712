"""Generate ``practices.ttl`` (a SKOS concept scheme) from ``vocabulary/practices.json`` and
``vocabulary/chapters.json``, and the JSON-LD context ``context.jsonld`` from the gov: terms of ``core.ttl``.

Run ``python -m govkg.ontology.generate`` after editing the vocabulary; a test fails when the two differ.

- Each chapter becomes a ``gov:PracticeArea``: a top concept of the scheme (``skos:topConceptOf`` /
  ``skos:hasTopConcept``) with Chinese and English labels and a ``skos:definition``.
- Each practice becomes a ``gov:Practice``: ``skos:prefLabel`` in Chinese and English, one ``skos:altLabel``
  per alias, a ``skos:definition``, ``skos:broader`` to its family, ``dcterms:hasPart`` to its components and
  ``gov:chapter`` to its area (stated on a family, inherited by everything narrower).
- A practice's ``source`` (the central instrument that launched or mandated it) becomes ``dcterms:source``
  to a ``gov:Instrument`` with ``dcterms:title``, ``dcterms:issued`` (xsd:gYearMonth "2018-12", or xsd:gYear
  "2016" when the month is not known), ``dcterms:creator`` (each issuing body, a central ``gov:Agency``) and
  ``dcterms:identifier`` (the document number).  Instruments and bodies are named like the regulations and
  agencies the builders extract (``regulation/<title>``, ``agency/division/100000/<name>``), so a report
  citing the instrument points at the same node.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from govkg.namespace import GOV, ID, PREFIXES
from govkg.ontology import CHAPTERS_FILE, VOCABULARY_FILE, path

SCHEME = URIRef(ID + "scheme/practices")
CENTRAL = URIRef(ID + "division/100000")
ISSUED = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2]))?$")


def practice_iri(slug: str) -> URIRef:
    return URIRef(ID + "practice/" + slug)


def area_iri(slug: str) -> URIRef:
    return URIRef(ID + "practice-area/" + slug)


def _segment(text: str) -> str:
    """An IRI path segment that keeps Chinese readable, exactly as the builders name extracted entities
    (letters and digits of any script and -_.~ stay, everything else is percent-encoded)."""
    return "".join(ch if ch.isalnum() or ch in "-_.~" else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
                   for ch in text)


def instrument_iri(title: str) -> URIRef:
    return URIRef(ID + "regulation/" + _segment(title))


def issuer_iri(name: str) -> URIRef:
    return URIRef(ID + "agency/division/100000/" + _segment(name))


def issued_literal(value: str) -> Literal:
    m = ISSUED.match(value)
    if not m:
        raise ValueError(f"issued must be YYYY or YYYY-MM, not {value!r}")
    return Literal(value, datatype=XSD.gYearMonth if m.group(2) else XSD.gYear)


def chapter_of(entries: dict[str, dict], slug: str) -> str:
    """The chapter of a practice: its own, or the one of the family at the top of its skos:broader chain."""
    seen = set()
    while entries[slug].get("broader"):
        seen.add(slug)
        slug = entries[slug]["broader"]
        if slug in seen:
            raise ValueError(f"skos:broader cycle through {slug}")
    return entries[slug]["chapter"]


def _instrument(g: Graph, source: dict) -> URIRef:
    doc = instrument_iri(source["title"])
    g.add((doc, RDF.type, GOV.Instrument))
    g.add((doc, DCTERMS.title, Literal(source["title"], lang="zh")))
    g.add((doc, DCTERMS.issued, issued_literal(source["issued"])))
    if source.get("identifier"):
        g.add((doc, DCTERMS.identifier, Literal(source["identifier"])))
    for body in source["creator"]:
        agency = issuer_iri(body)
        g.add((doc, DCTERMS.creator, agency))
        g.add((agency, RDF.type, GOV.Agency))
        g.add((agency, RDFS.label, Literal(body, lang="zh")))
        g.add((agency, GOV.jurisdiction, CENTRAL))
    return doc


def scheme_graph(entries: list[dict], chapters: list[dict]) -> Graph:
    g = Graph()
    for prefix in ("gov", "skos", "dcterms", "rdfs", "xsd"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("practice", ID + "practice/")
    g.bind("area", ID + "practice-area/")
    g.add((SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((SCHEME, SKOS.prefLabel, Literal("法治政府建设实践", lang="zh")))
    g.add((SCHEME, SKOS.prefLabel, Literal("Rule-of-law governance practices", lang="en")))
    for c in chapters:
        a = area_iri(c["id"])
        g.add((a, RDF.type, GOV.PracticeArea))
        g.add((a, RDF.type, SKOS.Concept))
        g.add((a, SKOS.inScheme, SCHEME))
        g.add((a, SKOS.topConceptOf, SCHEME))
        g.add((SCHEME, SKOS.hasTopConcept, a))
        g.add((a, SKOS.prefLabel, Literal(c["zh"], lang="zh")))
        g.add((a, SKOS.prefLabel, Literal(c["en"], lang="en")))
        g.add((a, SKOS.definition, Literal(c["definition"], lang="zh")))
    by_id = {e["id"]: e for e in entries}
    known = {c["id"] for c in chapters}
    for e in entries:
        p = practice_iri(e["id"])
        g.add((p, RDF.type, GOV.Practice))
        g.add((p, RDF.type, SKOS.Concept))
        g.add((p, SKOS.inScheme, SCHEME))
        g.add((p, SKOS.notation, Literal(e["id"])))
        g.add((p, SKOS.prefLabel, Literal(e["zh"], lang="zh")))
        g.add((p, SKOS.prefLabel, Literal(e["en"], lang="en")))
        g.add((p, SKOS.definition, Literal(e["definition"], lang="zh")))
        for alias in e["aliases"]:
            if alias != e["zh"]:
                g.add((p, SKOS.altLabel, Literal(alias, lang="zh")))
        if e["broader"]:
            g.add((p, SKOS.broader, practice_iri(e["broader"])))
        chapter = chapter_of(by_id, e["id"])
        if chapter not in known:
            raise ValueError(f"{e['id']}: unknown chapter {chapter!r}")
        g.add((p, GOV.chapter, area_iri(chapter)))
        for part in e["parts"]:
            g.add((p, DCTERMS.hasPart, practice_iri(part)))
        if e.get("source"):
            g.add((p, DCTERMS.source, _instrument(g, e["source"])))
    return g


def with_user_vocabulary(extra: list[dict]) -> str:
    """The practice scheme (Turtle) with the entries of user vocabulary files added (same JSON format; an
    entry with the id of a shipped one replaces it)."""
    ids = {e["id"] for e in extra}
    entries = [e for e in _load(VOCABULARY_FILE) if e["id"] not in ids] + extra
    return scheme_graph(entries, _load(CHAPTERS_FILE)).serialize(format="turtle")


def _load(name: str) -> list[dict]:
    return json.loads(path(name).read_text(encoding="utf-8"))


def render() -> str:
    header = ("# GENERATED by `python -m govkg.ontology.generate` from vocabulary/practices.json and\n"
              "# vocabulary/chapters.json.  Edit the JSON, not this file.\n")
    return header + scheme_graph(_load(VOCABULARY_FILE), _load(CHAPTERS_FILE)).serialize(format="turtle")


def render_context() -> str:
    """The JSON-LD context of the gov: terms (``context.jsonld``), read from ``core.ttl``."""
    from rdflib.namespace import OWL
    g = Graph().parse(path("core.ttl"), format="turtle")
    ctx: dict[str, object] = {k: v for k, v in sorted(PREFIXES.items())}
    gov = PREFIXES["gov"]
    for term in sorted(set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(g.subjects(RDF.type, OWL.DatatypeProperty)),
                       key=str):
        name = str(term)[len(gov):]
        entry: dict[str, str] = {"@id": f"gov:{name}"}
        rng = g.value(term, RDFS.range)
        if (term, RDF.type, OWL.ObjectProperty) in g:
            entry["@type"] = "@id"
        elif rng is not None and str(rng).startswith(str(XSD)) and str(rng) != str(XSD.string):
            entry["@type"] = "xsd:" + str(rng)[len(str(XSD)):]
        ctx[name] = entry
    for cls in sorted(g.subjects(RDF.type, OWL.Class), key=str):
        if str(cls).startswith(gov):
            ctx[str(cls)[len(gov):]] = f"gov:{str(cls)[len(gov):]}"
    return json.dumps({"@context": ctx}, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else path("practices.ttl")
    out.write_text(render(), encoding="utf-8")
    ctx = out.parent / "context.jsonld"
    ctx.write_text(render_context(), encoding="utf-8")
    print(f"wrote {out} and {ctx}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

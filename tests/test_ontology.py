"""The ontology files: every gov: term documented and anchored in a standard vocabulary."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from govkg import ontology
from govkg.builders import emit, lexicon
from govkg.namespace import GOV, GOV_IRI
from govkg.ontology import generate
from govkg.ontology.generate import render

STANDARD = ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
            "https://schema.org/", "http://www.w3.org/2006/time#", "http://www.w3.org/ns/sosa/",
            "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/", "http://purl.org/linked-data/cube#")


@pytest.fixture(scope="module")
def core() -> Graph:
    return Graph().parse(ontology.path("core.ttl"), format="turtle")


def gov_terms(g: Graph, kind) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, kind) if str(s).startswith(GOV_IRI)}


def test_namespace_module_and_ontology_declare_the_same_terms(core):
    declared = {str(s)[len(GOV_IRI):] for s in core.subjects(RDF.type, None) if str(s).startswith(GOV_IRI)}
    in_python = set(GOV.__annotations__) | set(GOV._extras)
    assert declared == in_python


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_terms_have_labels_comments_and_a_standard_parent(core, kind):
    parent = RDFS.subClassOf if kind == OWL.Class else RDFS.subPropertyOf
    for term in gov_terms(core, kind):
        langs = {lab.language for lab in core.objects(term, RDFS.label) if isinstance(lab, Literal)}
        assert {"zh", "en"} <= langs, term
        assert core.value(term, RDFS.comment), term
        parents = set(core.objects(term, parent))
        assert parents, f"{term} has no {parent}"
        # the term itself, or its parent in the ontology, reaches a standard vocabulary
        reach = parents | {q for p in parents for q in core.objects(p, parent)}
        assert any(str(p).startswith(STANDARD) for p in reach), term


def test_properties_have_ranges(core):
    for term in gov_terms(core, OWL.ObjectProperty) | gov_terms(core, OWL.DatatypeProperty):
        assert core.value(term, RDFS.range) is not None, term


def test_practice_scheme_is_generated_from_the_vocabulary():
    assert ontology.path("practices.ttl").read_text(encoding="utf-8") == render()


def test_the_three_families_and_a_local_brand():
    g = Graph().parse(ontology.path("practices.ttl"), format="turtle")
    base = "https://w3id.org/govkg/id/practice/"
    for slug in ("three-enforcement-systems", "fengqiao-experience", "fang-guan-fu"):
        assert (URIRef(base + slug), RDF.type, GOV.Practice) in g
    broader = URIRef("http://www.w3.org/2004/02/skos/core#broader")
    assert (URIRef(base + "saishang-fengqiao"), broader, URIRef(base + "fengqiao-experience")) in g


# ------------------------------------------------------------------ the practice vocabulary
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEME = URIRef("https://w3id.org/govkg/id/scheme/practices")
# Two-character forms fire inside unrelated text unless nothing else is written with those characters.
REVIEWED_SHORT_FORMS = {"述法"}


@pytest.fixture(scope="module")
def scheme() -> Graph:
    return Graph().parse(ontology.path("practices.ttl"), format="turtle")


@pytest.fixture(scope="module")
def vocabulary() -> list[dict]:
    return json.loads(ontology.path(ontology.VOCABULARY_FILE).read_text(encoding="utf-8"))


def test_the_top_concepts_are_the_practice_areas(scheme):
    tops = set(scheme.objects(SCHEME, SKOS.hasTopConcept))
    assert tops == set(scheme.subjects(SKOS.topConceptOf, SCHEME)) == set(scheme.subjects(RDF.type, GOV.PracticeArea))
    zh = {str(lab) for t in tops for lab in scheme.objects(t, SKOS.prefLabel) if lab.language == "zh"}
    assert {"政府职能依法全面履行", "依法行政制度体系", "重大行政决策", "行政执法", "突发事件应对", "社会矛盾纠纷化解",
            "行政权力制约监督", "法治政府建设科技保障", "组织保障"} <= zh
    assert not set(scheme.subjects(RDF.type, GOV.Practice)) & tops


def test_every_practice_is_labelled_defined_and_in_exactly_one_area(scheme):
    practices = set(scheme.subjects(RDF.type, GOV.Practice))
    assert len(practices) >= 350
    tops = set(scheme.objects(SCHEME, SKOS.hasTopConcept))
    for p in practices:
        langs = {lab.language for lab in scheme.objects(p, SKOS.prefLabel)}
        assert {"zh", "en"} <= langs, p
        definitions = [d for d in scheme.objects(p, SKOS.definition) if d.language == "zh"]
        assert len(definitions) == 1 and definitions[0].endswith("。"), p
        areas = set(scheme.objects(p, GOV.chapter))
        assert len(areas) == 1 and areas <= tops, p
        for b in scheme.objects(p, SKOS.broader):      # a family and its narrower practices share the area
            assert set(scheme.objects(b, GOV.chapter)) == areas, (p, b)


def test_the_area_is_stated_once_per_family(vocabulary):
    for e in vocabulary:
        assert ("chapter" in e) == (e["broader"] is None), e["id"]


def test_no_surface_form_is_claimed_twice_at_the_same_depth():
    entries = lexicon.practices()

    def depth(slug: str) -> int:
        return len(lexicon.ancestors(slug))

    claims: dict[tuple[str, int], set[str]] = {}
    for slug, e in entries.items():
        for label in e.labels:
            for form in {label, label.translate(lexicon._STRIP_QUOTES)}:
                claims.setdefault((form, depth(slug)), set()).add(slug)
    twice = {k: v for k, v in claims.items() if len(v) > 1}
    assert not twice


def test_short_forms_are_reviewed():
    short = {f for f in lexicon.practice_surface_forms() if len(f) <= 2}
    assert short <= REVIEWED_SHORT_FORMS, short - REVIEWED_SHORT_FORMS


def test_instruments_are_well_formed_and_named_like_extracted_regulations(scheme):
    instruments = set(scheme.objects(None, DCTERMS.source))
    assert len(instruments) >= 40
    for doc in instruments:
        assert (doc, RDF.type, GOV.Instrument) in scheme
        title = scheme.value(doc, DCTERMS.title)
        assert title and not str(title).startswith("《"), doc
        assert str(doc) == emit.regulation_iri(str(title))
        issued = list(scheme.objects(doc, DCTERMS.issued))
        assert len(issued) == 1 and issued[0].datatype in (XSD.gYearMonth, XSD.gYear), doc
        assert 1949 <= int(str(issued[0])[:4]) <= 2030
        creators = list(scheme.objects(doc, DCTERMS.creator))
        assert creators, doc
        for c in creators:
            name = str(scheme.value(c, RDFS.label))
            assert str(c) == emit.agency_iri("100000", name)
            assert (c, GOV.jurisdiction, URIRef("https://w3id.org/govkg/id/division/100000")) in scheme
    three = URIRef("https://w3id.org/govkg/id/practice/three-enforcement-systems")
    doc = scheme.value(three, DCTERMS.source)
    assert str(scheme.value(doc, DCTERMS.identifier)) == "国办发〔2018〕118号"
    assert scheme.value(doc, DCTERMS.issued) == Literal("2018-12", datatype=XSD.gYearMonth)


def test_an_issued_date_is_a_year_or_a_year_and_month():
    assert generate.issued_literal("2016").datatype == XSD.gYear
    with pytest.raises(ValueError):
        generate.issued_literal("2018-13")


def _doc_query(marker: str) -> str:
    text = (Path(__file__).parent.parent / "docs" / "extending.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", text, flags=re.S)
    return next(b for b in blocks if marker in b)


def test_the_documented_mandate_query_gives_the_instrument_of_a_practice_or_of_its_family(kg):
    query = _doc_query("dcterms:source")
    own = kg.query(query, practice="three-enforcement-systems").rows
    assert [(r["issued"], r["year"], r["number"], r["issuedBy"]) for r in own] == \
        [("2018-12", 2018, "国办发〔2018〕118号", "国务院办公厅")]
    # a narrower practice without an instrument of its own takes its family's, the nearest one only
    inherited = kg.query(query, practice="bureau-team-integration").rows
    assert [r["title"] for r in inherited] == ["深化党和国家机构改革方案"]
    joint = kg.query(query, practice="joint-double-random").rows
    assert [r["issued"] for r in joint] == ["2019-01"]


# The OWL 2 datatype map (OWL 2 Syntax §4): what a DL reasoner accepts as a property range.
OWL2_DATATYPES = {XSD[n] for n in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short byte "
    "unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token language "
    "Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()} | {
    RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral, OWL.real, OWL.rational, RDF.langString}


def test_datatype_ranges_are_in_the_owl2_datatype_map(core):
    for prop in core.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in core.objects(prop, RDFS.range):
            assert rng in OWL2_DATATYPES or (rng, RDF.type, RDFS.Datatype) in core, (prop, rng)


def test_hermit_finds_the_ontology_consistent(tmp_path):
    """The ontology (core terms and the practice vocabulary) loads in owlready2, and HermiT, which refuses any
    datatype outside the OWL 2 map, classifies it without an inconsistency (HermiT needs a Java runtime)."""
    import shutil

    import owlready2  # the test extras install it
    assert shutil.which("java"), "the reasoner check needs Java: apt-get install default-jre-headless"
    g = Graph()
    for name in ("core.ttl", "practices.ttl"):
        g.parse(ontology.path(name), format="turtle")
    path = tmp_path / "govkg.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    assert onto.search_one(iri=str(GOV.Adoption)) is not None
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)   # raises if inconsistent
    assert list(world.inconsistent_classes()) == []

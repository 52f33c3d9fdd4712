"""The RDF namespaces shared by every stage of govkg.

`GOV` is closed (``_fail = True``): a misspelt term raises instead of minting a new IRI.  Its terms must
match the declarations in ``ontology/core.ttl``; ``tests/test_ontology.py`` checks both directions.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, SOSA, TIME, XSD, DefinedNamespace

GOV_IRI = "https://w3id.org/govkg/ontology#"
ID_IRI = "https://w3id.org/govkg/id/"

ID = Namespace(ID_IRI)
OA = Namespace("http://www.w3.org/ns/oa#")


class GOV(DefinedNamespace):
    """Terms of the govkg ontology (``ontology/core.ttl``)."""

    _NS = Namespace(GOV_IRI)
    _fail = True

    # classes
    Report: URIRef
    Division: URIRef
    DivisionLevel: URIRef
    Agency: URIRef
    Practice: URIRef
    CandidatePractice: URIRef
    PracticeArea: URIRef
    Instrument: URIRef
    Regulation: URIRef
    RegulationKind: URIRef
    Adoption: URIRef
    AdoptionMode: URIRef
    Spread: URIRef
    Outcome: URIRef
    Award: URIRef
    Evidence: URIRef
    Problem: URIRef
    Plan: URIRef
    Milestone: URIRef
    MilestoneKind: URIRef
    # milestone kinds
    Origin: URIRef
    NationalPilot: URIRef
    NationalMandate: URIRef
    # adoption modes
    Adopted: URIRef
    Piloted: URIRef
    Extended: URIRef
    Deepened: URIRef
    Promoted: URIRef
    # division levels
    National: URIRef
    Province: URIRef
    Prefecture: URIRef
    County: URIRef
    Township: URIRef
    Zone: URIRef
    # regulation kinds
    Law: URIRef
    AdministrativeRegulation: URIRef
    LocalRegulation: URIRef
    GovernmentRule: URIRef
    NormativeDocument: URIRef
    PlanDocument: URIRef
    OtherDocument: URIRef
    # report
    sourceName: URIRef
    sha256: URIRef
    aboutDivision: URIRef
    mentions: URIRef
    reportYear: URIRef
    encoding: URIRef
    ambiguousName: URIRef
    # divisions and agencies
    adcode: URIRef
    level: URIRef
    partOf: URIRef
    jurisdiction: URIRef
    # regulations
    regulationKind: URIRef
    issuer: URIRef
    # adoption, spread, outcome, award, plan, problem
    adopter: URIRef
    practice: URIRef
    chapter: URIRef
    mode: URIRef
    year: URIRef
    designatedBy: URIRef
    evidence: URIRef
    scope: URIRef
    division: URIRef
    indicator: URIRef
    value: URIRef
    unit: URIRef
    raw: URIRef
    qualifier: URIRef
    recipient: URIRef
    awardName: URIRef
    awardLevel: URIRef
    # evidence
    inReport: URIRef
    quote: URIRef
    start: URIRef
    end: URIRef
    # curated reference layer
    curated: URIRef
    citation: URIRef

    # `from` is a Python keyword, so it is listed here and reached as GOV["from"] (or GOV_FROM).
    _extras = ["from"]


GOV_FROM = GOV["from"]

PREFIXES: dict[str, str] = {
    "gov": GOV_IRI,
    "id": ID_IRI,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SDO),
    "dcterms": str(DCTERMS),
    "time": str(TIME),
    "sosa": str(SOSA),
    "oa": str(OA),
}

__all__ = ["GOV", "GOV_FROM", "GOV_IRI", "ID", "ID_IRI", "OA", "PREFIXES",
           "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SDO", "SKOS", "SOSA", "TIME", "XSD"]

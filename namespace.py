"""The RDF namespaces shared by every stage of govkg.

`GOV` is closed (``_fail = True``): a misspelt term raises instead of minting a new IRI.  Its terms must
match the declarations in ``ontology/core.ttl``; ``tests/test_ontology.py`` checks both directions.
"""
from __future__ import annotations

from enum import Enum

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
    Learning: URIRef
    YearSource: URIRef
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
    # year sources
    StatedYear: URIRef
    ContextYear: URIRef
    ReportYear: URIRef
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
    designationLevel: URIRef
    yearSource: URIRef
    learner: URIRef
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


GOV_FROM: URIRef = GOV["from"]



class _Controlled(str, Enum):
    """A controlled value: its Python value is the word used in facts, its `term` the ontology's individual
    (the member name in CamelCase).  ``tests/test_ontology.py`` checks both against ``ontology/core.ttl``."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def term(self) -> URIRef:
        return GOV[self.name.title().replace("_", "")]


class Mode(_Controlled):
    """How a division took up a practice (gov:AdoptionMode)."""
    ADOPTED = "adopted"
    PILOTED = "piloted"
    EXTENDED = "extended"
    DEEPENED = "deepened"
    PROMOTED = "promoted"


class Level(_Controlled):
    """Level of a division (gov:DivisionLevel)."""
    NATIONAL = "national"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    ZONE = "zone"


class RegulationKind(_Controlled):
    """Legal form of a titled document (gov:RegulationKind)."""
    LAW = "law"
    ADMINISTRATIVE_REGULATION = "administrative_regulation"
    LOCAL_REGULATION = "local_regulation"
    GOVERNMENT_RULE = "government_rule"
    NORMATIVE_DOCUMENT = "normative_document"
    PLAN_DOCUMENT = "plan"
    OTHER_DOCUMENT = "other"


class AwardLevel(_Controlled):
    """Level of an honour: a division level (gov:DivisionLevel), or OTHER when its name does not say."""
    NATIONAL = "national"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    OTHER = "other"

    @property
    def term(self) -> URIRef | None:  # type: ignore[override]  # OTHER has no level: its callers test for None
        return None if self is AwardLevel.OTHER else Level(self.value).term


class YearSource(_Controlled):
    """Where a fact's year was read (gov:YearSource): the sentence, its paragraph or heading, or the report."""
    STATED = "stated"
    CONTEXT = "context"
    REPORT = "report"

    @property
    def term(self) -> URIRef:
        return GOV[self.name.title() + "Year"]


# Each controlled value's class in the ontology.
SCHEMES: dict[type[_Controlled], URIRef] = {Mode: GOV.AdoptionMode, Level: GOV.DivisionLevel,
                                             RegulationKind: GOV.RegulationKind, AwardLevel: GOV.DivisionLevel,
                                             YearSource: GOV.YearSource}

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

__all__ = ["GOV", "GOV_FROM", "GOV_IRI", "ID", "ID_IRI", "OA", "PREFIXES", "SCHEMES",
           "AwardLevel", "Level", "Mode", "RegulationKind", "YearSource",
           "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SDO", "SKOS", "SOSA", "TIME", "XSD"]

"""The facts a report yields, as plain data: the interface between extraction and RDF emission.

Divisions are referred to by key (`DivisionKey`): a six-digit GB/T 2260 code, or a `Zone` for a development
zone (which has no code).  Every fact carries the `Evidence` it was read from.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from govkg.namespace import AwardLevel, Level, Mode, RegulationKind, YearSource


@dataclass(frozen=True, order=True)
class Zone:
    """A development zone: no code of its own, it counts by its parent division."""
    parent: str                   # GB/T 2260 code
    name: str

    def __str__(self) -> str:
        # The text form that identifier hashes are computed from (stable across releases).
        return f"zone:{self.parent}:{self.name}"


@dataclass(frozen=True, order=True)
class CentralBody:
    """A central agency acting as designator (its jurisdiction is the central level)."""
    name: str


DivisionKey = str | Zone


@dataclass(frozen=True)
class When:
    """A fact's date as the text gives it: the year, where it was read, and the month where one is stated."""
    year: int | None
    source: YearSource | None = None
    month: int | None = None


@dataclass(frozen=True, order=True)
class Evidence:
    start: int
    end: int
    quote: str


@dataclass(frozen=True, order=True)
class Agency:
    name: str            # canonical: the division's full name + the body
    division: str        # code of its jurisdiction
    surface: str         # as written (often a level word + the body)


@dataclass(frozen=True, order=True)
class Regulation:
    title: str
    kind: RegulationKind
    issuer: DivisionKey | None
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Adoption:
    adopter: DivisionKey
    practice: str                 # practice slug
    mode: Mode
    year: int | None
    designated_by: DivisionKey | CentralBody | Agency | None
    evidence: Evidence
    agency: str | None = None     # canonical name of the agency acting, when one is named
    year_source: YearSource | None = None
    month: int | None = None
    designation_level: Level | None = None   # the level of the designating body (national, province, prefecture)
    candidate: bool = False       # `practice` is a candidate practice's name, not a vocabulary slug


@dataclass(frozen=True, order=True)
class Spread:
    practice: str
    origin: DivisionKey
    scope: str
    year: int | None
    evidence: Evidence
    year_source: YearSource | None = None
    month: int | None = None
    learning: bool = False        # a promotion others take up (推广, a meeting held at the origin): a gov:Learning too


@dataclass(frozen=True)
class Learning:
    """A learning link: `learner` (or, for a promotion across a scope, `scope`) learned from `origin`."""
    origin: DivisionKey | CentralBody
    learner: DivisionKey | None
    scope: str | None
    practice: str | None          # practice slug, where identified
    candidate: str | None         # else a quoted term shaped like a practice (a candidate practice)
    year: int | None
    evidence: Evidence
    year_source: YearSource | None = None
    month: int | None = None


@dataclass(frozen=True, order=True)
class Outcome:
    division: DivisionKey
    indicator: str
    value: float
    unit: str
    raw: str
    qualifier: str
    year: int | None
    practice: str | None
    evidence: Evidence
    year_source: YearSource | None = None
    month: int | None = None


@dataclass(frozen=True, order=True)
class Award:
    recipient: str
    name: str
    level: AwardLevel
    year: int | None
    evidence: Evidence
    year_source: YearSource | None = None
    month: int | None = None


@dataclass(frozen=True, order=True)
class Statement:
    """A problem admitted or a plan announced, with the practices it names."""
    kind: str                     # problem | plan
    practices: tuple[str, ...]
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Candidate:
    term: str                     # the name in its normal form (`practice_forms.candidate_key`)
    evidence: Evidence


@dataclass
class ReportFacts:
    source_name: str
    sha256: str
    text: str
    encoding: str
    title: str
    date: str | None
    publisher: str | None
    division: str | None
    year: int | None
    period: tuple[int, int] | None
    divisions: set[DivisionKey] = field(default_factory=set)  # mentioned
    agencies: set[Agency] = field(default_factory=set)
    practices: set[str] = field(default_factory=set)           # slugs mentioned
    regulations: list[Regulation] = field(default_factory=list)
    adoptions: list[Adoption] = field(default_factory=list)
    spreads: list[Spread] = field(default_factory=list)
    learnings: list[Learning] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)

    def add(self, fact: object) -> None:
        """Record one fact a rule read."""
        if isinstance(fact, Agency):
            self.agencies.add(fact)
        else:
            getattr(self, _LISTS[type(fact)]).append(fact)

    def counts(self) -> dict[str, int]:
        return {"adoptions": len(self.adoptions), "spread": len(self.spreads), "learning": len(self.learnings),
                "outcomes": len(self.outcomes),
                "awards": len(self.awards), "regulations": len(self.regulations),
                "problems": sum(s.kind == "problem" for s in self.statements),
                "plans": sum(s.kind == "plan" for s in self.statements), "candidates": len(self.candidates)}


_LISTS = {Regulation: "regulations", Adoption: "adoptions", Spread: "spreads", Learning: "learnings",
          Outcome: "outcomes", Award: "awards", Statement: "statements", Candidate: "candidates"}

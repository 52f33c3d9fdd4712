"""The facts a report yields, as plain data: the interface between extraction and RDF emission.

Divisions are referred to by key: a six-digit GB/T 2260 code, or ``zone:{parent code}:{name}`` for a
development zone (which has no code).  Every fact carries the `Evidence` it was read from.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Evidence:
    start: int
    end: int
    quote: str


@dataclass(frozen=True, order=True)
class Agency:
    name: str            # canonical: the division's full name + the body (中卫市司法局)
    division: str        # division key of its jurisdiction
    surface: str         # as written (市司法局)


@dataclass(frozen=True, order=True)
class Regulation:
    title: str
    kind: str
    issuer: str | None
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Adoption:
    adopter: str                  # division key
    practice: str                 # practice slug
    mode: str                     # adopted | piloted | extended | deepened | promoted
    year: int | None
    designated_by: str | None     # division key, or agency name prefixed "agency:"
    evidence: Evidence
    agency: str | None = None     # canonical name of the agency acting, when one is named


@dataclass(frozen=True, order=True)
class Spread:
    practice: str
    origin: str                   # division key
    scope: str
    year: int | None
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Outcome:
    division: str
    indicator: str
    value: float
    unit: str
    raw: str
    qualifier: str
    year: int | None
    practice: str | None
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Award:
    recipient: str
    name: str
    level: str                    # national | province | prefecture | other
    year: int | None
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Statement:
    """A problem admitted or a plan announced, with the practices it names."""
    kind: str                     # problem | plan
    practices: tuple[str, ...]
    evidence: Evidence


@dataclass(frozen=True, order=True)
class Candidate:
    term: str                     # the quoted term, e.g. “四办四清单”管理制度
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
    divisions: set[str] = field(default_factory=set)          # keys mentioned
    zones: dict[str, str] = field(default_factory=dict)        # zone key → name
    agencies: set[Agency] = field(default_factory=set)
    practices: set[str] = field(default_factory=set)           # slugs mentioned
    regulations: list[Regulation] = field(default_factory=list)
    adoptions: list[Adoption] = field(default_factory=list)
    spreads: list[Spread] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {"adoptions": len(self.adoptions), "spread": len(self.spreads), "outcomes": len(self.outcomes),
                "awards": len(self.awards), "regulations": len(self.regulations),
                "problems": sum(s.kind == "problem" for s in self.statements),
                "plans": sum(s.kind == "plan" for s in self.statements), "candidates": len(self.candidates)}

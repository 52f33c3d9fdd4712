"""The one type that flows from the recognisers to the rules: a labelled, keyed span of a text."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Label(str, Enum):
    DIVISION = "DIVISION"      # key: the name as written (resolved to a code by the linker)
    ZONE = "ZONE"              # key: the zone's name; data: (its name before the zone ending: its parent's hint,)
    AGENCY = "AGENCY"          # key: the body's name; data: (the division or level word it starts with,)
    PRACTICE = "PRACTICE"      # key: the practice's slug
    CANDIDATE = "CANDIDATE"    # key: the quoted term shaped like a practice
    REGULATION = "REGULATION"  # key: the title inside the title marks
    QUANTITY = "QUANTITY"      # key: the unit; data: (value, unit, qualifier, raw)
    YEAR = "YEAR"              # key: the four digits

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: Label
    key: str
    data: tuple = field(default=())

    def shifted(self, offset: int) -> Mention:
        return Mention(self.start - offset, self.end - offset, self.label, self.key, self.data)

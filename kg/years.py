"""Where an adopter's first year comes from, and whether it may order adoptions.

A year stated in the sentence (``stated``) or in its paragraph or heading (``context``) dates the adoption;
a year only inherited from the report (``report``) says the practice was in place *by* that year — observed,
not when it began.  Maps and figures draw observed-only years hatched and lighter; panels, cascades and the
inferred network never use them as evidence of order.

A trace may carry the source on each adopter (``year_source``).  When it does not, the evidence of the first
adoption decides: a year written in the quoted sentence is ``stated``; otherwise the year is taken as
``report`` — the cautious reading.
"""
from __future__ import annotations

ORDERED = frozenset({"stated", "context"})
SOURCES = ("stated", "context", "report")
_HAN = "〇一二三四五六七八九"


def year_source(adopter) -> str | None:
    """stated | context | report, or None for an undated adopter."""
    if getattr(adopter, "first_year", None) is None:
        return None
    given = getattr(adopter, "year_source", None)
    if given in SOURCES:
        return given
    year = str(adopter.first_year)
    quotes = [e.quote for e in getattr(adopter, "evidence", []) or []][:1]
    han = {year.translate(str.maketrans("0123456789", _HAN)),
           year.translate(str.maketrans("0123456789", "零一二三四五六七八九"))}
    if any(year in q or any(h in q for h in han) for q in quotes):
        return "stated"
    return "report"


def ordered(adopter) -> bool:
    """True when the adopter's year may be used to order it against others."""
    return year_source(adopter) in ORDERED

"""Linking: recognised mentions → the report's entities (division codes, zones, agencies), and each sentence
→ the `Scene` the rules read.

Linking records what a sentence mentions (divisions, agencies, practices, titled documents, candidate
practices) whatever the sentence is about; the rules in `builders.rules` then read facts from the scene.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govkg.builders import gazetteer, lexicon, vocab
from govkg.builders.context import ReportContext
from govkg.builders.facts import Agency, Candidate, CentralBody, DivisionKey, Evidence, Regulation, ReportFacts, Zone
from govkg.builders.mention import Label, Mention
from govkg.builders.recognise import BARE, GLUED, LEVEL_WORD, TOWNSHIP, regulation_kind, spelled_out
from govkg.builders.rules.award import honour_spans
from govkg.builders.rules.base import Paragraph, Scene
from govkg.builders.text import Sentence

P = vocab.pattern
# Span groups the linker records facts from (titled documents, candidate practices): a sentence holding
# none of them gives the linker nothing a recogniser would add (divisions and agencies are found per report).
REQUIRES = ("practices", "regulations")


@dataclass
class Annotated:
    """One sentence with its mentions by span group (offsets relative to the sentence)."""
    sent: Sentence
    text: str                 # matching text of the sentence
    mentions: dict[str, list[Mention]]


class Linker:
    """Resolves names against the gazetteer in the context of the reporting division; records ambiguous
    names in `facts`."""

    def __init__(self, ctx: ReportContext, facts: ReportFacts):
        self.ctx, self.facts = ctx, facts
        self.gaz = gazetteer.load()

    # ---------------------------------------------------------------- divisions
    def division(self, m: Mention, near: Sequence[str] = ()) -> DivisionKey | None:
        """The division a mention names; `near` are the codes named before it in the sentence."""
        if m.label is Label.ZONE:
            return Zone(self._zone_parent(m.data[0] if m.data else m.key), m.key)
        if m.data == (LEVEL_WORD,):
            level = vocab.mapping("level_names")[m.key]
            own = self._at_level(level)
            return own if own and self.gaz[own].name.endswith(m.key) else None
        if m.data == (BARE,):         # a county without its suffix: only one under the report's own division
            own = self.ctx.division
            near = [c for c in self.gaz.bare_forms.get(m.key, ()) if own and own.isdigit()
                    and (own in self.gaz.ancestors(c) or own[:4] == c[:4] and self.gaz[own].level == "county")]
            return near[0] if len(near) == 1 else None
        if m.data and m.data[0] in (TOWNSHIP, GLUED):
            return self.gaz.township_in(m.key, list(near) + list(self.ctx.chain), alone=m.data[0] == TOWNSHIP)
        code, cands = self.gaz.resolve(m.key, list(self.ctx.chain))
        if code is None and len(cands) > 1:
            self.facts.ambiguous.add(m.key)
        if code and self.ctx.year and not self.gaz.is_current(code):
            code = self.gaz.code_in(code, self.ctx.year) or code   # the report's year picks the valid code
        return code

    def _zone_parent(self, prefix: str) -> str:
        for name, codes in ((n, self.gaz.candidates(n)) for n in (prefix[:2], prefix[:3], prefix)):
            if codes:
                code, _ = self.gaz.resolve(name, list(self.ctx.chain))
                if code:
                    return code
        return self.ctx.division or gazetteer.NATIONAL_CODE

    def is_own(self, key: DivisionKey) -> bool:
        """The reporting division itself, or a division or zone under it."""
        if not self.ctx.division:
            return False
        code = key.parent if isinstance(key, Zone) else key   # a zone counts by its parent
        return code == self.ctx.division or (code in self.gaz and self.ctx.division in self.gaz.ancestors(code))

    def _at_level(self, level: str) -> str | None:
        return next((c for c in self.ctx.chain if self.gaz[c].level == level), None)

    # ---------------------------------------------------------------- agencies
    def agency(self, surface: str, prefix: str, subject: str | None) -> Agency | None:
        """Link an agency name to its division; the canonical name carries the division's full name
        (a city's justice bureau named by its level word → the bureau under the city's full name)."""
        chain = self.ctx.chain
        national = self.gaz[gazetteer.NATIONAL_CODE].name
        if prefix == national or surface in vocab.words("central_bodies"):
            return Agency(surface, gazetteer.NATIONAL_CODE, surface)
        body = surface[len(prefix):]
        level = vocab.mapping("level_prefixes").get(prefix)
        if prefix and level is None:
            division, _ = self.gaz.resolve(prefix, list(chain))
        elif level in ("province",):
            division = chain[-1] if chain else None
        elif level in ("prefecture", "county"):
            division = self._at_level(level) or (chain[0] if chain else None)
        else:   # no prefix, or a township's level word: the clause's subject
            division = subject or (chain[0] if chain else None)
        if not division or not body:
            return None
        return Agency(self.gaz[division].name + body, division, surface)

    def designator(self, name: str) -> DivisionKey | CentralBody | None:
        """Who designated a pilot: the province, a central body, the prefecture, or a named division."""
        name = name.strip()
        if name.startswith(vocab.words("province_prefixes")):
            return self.ctx.chain[-1] if self.ctx.chain else None
        if name.startswith(vocab.words("central_prefixes") + vocab.words("central_bodies")):
            return CentralBody(name)
        if name.startswith(vocab.words("prefecture_prefixes")):
            return self._at_level("prefecture")
        code, _ = self.gaz.resolve(name, list(self.ctx.chain))
        return code

    # ---------------------------------------------------------------- sentences
    def scene(self, a: Annotated, evidence: Evidence, paragraph: Paragraph) -> Scene:
        """Link one sentence's mentions, record what it mentions, and return what the rules read."""
        t, facts, spans = a.text, self.facts, a.mentions
        titles = [(m.start, m.end) for m in spans.get("regulations", [])]

        def in_title(o: int) -> bool:
            return any(st < o < en for st, en in titles)

        divs: list[tuple[int, int, DivisionKey]] = []
        for m in spans.get("divisions", []):
            if m.label is Label.ZONE and in_title(m.start):
                continue
            k = self.division(m, [c for _, _, c in divs if isinstance(c, str)])
            if k:
                facts.divisions.add(k)
                divs.append((m.start, m.end, k))
        own = [(st, en, k) for st, en, k in divs if self.is_own(k) and not in_title(st)]

        agencies: list[tuple[int, Agency]] = []
        for m in spans.get("agencies", []):
            if in_title(m.start):
                continue
            subject = next((k for dst, den, k in reversed(own) if den <= m.start and not isinstance(k, Zone)), None)
            ag = self.agency(m.key, m.data[0] if m.data else "", subject)
            if ag:
                facts.agencies.add(ag)
                agencies.append((m.start, ag))

        s = a.sent
        for m in spans.get("regulations", []):     # everywhere but furniture
            issuer = next((k for dst, den, k in divs if m.start < dst < m.end), None)
            verbatim = facts.text[s.start + m.start + 1:s.start + m.end - 1].strip()   # the title as written
            facts.regulations.append(Regulation(verbatim, regulation_kind(m.key), issuer, evidence))

        practices = [(m.start, m.end, m.key) for m in spans.get("practices", []) if m.label is Label.PRACTICE]
        named = {p for _, _, p in practices}
        for fam in sorted(spelled_out(named) - named):
            first = min(st for st, _, p in practices if p in lexicon.practices()[fam].parts)
            practices.append((first, first, fam))
        facts.practices.update(p for _, _, p in practices)
        for m in spans.get("practices", []):
            if m.label is Label.CANDIDATE:
                facts.candidates.append(Candidate(m.key, evidence))
        honours = honour_spans(t)
        acts = [p for p in practices if not any(hs <= p[0] < he for hs, he in honours)]

        # Event years: not a period's start, not inside a title or a span of years.
        years = [(m.start, int(m.key)) for m in spans.get("years", [])
                 if not in_title(m.start) and not P("period_start").match(t[m.end:m.end + 3])
                 and not P("year_range_end").search(t[max(0, m.start - 8):m.start])
                 and not P("year_range_start").match(t[m.end - 1:m.end + 8])]
        months = {}
        for st, _ in years:
            end = next(m.end for m in spans["years"] if m.start == st)
            mm = P("month_after_year").match(t[end:end + 4])
            if mm:
                months[st] = int(mm.group(1))
        candidates = [(m.start, m.end, m.key) for m in spans.get("practices", []) if m.label is Label.CANDIDATE
                      and not any(hs <= m.start < he for hs, he in honours)]
        return Scene(s, t, evidence, self.ctx, self, spans, divs, own, agencies, practices, acts, named, years,
                     paragraph, months, candidates)

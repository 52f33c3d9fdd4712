"""Link recognised spans to canonical entities and read facts from sentence structure.

Input: the report text, its matching text, its sentences and zones, and the spaCy docs the named
components annotated.  Output: `ReportFacts`.  The rules are about how these reports are written —
cue verbs, who the subject of a clause is, where a number's unit stands — never about one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from govkg.builders import gazetteer, lexicon
from govkg.builders.context import SELF_REFERENCE, ReportContext
from govkg.builders.facts import (Adoption, Agency, Award, Candidate, Evidence, Outcome, Regulation, ReportFacts,
                                  Spread, Statement)
from govkg.builders.recognise import regulation_kind, spelled_out
from govkg.builders.text import Sentence

CLAUSE = re.compile(r"[,;:、]")
_MODE_CUES = sorted(((cue, mode) for mode, cues in lexicon.MODE_CUES.items() for cue in cues),
                    key=lambda x: -len(x[0]))
_MODE_RE = re.compile("|".join(re.escape(c) for c, _ in _MODE_CUES))
_MODE_OF = dict(_MODE_CUES)

SCOPE_WORDS = {"全国": "全国", "国家": "全国", "全区": "全区", "自治区": "全区", "全省": "全省", "省": "全省",
               "全市": "全市", "全州": "全州", "全盟": "全盟", "全县": "全县", "全旗": "全旗", "中央": "中央"}
SPREAD_PROMOTE = re.compile(r"(?:(?:在|向)(?P<a>[^,。;在向]{1,14}?)|(?P<b>全国|全区|全省|全市|全县|全旗))"
                            r"(?:范围内)?(?:进行|予以|全面|大力|复制)?推广")
SPREAD_MEETING = re.compile(r"(?P<scope>全国|全区|全省|全市|自治区|省)[^,。;]{0,30}?(?:现场(?:观摩|推进|经验交流|会)|观摩|经验交流)会?"
                            r"[^,。;]{0,4}?在(?P<where>[^,。;]{1,10}?)(?:召开|举行|举办)")
SPREAD_UPWARD = re.compile(r"(上报|专报|报送|推荐)[^,。;]{0,12}?(中央|中办|国办|国务院|中共中央)")
SPREAD_NATIONAL = re.compile(r"(全国[^,。;]{0,16}?典型(?:经验|案例)|国务院[^,。;]{0,12}?典型经验|典型经验[^,。;]{0,8}全国|"
                             r"《(人民日报|法制日报|法治日报|光明日报|经济日报|中国日报)》|中央电视台|新华社)")
AWARD_CUE = re.compile(r"(荣获|获得|获评|被评为|评为|被命名为|命名为|被授予|授予|入选|享有|被表彰为|被确定为|被推荐为|作为|获)")
# The names that follow an award cue: quoted names, or the phrase up to 等/称号/荣誉.
AWARD_NAMES = re.compile(r"(?:荣获|获得|获评|被评为|评为|被命名为|命名为|被授予|授予|入选|享有|被表彰为)"
                         r"((?:\d{4}年度?)?(?:“[^”]{2,40}”[、,和及与]?)+|[^,。;“”]{3,30}?(?=等|称号|荣誉|,|。|;|$))")
AWARD_TAIL = re.compile(r"(示范|先进|单位|集体|城市|典型|案例|奖|称号|模范|标兵|城|名|强|事件|县|市|旗|地区|社区|村|项目)$")
# After 作为 only an explicit honour counts (作为单项示范项目), not 作为重大决策的必经程序.
STRICT_TAIL = re.compile(r"(示范项目|示范单位|典型经验|典型案例|先进典型)$")
CUMULATIVE = re.compile(r"(截至|以来|累计|年来|共计|历年)")

# Words without one of which the spread and award rules above cannot match (adoptions need a recognised
# practice, outcomes a quantity, regulations a title).  `builders.prefilter` sends a sentence to the
# recognisers only when it holds one of these or a recognisable name; a test checks that the selection
# changes no fact.  Keep this list in step with the patterns above.
TRIGGERS = (
    "推广", "现场", "观摩", "经验交流",                          # SPREAD_PROMOTE, SPREAD_MEETING
    "上报", "专报", "报送", "推荐",                              # SPREAD_UPWARD
    "典型经验", "典型案例", "日报", "中央电视台", "新华社",        # SPREAD_NATIONAL
    "获", "评为", "命名为", "授予", "入选", "享有", "表彰为", "确定为", "推荐为", "作为",   # AWARD_CUE
)


@dataclass
class Annotated:
    """One sentence with its recognised spans (offsets relative to the sentence)."""
    sent: Sentence
    text: str                 # matching text of the sentence
    spans: dict[str, list[tuple[int, int, str, tuple]]]


class Extractor:
    def __init__(self, text: str, norm: str, ctx: ReportContext, source_name: str, sha: str, encoding: str):
        self.text, self.norm, self.ctx = text, norm, ctx
        self.gaz = gazetteer.load()
        self.facts = ReportFacts(source_name, sha, text, encoding, ctx.title, ctx.date, ctx.publisher,
                                 ctx.division, ctx.year, ctx.period)
        if ctx.division:
            self.facts.divisions.update(ctx.chain)
        self.last_practice: tuple[int, str] | None = None   # (paragraph, slug) for outcome context
        self.topic: tuple[int, str] | None = None           # (paragraph, first practice): what 该做法 refers to

    # ---------------------------------------------------------------- divisions
    def division_key(self, name: str, label: str, data: tuple) -> str | None:
        if label == "ZONE":
            parent = self._zone_parent(data[0] if data else name)
            key = f"zone:{parent}:{name}"
            self.facts.zones[key] = name
            return key
        code, cands = self.gaz.resolve(name, list(self.ctx.chain))
        if code is None and len(cands) > 1:
            self.facts.ambiguous.add(name)
        return code

    def _zone_parent(self, prefix: str) -> str:
        for name, codes in ((n, self.gaz.candidates(n)) for n in (prefix[:2], prefix[:3], prefix)):
            if codes:
                code, _ = self.gaz.resolve(name, list(self.ctx.chain))
                if code:
                    return code
        return self.ctx.division or gazetteer.NATIONAL_CODE

    def is_own(self, key: str) -> bool:
        """The reporting division itself, or a division or zone under it."""
        if not self.ctx.division:
            return False
        code = key.split(":")[1] if key.startswith("zone:") else key   # a zone counts by its parent
        return code == self.ctx.division or (code in self.gaz and self.ctx.division in self.gaz.ancestors(code))

    # ---------------------------------------------------------------- agencies
    def agency(self, surface: str, prefix: str, subject: str | None) -> Agency | None:
        """Link an agency name to its division; the canonical name carries the division's full name
        (市司法局 in a 中卫 report → 中卫市司法局)."""
        chain = self.ctx.chain
        if prefix == "中央" or surface in lexicon.CENTRAL_BODIES:
            return Agency(surface, gazetteer.NATIONAL_CODE, surface)
        body = surface[len(prefix):]
        if prefix and prefix not in lexicon.LEVEL_PREFIX:
            division, _ = self.gaz.resolve(prefix, list(chain))
        elif prefix in ("自治区", "省"):
            division = chain[-1] if chain else None
        elif prefix in ("市", "州", "盟"):
            division = next((c for c in chain if self.gaz[c].level == "prefecture"), chain[0] if chain else None)
        elif prefix in ("县", "区", "旗"):
            division = next((c for c in chain if self.gaz[c].level == "county"), chain[0] if chain else None)
        else:
            division = subject or (chain[0] if chain else None)
        if not division or not body:
            return None
        return Agency(self.gaz[division].name + body, division, surface)

    # ---------------------------------------------------------------- sentences
    def sentence(self, a: Annotated) -> None:
        s, t = a.sent, a.text
        if s.zone == "furniture":
            return
        ev = Evidence(s.start, s.end, self.text[s.start:s.end])
        titles = [(st, en) for st, en, _, _ in a.spans.get("regulations", [])]

        def in_title(o: int) -> bool:
            return any(st < o < en for st, en in titles)

        # divisions and zones
        divs: list[tuple[int, int, str]] = []
        for st, en, key, data in a.spans.get("divisions", []):
            label = "ZONE" if data else "DIVISION"
            if label == "ZONE" and in_title(st):
                continue
            k = self.division_key(key, label, data)
            if k:
                self.facts.divisions.add(k)
                divs.append((st, en, k))
        own_subjects = [(st, en, k) for st, en, k in divs if self.is_own(k) and not in_title(st)]

        # agencies
        agencies: list[tuple[int, Agency]] = []
        for st, en, name, data in a.spans.get("agencies", []):
            if in_title(st):
                continue
            subject = next((k for dst, den, k in reversed(own_subjects) if den <= st and not k.startswith("zone:")),
                           None)
            ag = self.agency(name, data[0] if data else "", subject)
            if ag:
                self.facts.agencies.add(ag)
                agencies.append((st, ag))

        # regulations (everywhere but furniture)
        for st, en, title, _ in a.spans.get("regulations", []):
            issuer = next((k for dst, den, k in divs if st < dst < en), None)
            verbatim = self.text[s.start + st + 1:s.start + en - 1].strip()   # the title as written
            self.facts.regulations.append(Regulation(verbatim, regulation_kind(title), issuer, ev))

        # practices
        prac = [(st, en, slug) for st, en, slug, _ in a.spans.get("practices", []) if not slug.startswith("“")]
        cands = [(st, en, term) for st, en, term, _ in a.spans.get("practices", []) if term.startswith("“")]
        slugs = {p for _, _, p in prac}
        for fam in sorted(spelled_out(slugs) - slugs):
            first = min(st for st, _, p in prac if p in lexicon.practices()[fam].parts)
            prac.append((first, first, fam))
        self.facts.practices.update(p for _, _, p in prac)
        for st, en, term in cands:
            self.facts.candidates.append(Candidate(term, ev))
        honours = [(m.end(), m.end() + len(m.group(1))) for m in AWARD_NAMES.finditer(t)]
        prac_acts = [p for p in prac if not any(hs <= p[0] < he for hs, he in honours)]
        if prac_acts:
            self.last_practice = (s.paragraph, prac_acts[-1][2])
            if self.topic is None or self.topic[0] != s.paragraph:
                self.topic = (s.paragraph, prac_acts[0][2])

        # Event years: not a period's start (2015年以来), not inside a title or a span of years (2021-2025年).
        years = [(st, int(y)) for st, en, y, _ in a.spans.get("years", [])
                 if not in_title(st) and not re.match(r"\s*(以来|来|至今|起)", t[en:en + 3])
                 and not re.search(r"\d{4}\s*[-—~至到]\s*$", t[max(0, st - 8):st])
                 and not re.match(r"\s*[-—~至到]\s*\d{4}", t[en - 1:en + 8])]

        if s.zone == "problems" or (lexicon.PROBLEM_CUE.search(t) and s.zone != "heading" and not
                                     re.search(r"(解决|化解|整改|破解|针对)", t)):
            self.facts.statements.append(Statement("problem", tuple(sorted(slugs)), ev))
            return
        if s.zone == "plans" or lexicon.PLAN_CUE.match(t):
            self.facts.statements.append(Statement("plan", tuple(sorted(slugs)), ev))
            return

        self.adoptions(t, ev, prac_acts, divs, own_subjects, years, agencies)
        self.spreads(t, ev, prac_acts, divs, own_subjects, years, s.paragraph)
        self.outcomes(a, ev, prac, own_subjects, years, s.paragraph)
        self.awards(t, ev, own_subjects, years)

    # ---------------------------------------------------------------- helpers
    def year_at(self, years: list[tuple[int, int]], pos: int) -> int | None:
        before = [y for st, y in years if st <= pos]
        if before:
            return before[-1]
        if len({y for _, y in years}) == 1:
            return years[0][1]
        return self.ctx.year

    def subject_at(self, own: list[tuple[int, int, str]], pos: int, t: str) -> str | None:
        """The nearest own division named before `pos`, in the clause structure of `t`."""
        best = None
        for st, en, k in own:
            if en <= pos:
                between = t[en:pos]
                # A list of places (沙坡头区、中宁县、海原县和…) or a place in a prepositional phrase is
                # not the subject: 在中宁县…, 对海原县… ; the subject stands at a clause start.
                lead = t[max(0, st - 1):st]
                if lead in ("在", "对", "向", "与", "和", "、", "及", "到", "赴", "至") or t[en:en + 1] in ("、", "和", "及"):
                    continue
                if len(CLAUSE.findall(between)) > 1:
                    continue
                best = k
        return best

    def mode_at(self, t: str, cues: list[tuple[int, int, str]], st: int, en: int) -> str | None:
        """The mode of the practice at st:en, from the sentence's cues (start, end, mode)."""
        if not cues:
            return None
        clause_start = max((m.end() for m in CLAUSE.finditer(t, 0, st)), default=0)
        clause_end = next((m.start() for m in CLAUSE.finditer(t, en)), len(t))
        if "试点" in t[clause_start:clause_end] or re.search(r"试点", t[en:en + 8]):
            return "piloted"
        # Widening coverage is the more specific statement: 全面推行…向乡镇一级覆盖 is an extension.
        wide_start = max((m.end() for m in re.finditer(r"[,;:]", t[:st])), default=0)
        wide_end = next((m.start() for m in re.finditer(r"[,;:]", t[en:])), len(t) - en) + en
        if any(mode == "extended" and wide_start <= s0 < wide_end for s0, _, mode in cues) or \
                re.search(r"向[^,;。]{0,8}(覆盖|延伸)", t[clause_start:clause_end]):
            return "extended"
        before = [c for c in cues if c[1] <= st and c[0] >= clause_start]
        if before:
            return before[-1][2]
        inside = [c for c in cues if st <= c[0] < en]
        after = [c for c in cues if c[0] >= en and c[0] < clause_end]
        if after:
            return after[0][2]
        if inside:
            return inside[0][2]
        before = [c for c in cues if c[1] <= st]
        if before:
            return before[-1][2]
        return cues[0][2]   # a cue later in the sentence: 进一步简政放权,衔接落实…

    # ---------------------------------------------------------------- facts
    def adoptions(self, t, ev, prac, divs, own, years, agencies) -> None:
        if not self.ctx.division:
            return
        designator = None
        m = lexicon.DESIGNATION.search(t) or lexicon.DESIGNATION_ACTIVE.search(t)
        if m and "试点" in t:
            if m.re is lexicon.DESIGNATION:
                designator = self.designator(m.group(1))
            else:
                designator = self.ctx.division
        cues = [(c.start(), c.end(), _MODE_OF[c.group(0)]) for c in _MODE_RE.finditer(t)]
        for st, en, slug in prac:   # practices named inside an honour (荣获“…示范创建单位”) are already out
            mode = self.mode_at(t, cues, st, en)
            if mode is None:
                continue
            adopter = self.subject_at(own, st, t) or self.ctx.division
            if m and m.re is lexicon.DESIGNATION_ACTIVE and "试点" in t:
                target = [k for dst, den, k in divs if m.start(1) <= dst < m.end(1)]
                if target:
                    adopter = target[0]
            agency = next((ag.name for ast, ag in reversed(agencies) if ast < st and ag.division == adopter), None)
            self.facts.adoptions.append(Adoption(adopter, slug, mode, self.year_at(years, st),
                                                 designator if mode == "piloted" else None, ev, agency))

    def designator(self, name: str) -> str | None:
        name = name.strip()
        if name in ("自治区", "省", "省委", "自治区党委", "省政府", "自治区政府") or name.startswith(("自治区", "省")):
            return self.ctx.chain[-1] if self.ctx.chain else None
        if name.startswith(("中央", "国家") + lexicon.CENTRAL_BODIES):
            self.facts.agencies.add(Agency(name, gazetteer.NATIONAL_CODE, name))
            return "agency:" + name
        if name.startswith(("市", "州", "盟")):
            return next((c for c in self.ctx.chain if self.gaz[c].level == "prefecture"), None)
        code, _ = self.gaz.resolve(name, list(self.ctx.chain))
        return code

    def spreads(self, t, ev, prac, divs, own, years, paragraph) -> None:
        found: list[tuple[int, str, str | None]] = []   # (position, scope, origin override)
        for m in SPREAD_PROMOTE.finditer(t):
            scope = m.group("a") or m.group("b")
            scope = SCOPE_WORDS.get(scope, "全区" if scope == "全自治区" else scope)
            if "全" in scope or scope in SCOPE_WORDS.values():
                found.append((m.end() - 2, scope[scope.index("全"):] if "全" in scope else scope, None))
        for m in SPREAD_MEETING.finditer(t):
            # the practice shown is named in the meeting's title, just before 现场…会
            where = m.group("where")
            origin = None
            for st, en, k in divs:
                if m.start("where") <= st < m.end("where"):
                    origin = k
            if origin is None and SELF_REFERENCE.search(where):
                origin = self.ctx.division
            found.append((m.start("where"), SCOPE_WORDS.get(m.group("scope"), m.group("scope")), origin))
        for m in SPREAD_UPWARD.finditer(t):
            found.append((m.start(), "中央", None))
        for m in SPREAD_NATIONAL.finditer(t):
            found.append((m.start(), "全国", None))
        if not found:
            return
        seen = set()
        for pos, scope, origin in found:
            # The practice spread is the one named just before the cue (此经验在全区推广), else the first after
            # it (推广“…”工作模式), else the paragraph's topic (2019年,《法制日报》对该做法进行了报道).
            slug = practice_near(prac, pos)
            if slug is None and self.topic and self.topic[0] == paragraph:
                slug = self.topic[1]
            if slug is None:
                continue
            origin = origin or self.subject_at(own, pos, t) or self.ctx.division
            if origin is None or (slug, origin, scope) in seen:
                continue
            seen.add((slug, origin, scope))
            self.facts.spreads.append(Spread(slug, origin, scope, self.year_at(years, pos), ev))

    def outcomes(self, a: Annotated, ev, prac, own, years, paragraph) -> None:
        if not self.ctx.division:
            return
        t = a.text
        blocked = [(st, en) for st, en, _, _ in a.spans.get("practices", [])] + \
                  [(st, en) for st, en, _, _ in a.spans.get("regulations", [])] + \
                  [(m.start(), m.end()) for m in re.finditer(r"“[^”]{0,30}”", t)]
        for st, en, unit, data in a.spans.get("quantities", []):
            if any(bs <= st and en <= be for bs, be in blocked):
                continue
            value, unit, qualifier, raw = data
            clause_start = max((m.end() for m in re.finditer(r"[,;:。]", t[:st])), default=0)
            indicator = t[clause_start:st].strip() or t[en:en + 12]
            division = self.subject_at(own, st, t) or self.ctx.division
            year = self.year_at(years, st)
            if year is None and self.ctx.period and CUMULATIVE.search(t):
                year = self.ctx.period[1]
            practice = practice_near(prac, st)
            if practice is None and self.last_practice and self.last_practice[0] == paragraph:
                practice = self.last_practice[1]
            self.facts.outcomes.append(Outcome(division, indicator, value, unit, raw, qualifier, year, practice, ev))

    def awards(self, t, ev, own, years) -> None:
        for m in AWARD_CUE.finditer(t):
            rest = t[m.end():]
            names: list[tuple[int, str]] = []
            q = re.match(r"\s*(\d{4}年度?)?((?:“[^”]{2,40}”[、,和及与]?)+)", rest)
            if q and m.group(0) != "作为":
                for qm in re.finditer(r"“([^”]{2,40})”", q.group(2)):
                    names.append((m.end() + q.start(2) + qm.start(), qm.group(1)))
                tail = re.match(r"[、和及]([^“”,。;、]{3,20}?)(等|称号|荣誉)", rest[q.end():])
                if tail:
                    names.append((m.end() + q.end() + tail.start(1), tail.group(1)))
            elif m.group(0) not in ("获", "享有", "授予"):
                um = re.match(r"\s*(?:\d{4}年度?)?([^,。;:《》]{3,40}?)(?=等|称号|荣誉|并|,|。|;|$)", rest)
                tail_ok = STRICT_TAIL if m.group(0) == "作为" else AWARD_TAIL
                if um and tail_ok.search(um.group(1)):
                    names.append((m.end() + um.start(1), um.group(1)))
            if not names:
                continue
            recipient = self.subject_at(own, m.start(), t) or self.ctx.division
            if recipient is None or recipient.startswith("zone:"):
                continue
            for pos, name in names:
                self.facts.awards.append(Award(recipient, name, award_level(name), self.year_at(years, pos), ev))


def practice_near(prac: list[tuple[int, int, str]], pos: int) -> str | None:
    """The practice a figure or a cue at `pos` is about: the last one named before it, else the first after."""
    before = [p for p in prac if p[0] <= pos]
    if before:
        return before[-1][2]
    return prac[0][2] if prac else None


def award_level(name: str) -> str:
    if re.search(r"(全国|国家|中国|中央)", name):
        return "national"
    if re.search(r"(全区|自治区|全省|省级|省)", name):
        return "province"
    if re.search(r"(市级|全市)", name):
        return "prefecture"
    return "other"

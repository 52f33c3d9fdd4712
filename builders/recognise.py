"""Recognisers: find the spans of divisions, agencies, practices, regulations, quantities and years.

Each recogniser is a plain function from matching text to `Hit`s (offsets relative to that text), so
that it can be tested alone and run fast; `builders.components` wraps them as named spaCy components.
Multi-pattern lexicons are matched with Aho-Corasick automata (leftmost-longest, non-overlapping).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick
import cn2an

from govkg.builders import gazetteer, lexicon


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    label: str          # DIVISION | ZONE | AGENCY | PRACTICE | CANDIDATE | REGULATION | QUANTITY | YEAR
    key: str            # division name, practice slug, regulation title, agency name, unit …
    data: tuple = field(default=())


def _automaton(forms: dict[str, str]) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for form, key in forms.items():
        a.add_word(form, (len(form), key))
    a.make_automaton()
    return a


def _longest(a: ahocorasick.Automaton, text: str) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping matches."""
    found = sorted(((end - n + 1, end + 1, key) for end, (n, key) in a.iter(text)), key=lambda m: (m[0], -m[1]))
    out, last = [], -1
    for s, e, key in found:
        if s >= last:
            out.append((s, e, key))
            last = e
    return out


# ------------------------------------------------------------------ divisions

@lru_cache(maxsize=1)
def _division_automaton() -> ahocorasick.Automaton:
    gaz = gazetteer.load()
    forms = {}
    for name in gaz.by_short:
        forms[name] = name
    for name in gaz.by_name:
        if name not in gazetteer.NAME_STOPLIST and len(name) >= 2 and name != "中央":
            forms[name] = name
    return _automaton(forms)


_ZONE = re.compile(r"([\u4e00-\u9fff]{2,6}?)(经济技术开发区|高新技术产业开发区|高新技术开发区|高新区|开发区|工业园区|综合保税区)")
_ZONE_TRIM = re.compile(r"^.*[和与及、县区市旗]")
_NOT_ZONE = re.compile(r"[各全类级等个和该省市家批]")


@lru_cache(maxsize=2)
def _division_names(text: str) -> list[tuple[int, int, str]]:
    """Division names in `text` (cached: the division and agency recognisers both start from them)."""
    return _longest(_division_automaton(), text)


def find_divisions(text: str) -> list[Hit]:
    hits = [Hit(s, e, "DIVISION", key) for s, e, key in _division_names(text)]
    for m in _ZONE.finditer(text):
        prefix = _ZONE_TRIM.sub("", m.group(1))
        named = [h for h in hits if m.end(1) - len(prefix) <= h.start < m.end(1)]
        if named:  # 将兰州高新区 → 兰州高新区
            prefix = text[named[-1].start:m.end(1)]
        else:
            lead = _LEAD_VERB.match(prefix)
            if lead:
                prefix = prefix[lead.end():]
        start = m.end(1) - len(prefix)
        if len(prefix) < 2 or _NOT_ZONE.search(prefix):
            continue
        # A zone named after its city (兰州高新区) keeps the city as its parent hint.
        hits = [h for h in hits if not (start <= h.start and h.end <= m.end())]
        hits.append(Hit(start, m.end(), "ZONE", text[start:m.end()], (prefix,)))
    return sorted(hits, key=lambda h: h.start)


# ------------------------------------------------------------------ practices

@lru_cache(maxsize=8)
def practice_automaton(exclude: frozenset[str] = frozenset()) -> ahocorasick.Automaton:
    """The practice matcher; `exclude` leaves surface forms out (used to measure on unseen wording)."""
    return _automaton({f: slug for f, slug in lexicon.practice_surface_forms().items() if f not in exclude})


_CANDIDATE = re.compile(r"“([^“”《》\n]{2,16})”([\u4e00-\u9fff]{0,6}?)(制度|机制|模式|改革|经验|工作法|做法|品牌)")


def find_practices(text: str, automaton: ahocorasick.Automaton | None = None) -> list[Hit]:
    hits = [Hit(s, e, "PRACTICE", slug) for s, e, slug in _longest(automaton or practice_automaton(), text)]
    spans = [(h.start, h.end) for h in hits]
    for m in _CANDIDATE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        hits.append(Hit(m.start(), m.end(), "CANDIDATE", m.group(0)))
    return sorted(hits, key=lambda h: h.start)


@lru_cache(maxsize=1)
def _families() -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((slug, frozenset(e.parts)) for slug, e in lexicon.practices().items() if len(e.parts) >= 2)


def spelled_out(slugs: set[str]) -> set[str]:
    """Families all of whose parts are named (简政放权、放管结合、优化服务 → fang-guan-fu)."""
    if len(slugs) < 2:
        return set()
    return {slug for slug, parts in _families() if parts <= slugs}


# ------------------------------------------------------------------ regulations

_TITLE = re.compile(r"《([^《》\n]{1,100})》")


def find_regulations(text: str) -> list[Hit]:
    return [Hit(m.start(), m.end(), "REGULATION", m.group(1).strip()) for m in _TITLE.finditer(text)
            if m.group(1).strip()]


def regulation_kind(title: str) -> str:
    """The legal form of a titled document, from the shape of its title.

    Laws end in 法/法典; 条例 are administrative regulations unless a locality issues them; government
    rules (规章) are a province's or a prefecture's 管理办法/管理规定 (a county cannot make rules, and rules
    do not carry 人民政府 in their title); plans end in 方案/规划/纲要/要点/计划/安排/预案/目录/项目.
    """
    t = title.strip()
    while True:  # trailing (试行), (草案), (2021-2025年) …
        stripped = re.sub(r"[(（][^()（）]{1,20}[)）]$", "", t).strip()
        if stripped == t:
            break
        t = stripped
    gaz = gazetteer.load()
    local = re.match(r"^(?:[\u4e00-\u9fff]{2,12}?(?:省|市|自治区|自治州|盟|县|旗|区))", t)
    local_name = local.group(0) if local else ""
    codes = gaz.by_name.get(local_name) or []
    local_level = gaz[codes[0]].level if codes else ""
    if re.search(r"(日报|动态|杂志|报|手册|读本|丛书|研究|与法同行|函|决议|审议意见)$", t):
        return "other"
    if re.search(r"条例$", t):
        return "local_regulation" if local_name or t.startswith(("自治区", "省")) else "administrative_regulation"
    if re.search(r"法典$", t) or (re.search(r"法$", t) and len(t) >= 3 and
                                 not re.search(r"(办法|方法|做法|说法|想法|看法|释法|普法|守法|用法|学法|执法|司法|立法|依法)$", t)):
        return "law"
    if re.search(r"决定$", t):
        if re.match(r"^(国务院|中共|中央|[\u4e00-\u9fff]{0,8}人民政府|[\u4e00-\u9fff]{0,8}办公厅)", t):
            return "normative_document"
        return "local_regulation"
    if re.search(r"(方案|规划|纲要|要点|计划|目录|任务分工|路线图|安排|预案|项目)$", t):
        return "plan"
    if local_level in ("province", "prefecture") and (
            re.search(r"管理(办法|规定)$", t) and "人民政府" not in t or "规章" in t and re.search(r"(办法|规定)$", t)):
        return "government_rule"
    if re.search(r"(意见|办法|规定|细则|规则|制度|通知|决定|标准|指引|规范|守则|准则|公约|须知|机制|清单|流程)$", t):
        return "normative_document"
    return "other"


# ------------------------------------------------------------------ quantities and years

UNITS = ("个工作日", "个百分点", "平方公里", "万元", "亿元", "元", "人次", "场次", "轮次", "批次", "家次", "户次", "件次",
         "期次", "余件", "件", "个", "项", "条", "名", "人", "次", "家", "份", "起", "部", "本", "期", "户", "册", "卷",
         "场", "位", "支", "处", "类", "篇", "所", "座", "套", "台", "辆", "张", "天", "小时", "公里", "亩", "吨",
         "届", "批", "宗", "笔", "门", "节", "课时", "堂", "种", "例", "组", "单", "村", "镇", "乡", "年")
_UNIT_ALT = "|".join(sorted(set(UNITS), key=len, reverse=True))
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
QUANTITY = re.compile(
    r"(?P<pre>近|约|超过|超|逾|达到|达)?"
    r"(?:(?P<num>\d+(?:\.\d+)?)|(?P<cn>[" + _CN_DIGITS + r"]{1,6}))"
    r"(?P<mul1>万|亿)?(?P<q1>余|多)?(?P<mul2>万|亿)?(?P<q2>余|多)?"
    r"(?P<mod>大|小)?"
    r"(?:(?P<pct>%|‰)|(?P<unit>" + _UNIT_ALT + r"))"
    r"(?P<post>以上|左右|之多)?")
FRACTION = re.compile(r"(?P<den>[一二三四五六七八九十]{1,2})分之(?P<numr>[一二三四五六七八九十]{1,2})|(?P<half>一半)")
NEAR_YI = re.compile(r"近亿元")
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")
# What a number followed by these is not an outcome: dates, sessions, document numbers.
_NOT_AFTER = re.compile(r"^(月|日|号|届|中全会|大|次会议|次全会|周年|年度|年代|年以来|年来|年底|年初|年末|年前)")


def _to_number(m: re.Match) -> float | None:
    if m.group("num"):
        return float(m.group("num"))
    try:
        return float(cn2an.cn2an(m.group("cn"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def find_quantities(text: str) -> list[Hit]:
    """Numbers with their units, as (value, unit, qualifier, raw) in `data`.

    Counts with 万/亿 are multiplied out; money keeps 万元/亿元 as its unit (2918万余元 → 2918 万元).
    """
    hits: list[Hit] = []
    for m in QUANTITY.finditer(text):
        s, e = m.start(), m.end()
        before = text[max(0, s - 1):s]
        if before and (before.isdigit() or before in ".第〔[/-:年" or before.isascii() and before.isalpha()):
            continue
        if m.group("cn") and not (m.group("q1") or m.group("q2") or m.group("pre") or m.group("mul1")):
            # Bare one-character numerals are mostly names (三项制度, 四个全面, 两个全覆盖); keep counted years
            # (连续四年) and written-out amounts (一百二十件).
            written_out = len(m.group("cn")) >= 2 and re.search("[十百千]", m.group("cn")) and not m.group("mod")
            if not (written_out or m.group("unit") == "年" and text[max(0, s - 2):s] in ("连续", "坚持")):
                continue
        unit = m.group("unit") or m.group("pct")
        if unit == "年" and not m.group("cn"):
            continue  # 2020年 is a date, not a quantity
        if unit in ("村", "镇", "乡") and not m.group("num"):
            continue
        if m.group("unit") and _NOT_AFTER.match(text[m.end("unit") - len(unit):m.end("unit") + 4]) and unit in ("年", "次"):
            continue
        value = _to_number(m)
        if value is None:
            continue
        mul = m.group("mul1") or m.group("mul2")
        money = unit in ("元",)
        if unit in ("万元", "亿元"):
            pass
        elif money and mul:
            unit = mul + "元"
        elif mul:
            value *= 10_000 if mul == "万" else 100_000_000
        if unit == "余件":
            unit = "件"
        qualifier = m.group("q1") or m.group("q2") or m.group("pre") or m.group("post") or ""
        if qualifier in ("达", "达到"):
            qualifier = ""
        if m.group("pct") == "‰":
            value, unit = value / 10, "%"
        hits.append(Hit(s, e, "QUANTITY", unit, (round(value, 4), unit, qualifier, text[s:e])))
    for m in NEAR_YI.finditer(text):
        hits.append(Hit(m.start(), m.end(), "QUANTITY", "亿元", (1.0, "亿元", "近", m.group(0))))
    for m in FRACTION.finditer(text):
        if m.group("half"):
            value = 50.0
        else:
            try:
                value = round(100 * cn2an.cn2an(m.group("numr"), "smart") / cn2an.cn2an(m.group("den"), "smart"), 2)
            except (ValueError, ZeroDivisionError):
                continue
        hits.append(Hit(m.start(), m.end(), "QUANTITY", "%", (value, "%", "", m.group(0))))
    return sorted(hits, key=lambda h: h.start)


def find_years(text: str) -> list[Hit]:
    return [Hit(m.start(), m.end(), "YEAR", m.group(1)) for m in YEAR.finditer(text)]


# ------------------------------------------------------------------ agencies

_STOP = "的了在对将把被为与及等是由向从按经共已并到于,。;:、()“”《》!?\n 0123456789"


@lru_cache(maxsize=1)
def _agency_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, ahocorasick.Automaton]:
    suffix = "|".join("(?<=" + re.escape(x) + ")" for x in lexicon.AGENCY_SUFFIX)
    body = "[^" + re.escape(_STOP) + "]"
    # Division names are found by the Aho-Corasick matcher; level words and 中央 by this pattern.
    level_prefix = re.compile(r"中央|自治区|(?<![全本各城都超门集该此我们的跨])[市县区旗省州盟]")
    body_suffix = re.compile(r"(?P<body>" + body + r"{0,18})(?:" + suffix + r")")
    dept = re.compile(r"(?P<body>" + "|".join(map(re.escape, lexicon.DEPARTMENTS)) + r")(?P<suffix>局|委员会|委|厅|办公室|中心)")
    standalone = _automaton({n: n for n in lexicon.STANDALONE_AGENCIES})
    return level_prefix, body_suffix, dept, standalone


def _split_conjunction(h: Hit) -> list[Hit]:
    """市政府办和司法局 → 市政府办, 司法局; 住房和城乡建设局 stays whole."""
    name = h.key
    for i, ch in enumerate(name):
        if ch in "和及" and name[:i].endswith(lexicon.AGENCY_SUFFIX) and i >= 2:
            left = Hit(h.start, h.start + i, "AGENCY", name[:i], h.data)
            right = name[i + 1:]
            if len(right) >= 2 and right.endswith(lexicon.AGENCY_SUFFIX):
                return [left, Hit(h.start + i + 1, h.end, "AGENCY", right, ("",))]
            return [left]
    return [h]


_UNPREFIXED = re.compile(r"(委员会办公室|委员会|领导小组办公室|领导小组|调研组|工作组|服务中心|调解中心|工作站|法律顾问室|中心组)")
_VERB_INSIDE = re.compile(r"^.*(推荐|上报|报送|进驻|指导|依照|按照|根据|召开|提请|参加|邀请|联合|协调|配合|支持|督促|要求|会同)")
_LEAD_VERB = re.compile(r"^(先后|充分|积极|不断|进一步|切实|认真|严格|依法|主动|自|从|即|均|都|也|还|又|再|开展|整合|召开|成立|组建|设立|建立|依托|通过|组织|由|在|经|全市|全县|全区|各级|各类|各|建成|挂牌|联合|"
                        r"邀请|推动|推进|完善|健全|制定|印发|发挥|加强|强化|实现|开展|落实|以|与|和|及|向|对)+")
_NOT_AGENCY = re.compile(r"(会议|工作$|^[委办局厅室]|制度|机制|考核|体系|平台|^中心$)")


def _prefixes(text: str) -> list[tuple[int, int]]:
    """Where an agency name may start: a division name (中卫市, 中卫), 中央, 自治区 or a level word (市, 县 …)."""
    level_prefix = _agency_patterns()[0]
    spans = [(s, e) for s, e, _ in _division_names(text)]
    spans += [(m.start(), m.end()) for m in level_prefix.finditer(text)]
    return sorted(set(spans))


def find_agencies(text: str) -> list[Hit]:
    _, body_suffix, dept, standalone = _agency_patterns()
    hits: list[Hit] = []
    for ps, pe in _prefixes(text):
        m = body_suffix.match(text, pe)
        if not m:
            continue
        prefix = text[ps:pe]
        name = text[ps:m.end()]
        rest = name[len(prefix):]
        nxt = text[m.end():m.end() + 1]
        # Short suffixes only close short names: 市委, 市政府, 市人大, 市委依法治市办 — not 法治政府, 管理办(法).
        if name.endswith(("政府", "人大")) and rest not in ("政府", "人民政府", "人大", "人大常委会"):
            continue
        if name.endswith("办") and (len(rest) > 7 or nxt in "法公理事"):
            continue
        if name.endswith("委") and (len(rest) > 6 or nxt in "员托"):
            continue
        if _NOT_AGENCY.search(rest or "x") and not name.endswith(("委员会", "办公室")):
            continue
        if len(name) < 2 or not rest or name in ("市区", "县区", "区县", "市县", "省市"):
            continue
        hits.append(Hit(ps, m.end(), "AGENCY", name, (prefix,)))
    for m in dept.finditer(text):
        hits.append(Hit(m.start(), m.end(), "AGENCY", m.group(0), ("",)))
    for s, e, key in _longest(standalone, text):
        hits.append(Hit(s, e, "AGENCY", key, ("",)))
    for m in _UNPREFIXED.finditer(text):
        i = m.start()
        while i > 0 and text[i - 1] not in _STOP and m.start() - i < 14:
            i -= 1
        inside = _VERB_INSIDE.match(text[i:m.start()])
        if inside:
            i += inside.end()
        lead = _LEAD_VERB.match(text[i:m.start()])
        if lead:
            i += lead.end()
        if m.start() - i < 2:
            continue
        hits.append(Hit(i, m.end(), "AGENCY", text[i:m.end()], ("",)))
    hits = [part for h in hits for part in _split_conjunction(h)]
    # Overlaps: keep the longest (中卫市委全面依法治市委员会办公室 over 中卫市委).
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            if h.end > out[-1].end and h.start == out[-1].start:
                out[-1] = h
            continue
        out.append(h)
    return out

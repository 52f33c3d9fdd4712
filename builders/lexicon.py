"""Lexicons the recognisers match with: the practice vocabulary (read from the ontology's SKOS scheme),
cue phrases for adoption modes, and the generic vocabulary of Chinese government bodies.

Everything here is general knowledge about how these reports are written, not about any one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, SKOS

from govkg.namespace import GOV, ID_IRI
from govkg.ontology import path as ontology_path

QUOTES = "“”\"‘’'「」『』"
_STRIP_QUOTES = str.maketrans("", "", QUOTES)


@dataclass(frozen=True)
class PracticeEntry:
    slug: str
    zh: str
    en: str
    broader: str | None
    parts: tuple[str, ...]
    labels: tuple[str, ...]


@lru_cache(maxsize=1)
def practices() -> dict[str, PracticeEntry]:
    """The practice scheme of ``ontology/practices.ttl`` keyed by slug."""
    g = Graph()
    g.parse(ontology_path("practices.ttl"), format="turtle")
    prefix = ID_IRI + "practice/"
    out: dict[str, PracticeEntry] = {}
    for p in sorted(g.subjects(RDF.type, GOV.Practice)):
        slug = str(p)[len(prefix):]
        zh = en = ""
        for lab in g.objects(p, SKOS.prefLabel):
            if lab.language == "zh":
                zh = str(lab)
            elif lab.language == "en":
                en = str(lab)
        alts = sorted(str(a) for a in g.objects(p, SKOS.altLabel))
        broader = next((str(b)[len(prefix):] for b in g.objects(p, SKOS.broader)), None)
        parts = tuple(sorted(str(x)[len(prefix):] for x in g.objects(p, DCTERMS.hasPart)))
        out[slug] = PracticeEntry(slug, zh, en, broader, parts, tuple([zh] + alts))
    return out


def practice_surface_forms() -> dict[str, str]:
    """Every surface form that names a practice → its slug.

    Each label is used as written and with its quotation marks removed (reports quote inconsistently:
    “放管服” / 放管服).  A form claimed by two practices goes to the narrower one.
    """
    forms: dict[str, str] = {}
    entries = practices()

    def depth(slug: str) -> int:
        d = 0
        while entries[slug].broader:
            slug = entries[slug].broader
            d += 1
        return d

    for slug in sorted(entries, key=depth):
        for label in entries[slug].labels:
            for form in {label, label.translate(_STRIP_QUOTES)}:
                if len(form) >= 2:
                    forms[form] = slug
    return forms


def ancestors(slug: str) -> list[str]:
    entries = practices()
    out = []
    while slug in entries and entries[slug].broader:
        slug = entries[slug].broader
        out.append(slug)
    return out


# ------------------------------------------------------------------ adoption modes
# Ordered longest first within a mode; conflicts between modes are settled by the nearest cue.
MODE_CUES: dict[str, tuple[str, ...]] = {
    "piloted": ("试点",),
    "extended": ("全覆盖", "实现覆盖", "覆盖率", "覆盖到", "延伸至", "延伸到", "推广到", "推广至", "全面铺开", "拓展至",
                 "已发展", "全部建成", "推广"),
    "deepened": ("深化", "深入推进", "纵深推进", "深入实施", "深入开展", "健全完善", "健全", "完善", "创新发展",
                 "不断强化", "持续强化", "提档升级", "巩固", "进一步"),
    "promoted": ("积极推进", "协同推进", "全面推进", "稳步推进", "加快推进", "扎实推进", "大力推进", "推进", "推动",
                 "继续"),
    "adopted": ("建立健全", "建立完善", "全面推行", "全面实行", "全面落实", "全面实施", "建立", "制定", "启动", "进行",
                "梳理", "利用", "作为", "实行", "推行", "落实", "成立", "开展",
                "实施", "执行", "出台", "印发", "组建", "设立", "构建", "打造", "探索", "引入", "启用", "开通", "上线",
                "搭建", "创新", "坚持", "严格", "运用", "形成", "建成", "配备", "聘请", "实现", "举办", "采取",
                "组织", "规范", "强化", "加强", "抓好", "发挥", "用好", "培养", "培育", "评查", "清理", "公开", "公示",
                "审查", "审核", "备案", "创建", "编制", "发布", "召开", "开设", "推出"),
}

# Clause-level cues that make a sentence something other than a report of work done.
PLAN_CUE = re.compile(r"(下一步|今后|明年|将进一步|将继续|将全面|将着力|计划|拟于|力争|争取)")
PROBLEM_CUE = re.compile(r"(不到位|不够|不足|不强|不高|有待|差距|短板|薄弱|滞后|欠缺|尚未|还未|还没有|跟不上|不相适应|老龄化)")
DESIGNATION = re.compile(r"(?:被|由)([^,。;、]{1,14}?)(?:确定|列为|确立|选定|批准|命名|纳入)为?")
DESIGNATION_ACTIVE = re.compile(r"将([^,。;]{2,14}?)(?:确定|列为|确立|选定)为")

# ------------------------------------------------------------------ agencies
# Standard names of departments and bodies of Chinese local government and Party committees.
DEPARTMENTS = (
    "住房和城乡建设", "市场监督管理", "审批服务管理", "行政审批服务", "政务服务管理", "政务服务", "生态环境", "自然资源",
    "司法", "公安", "教育", "财政", "民政", "人力资源和社会保障", "人社", "卫生健康", "卫健", "文化旅游", "文旅",
    "文化和旅游", "交通运输", "农业农村", "水利", "水务", "林业和草原", "林草", "应急管理", "退役军人事务", "审计",
    "统计", "税务", "商务", "科技", "工业和信息化", "工信", "发展和改革", "发展改革", "发改", "城市管理", "城管",
    "综合执法", "综合行政执法", "医疗保障", "医保", "信访", "国资", "机关事务管理", "大数据", "投资促进", "乡村振兴",
    "扶贫", "粮食和物资储备", "档案", "地方志", "民族宗教事务", "民族事务", "体育", "外事", "金融", "网信",
)
AGENCY_SUFFIX = (
    "人民政府办公室", "人民政府", "人大常委会", "人民代表大会常务委员会", "政协", "人民法院", "中级人民法院",
    "人民检察院", "检察院", "法院", "党委", "党校", "行政学院", "委员会办公室", "委员会", "领导小组办公室",
    "领导小组", "工作组", "调研组", "督查组", "办公室", "办公厅", "中心组", "中心", "工作站", "服务站", "司法所",
    "派出所", "法律顾问室", "局", "厅", "委", "办", "政府", "人大", "室",
)
# Central bodies: their jurisdiction is the central level (中央), and a pilot they designate is national.
CENTRAL_BODIES = ("国务院", "中办", "国办", "中共中央", "全国人大常委会", "全国人大", "最高人民法院", "最高人民检察院",
                  "司法部")
# Bodies whose name needs no prefix to be an agency.
STANDALONE_AGENCIES = CENTRAL_BODIES + ("人民法院", "人民检察院", "仲裁委员会", "司法所", "派出所", "公安派出所")
LEVEL_PREFIX = ("自治区", "市", "县", "区", "旗", "省", "州", "盟", "镇", "乡")

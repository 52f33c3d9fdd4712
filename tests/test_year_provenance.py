"""Year provenance, learning links and designation levels (issue 14), on report-style texts through the real
pipeline: where each year was read, months, who learned from whom, and the level of a designating body."""
from __future__ import annotations

from govkg.builders.pipeline import build_text
from govkg.namespace import GOV, TIME, Level, YearSource

REPORT = """盐池县2021年法治政府建设情况报告
发布机构:盐池县人民政府

2021年,盐池县坚持以习近平法治思想为指导,扎实推进法治政府建设。
一、2020年主要工作
(一)化解矛盾纠纷。全县全面推行行政执法“三项制度”。2019年,盐池县学习推广吴忠市“塞上枫桥”经验,建立矛盾纠纷多元化解机制。
(二)推进试点。2018年12月,盐池县被宁夏回族自治区人民政府确定为全区公共法律服务体系建设试点。
二、其他工作
我县深化“放管服”改革,共办理审批事项120件。
"""


def _facts():
    return build_text(REPORT, "yanchi.txt")


def test_years_say_where_they_were_read():
    f = _facts().facts
    by_practice = {a.practice: a for a in f.adoptions}
    # under a heading that names 2020: the heading dates it
    tes = by_practice["three-enforcement-systems"]
    assert (tes.year, tes.year_source) == (2020, YearSource.CONTEXT)
    # a year in the sentence itself, with its month
    pls = by_practice["public-legal-services"]
    assert (pls.year, pls.year_source, pls.month) == (2018, YearSource.STATED, 12)
    # a section whose heading names no year: the report's year, an upper bound
    fgf = by_practice["fang-guan-fu"]
    assert (fgf.year, fgf.year_source) == (2021, YearSource.REPORT)
    assert all(o.year_source is YearSource.REPORT for o in f.outcomes if "120" in o.raw)


def test_a_learning_link_points_from_the_place_learned_from_to_the_learner():
    f = _facts().facts
    (link,) = f.learnings
    assert (link.origin, link.learner) == ("640300", "640323")     # 吴忠市 → 盐池县, never the reverse
    assert (link.practice, link.year, link.year_source) == ("saishang-fengqiao", 2019, YearSource.STATED)


def test_a_provincial_designation_records_the_agency_and_its_level():
    f = _facts().facts
    (pilot,) = [a for a in f.adoptions if a.practice == "public-legal-services"]
    assert pilot.designated_by.name == "宁夏回族自治区人民政府"
    assert pilot.designation_level is Level.PROVINCE


def test_a_prefecture_body_over_a_county_is_a_prefectural_designation():
    text = ("同心县2021年法治政府建设情况报告\n发布机构:同心县人民政府\n\n"
            "同心县被吴忠市人民政府确定为全市行政执法“三项制度”改革试点。\n")
    (pilot,) = [a for a in build_text(text, "tongxin.txt").facts.adoptions if a.designated_by]
    assert pilot.designation_level is Level.PREFECTURE


def test_the_graph_carries_year_sources_months_and_learning_links():
    lines = "".join(_facts().nquads)
    assert f"<{GOV.yearSource}> <{GOV.StatedYear}>" in lines
    assert f"<{GOV.yearSource}> <{GOV.ContextYear}>" in lines
    assert f"<{GOV.yearSource}> <{GOV.ReportYear}>" in lines
    assert f'<{TIME.inXSDgYearMonth}> "2018-12"' in lines
    assert f"<{GOV.designationLevel}> <{GOV.Province}>" in lines
    assert f"<{GOV.learner}> <https://w3id.org/govkg/id/division/640323>" in lines
    assert f"a <{GOV.Learning}>" not in lines and f"> <{GOV.Learning}> " in lines


def test_a_period_opening_a_paragraph_does_not_date_it():
    text = ("赤峰市2020年法治政府建设情况报告\n发布机构:赤峰市人民政府\n\n"
            "2015年以来,赤峰市扎实推进法治政府建设。全市全面推行行政执法“三项制度”。\n")
    (a,) = [a for a in build_text(text, "chifeng.txt").facts.adoptions]
    assert (a.year, a.year_source) == (2020, YearSource.REPORT)

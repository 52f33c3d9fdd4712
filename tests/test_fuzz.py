"""Property tests: whatever the text, the builder does not crash, quotes are exact, output is valid RDF."""
from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings, strategies as st

from govkg.builders.pipeline import build_bytes, build_text
from govkg.builders.text import DecodeError
from govkg.kg.store import GraphStore

FRAGMENTS = ["宁夏回族自治区中卫市", "2020年,", "2018 年11 月", "我市", "全县", "中卫市", "海原县", "兰州高新区",
             "被国务院确定为", "试点", "全面推行", "行政执法“三项制度”", "“放管服”改革", "新时代“枫桥经验”",
             "《中卫市养犬管理办法(试行)》", "《《嵌套》》", "“", "”", "《", "》", "办理案件1.12万余件",
             "三分之一", "近亿元", "95.33%", "此经验在全区推广", "现场观摩会在我市召开", "荣获“全国先进单位”",
             "存在的问题\n", "下一步\n", "一、", "(一)", "。", ",", "\n", "\u3000", "\x00", "\x1b", "\ufeff",
             "\u202e", "𠀀", "٣", "ⅷ", "<script>alert(1)</script>", '"><img src=x>', "\\", '"', "\r\n"]

report_like = st.lists(st.sampled_from(FRAGMENTS), min_size=0, max_size=60).map("".join)
any_text = st.text(st.characters(blacklist_categories=()), max_size=400)
long_line = st.integers(1, 30).map(lambda n: "“" * n + "三项制度" + "》" * n + "中卫市全面推行" * n * 50)


def check(result, text: str) -> None:
    text = result.text
    for group in (result.facts.adoptions, result.facts.outcomes, result.facts.spreads, result.facts.awards,
                  result.facts.regulations, result.facts.statements, result.facts.candidates):
        for fact in group:
            e = fact.evidence
            assert 0 <= e.start < e.end <= len(text)
            assert text[e.start:e.end] == e.quote
    quads = list(ox.parse("".join(result.nquads), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(result.nquads)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(report_like, any_text, long_line))
def test_builder_never_crashes_and_quotes_are_exact(text):
    result = build_text(text, "fuzz.txt")
    check(result, text)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_either_build_or_fail_cleanly(data):
    try:
        result = build_bytes(data, "fuzz.bin")
    except DecodeError as e:
        assert "fuzz.bin" in str(e)
        return
    check(result, result.text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like)
def test_output_conforms_to_the_shapes(text):
    from govkg import KnowledgeGraph
    store = GraphStore()
    store.add_ontology_data()
    result = build_text(text, "fuzz.txt")
    store.replace_graph(result.graph, result.nquads)
    conforms, report = KnowledgeGraph(store).validate()
    assert conforms, report


def test_an_impossible_date_in_the_header_is_not_the_report_date():
    """Found by the shapes test above: a percentage run into a month (2018 年11 月95.33%) was read as a date."""
    from govkg.builders.pipeline import build_text
    text = "某某县2018年法治政府建设情况报告\n2018 年11 月95.33%的事项实现网上办理。\n发布时间:2019年1月8日\n"
    assert build_text(text, "r.txt").facts.date == "2019-01-08"

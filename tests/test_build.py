"""The real pipeline on the bundled reports: the facts that come out, with exact evidence."""
from __future__ import annotations

from pathlib import Path

import pytest

ADOPTION = """
SELECT DISTINCT ?a ?mode ?year ?designator ?quote ?start ?end ?report WHERE {
  ?a a gov:Adoption ; gov:adopter ?d ; gov:practice ?p ; gov:mode ?m ; gov:evidence ?e .
  ?d rdfs:label ?division . ?p skos:notation ?practice .
  ?e gov:quote ?quote ; gov:start ?start ; gov:end ?end ; gov:inReport ?r . ?r gov:sourceName ?report .
  OPTIONAL { ?a gov:year ?year }
  OPTIONAL { ?a gov:designatedBy ?dd . ?dd rdfs:label ?designator }
  BIND(LCASE(STRAFTER(STR(?m), "#")) AS ?mode)
}"""


def adoptions(kg, division: str, practice: str) -> list[dict]:
    from pyoxigraph import Literal
    rows = kg.store.query(ADOPTION.replace("SELECT DISTINCT ?a", "SELECT DISTINCT ?division ?practice ?a"),
                          {"division": Literal(division, language="zh"), "practice": Literal(practice)})
    return rows.rows


@pytest.mark.parametrize("division, practice, mode, year, designator", [
    ("中卫市", "three-enforcement-systems", "piloted", 2017, "国务院"),
    ("同心县", "three-enforcement-systems", "extended", 2020, None),
    ("吴忠市", "saishang-fengqiao", "adopted", 2021, None),
    ("兰州市", "fang-guan-fu", "deepened", 2019, None),
])
def test_headline_adoptions(kg, texts, division, practice, mode, year, designator):
    rows = adoptions(kg, division, practice)
    match = [r for r in rows if r["mode"] == mode and r["year"] == year]
    assert match, f"no {mode} adoption of {practice} by {division} in {year}: {rows}"
    if designator:
        assert any(r["designator"] == designator for r in match)
    for r in match:
        assert texts[r["report"]][r["start"]:r["end"]] == r["quote"]


def test_fengqiao_brand_is_narrower_than_the_family(kg):
    rows = kg.query("adopters", practice="fengqiao-experience")
    assert {"吴忠市", "兰州市"} <= {r["division"] for r in rows}
    assert any(r["practiceLabel"] == "塞上枫桥" for r in rows)


def test_every_evidence_quote_is_the_text_at_its_offsets(kg, texts):
    rows = kg.store.query("""SELECT DISTINCT ?e ?quote ?start ?end ?report WHERE {
        ?e a gov:Evidence ; gov:quote ?quote ; gov:start ?start ; gov:end ?end ; gov:inReport ?r .
        ?r gov:sourceName ?report }""").rows
    assert len(rows) > 300
    bad = [r for r in rows if texts[r["report"]][r["start"]:r["end"]] != r["quote"]]
    assert not bad


def test_reports_know_who_reports_and_when(kg):
    rows = {r["report"]: r for r in kg.query("reports")}
    assert rows["000_5b05b909241fc83c.txt"]["division"] == "中卫市"
    assert rows["001_71049110a64369f6.txt"]["division"] == "同心县"
    assert rows["001_71049110a64369f6.txt"]["year"] == 2020
    assert rows["003_dd39eb5c52be5ade.txt"]["year"] == 2021
    assert rows["002_ec20e51193bd3e3a.txt"]["division"] == "赤峰市"
    assert rows["004_cf16352dc10b8b11.txt"]["division"] == "兰州市"


def test_divisions_carry_codes_levels_parents_and_coordinates(kg):
    rows = kg.store.query("""SELECT ?code ?level ?parent ?lat WHERE {
        ?d gov:adcode ?code ; gov:level ?l ; schema:latitude ?lat . OPTIONAL { ?d gov:partOf/gov:adcode ?parent }
        BIND(STRAFTER(STR(?l), "#") AS ?level) }""").rows
    by_code = {r["code"]: r for r in rows}
    assert by_code["640522"]["parent"] == "640500"      # 海原县 → 中卫市
    assert by_code["640500"]["parent"] == "640000"      # 中卫市 → 宁夏回族自治区
    assert by_code["640500"]["level"] == "Prefecture"
    assert by_code["150426"]["level"] == "County"       # 翁牛特旗, a banner
    assert 37 < by_code["640500"]["lat"] < 38


def test_plans_and_problems_are_not_adoptions(kg):
    rows = kg.store.query("""SELECT ?quote WHERE { ?p a gov:Plan ; gov:evidence/gov:quote ?quote }""").rows
    plan_quotes = {r["quote"] for r in rows}
    assert any("下一步" in q or "进一步" in q for q in plan_quotes)
    adoption_quotes = {r["quote"] for r in kg.store.query(
        "SELECT ?quote WHERE { ?a a gov:Adoption ; gov:evidence/gov:quote ?quote }").rows}
    assert not plan_quotes & adoption_quotes


def test_development_zone_is_kept_without_an_invented_code(kg):
    rows = kg.store.query("""SELECT ?label ?code ?parent WHERE { ?z gov:level gov:Zone ; rdfs:label ?label ;
        gov:partOf/rdfs:label ?parent OPTIONAL { ?z gov:adcode ?code } }""").rows
    zones = {r["label"]: r for r in rows}
    assert zones["海兴开发区"]["code"] is None and zones["海兴开发区"]["parent"] == "中卫市"
    assert zones["兰州高新区"]["parent"] == "兰州市"


def test_agencies_are_linked_to_their_division(kg):
    rows = kg.store.query("""SELECT ?name ?division WHERE { ?a a gov:Agency ; rdfs:label ?name ;
        gov:jurisdiction/rdfs:label ?division }""").rows
    names = {(r["name"], r["division"]) for r in rows}
    assert ("中卫市司法局", "中卫市") in names
    assert ("国务院", "中央") in names


def test_regulations_have_titles_and_kinds(kg):
    rows = {r["regulation"]: r["kind"] for r in kg.query("most-cited-regulations")}
    assert rows["重大行政决策程序暂行条例"] == "AdministrativeRegulation"
    assert rows["民法典"] == "Law"
    assert rows["2020年中卫市法治政府建设工作要点"] == "PlanDocument"


def test_outcomes_convert_multipliers_and_keep_qualifiers(kg):
    rows = kg.store.query("""SELECT ?raw ?value ?unit ?q WHERE { ?o a gov:Outcome ; gov:raw ?raw ; gov:value ?value ;
        gov:unit ?unit OPTIONAL { ?o gov:qualifier ?q } }""").rows
    by_raw = {r["raw"]: r for r in rows}
    assert by_raw["1.12万余人次"]["value"] == 11200 and by_raw["1.12万余人次"]["unit"] == "人次"
    assert by_raw["1.12万余人次"]["q"] == "余"
    assert by_raw["2918万余元"]["value"] == 2918 and by_raw["2918万余元"]["unit"] == "万元"
    assert by_raw["95.33%"]["value"] == 95.33 and by_raw["95.33%"]["unit"] == "%"


def test_spread_statements_name_origin_and_scope(kg):
    rows = kg.query("spread-statements")
    found = {(r["from"], r["scope"]) for r in rows}
    assert ("中卫市", "全区") in found                  # 现场观摩会在中卫市举行
    assert ("海原县", "全区") in found                  # 现场推进会在我市海原县召开


def test_the_sentence_prefilter_changes_no_fact(texts, tmp_path):
    """spaCy runs only on candidate sentences; annotating every sentence must give the same graph."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_generate", Path(__file__).parents[1] / "bench" / "generate.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from govkg.builders.pipeline import build_text
    from govkg.builders.prefilter import candidates
    from govkg.builders.text import normalise, sentences

    synthetic = {p.name: p.read_text(encoding="utf-8") for p in bench.generate(30, tmp_path, seed=11)}
    skipped = 0
    for name, text in {**texts, **synthetic}.items():
        fast, full = build_text(text, name), build_text(text, name, select=False)
        assert fast.nquads == full.nquads, name
        norm = normalise(text)
        skipped += candidates(norm, sentences(norm)).count(False)
    assert skipped > 100          # the prefilter does leave sentences out


def test_components_are_configured_by_name_and_instance_names_are_free():
    import spacy
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "govkg.chars.v1"}}})
    nlp.add_pipe("govkg_years", name="event_years")
    nlp.add_pipe("govkg_practices", config={"exclude": ["放管服", "放管服改革", "“放管服”改革"]})
    doc = nlp("2019年起深化“放管服”改革,推行行政执法“三项制度”")
    assert [s.text for s in doc.spans["years"]] == ["2019年"]
    # with its wording left out, 放管服 is no longer known: its quoted form is kept as a candidate practice,
    # named in its normal form (no quotation marks)
    assert [s.kb_id_ for s in doc.spans["practices"]] == ["放管服改革", "three-enforcement-systems"]

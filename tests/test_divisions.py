"""Divisions down to townships, through the real pipeline: a township's own report, names inside other
words, the code a report's year picks, and the warning for a report whose division is not found."""
from __future__ import annotations

from click.testing import CliRunner

from govkg.builders.pipeline import build_text
from govkg.cli import main

TOWNSHIP_REPORT = (
    "2022年留下街道法治政府建设工作报告\n"
    "2022年,留下街道在区委、区政府的正确领导下,深入学习贯彻习近平法治思想。\n"
    "我街道坚持和发展新时代“枫桥经验”,全面推行行政执法公示制度。\n"
)


def test_a_township_report_attributes_its_practices_to_the_township():
    r = build_text(TOWNSHIP_REPORT, "t.txt")
    assert r.facts.division == "330106/留下街道"
    adopters = {a.adopter for a in r.facts.adoptions}
    assert adopters == {"330106/留下街道"}
    node = "<https://w3id.org/govkg/id/division/330106/留下街道>"
    lines = [ln for ln in r.nquads if ln.startswith(node)]
    assert any("#partOf> <https://w3id.org/govkg/id/division/330106>" in ln for ln in lines)
    assert any("#level> <https://w3id.org/govkg/ontology#Township>" in ln for ln in lines)
    assert not any("#adcode>" in ln for ln in lines)         # a township has no GB/T 2260 code


def test_a_township_is_settled_by_the_county_named_before_it():
    r = build_text("2021年清城区法治政府建设情况报告\n2021年,清城区东城街道全面推行行政执法公示制度。\n", "q.txt")
    assert "441802/东城街道" in r.facts.divisions          # 东城街道 stands under some forty counties


def test_names_inside_other_words_are_not_divisions():
    r = build_text("2021年宜昌市法治政府建设情况报告\n2021年,宜昌市创建全国法治政府建设示范县,"
                   "建成县级矛盾纠纷调处化解中心,县人民法院和县人民检察院联合普法,提高城乡基层治理水平。\n", "y.txt")
    assert r.facts.divisions == {"420500"}
    assert not any("调处化解中心" in a.name and a.name.startswith(("成县", "范县")) for a in r.facts.agencies)


def test_short_names_of_autonomous_divisions_link_to_their_codes():
    r = build_text("2021年贵州省法治政府建设情况报告\n2021年,黔南州、镇宁自治县和焉耆县交流经验。\n", "g.txt")
    assert {"522700", "520423", "652826"} <= r.facts.divisions


def test_the_report_year_picks_the_code_and_a_retired_code_points_to_its_successor():
    old = build_text("2016年莱芜市法治政府建设情况报告\n2016年,莱芜市全面推行行政执法公示制度。\n", "l.txt")
    assert old.facts.division == "371200"
    assert any(ln.startswith("<https://w3id.org/govkg/id/division/371200> <http://purl.org/dc/terms/isReplacedBy> "
                             "<https://w3id.org/govkg/id/division/370100>") for ln in old.nquads)
    new = build_text("2020年莱芜市法治政府建设情况报告\n2020年,莱芜市全面推行行政执法公示制度。\n", "l2.txt")
    assert new.facts.division == "370100"


def test_build_warns_by_name_about_a_report_without_a_division(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "nowhere.txt").write_text("2021年法治政府建设情况报告\n2021年,全面推行行政执法公示制度。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(tmp_path / "g.nt")])
    assert result.exit_code == 0, result.output
    assert "nowhere.txt" in result.output and "no reporting division" in result.output

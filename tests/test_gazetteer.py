"""The gazetteer on the real package tables: townships, short and historical names, code history.

Each table row is (name as written, year or None) -> what the gazetteer must give.  The rows are real
divisions; the rules that make them work (ethnic groups stripped, suffixes, history) run over the whole
table, none is written for a row.
"""
from __future__ import annotations

import pytest

from govkg.builders import gazetteer
from govkg.builders.emit import division_iri
from govkg.namespace import ID_IRI


@pytest.fixture(scope="module")
def gaz():
    return gazetteer.load()


# name, year -> code, level, parent code
RESOLVES = [
    # townships, keyed under their county
    ("枫桥镇", None, "330681/枫桥镇", "township", "330681"),            # 诸暨市
    ("南市场街道", None, "210102/南市场街道", "township", "210102"),     # 沈阳市和平区
    ("香屯街道", 2021, "361181/香屯街道", "township", "361181"),         # 德兴市
    ("黄花塔拉苏木", None, "150525/黄花塔拉苏木", "township", "150525"),  # 奈曼旗
    ("阿西尔达斡尔民族乡", None, "654201/阿西尔达斡尔民族乡", "township", "654201"),  # 塔城市
    ("胜金乡", None, "650402/胜金乡", "township", "650402"),             # 吐鲁番市高昌区
    # autonomous counties and prefectures by their common short forms
    ("焉耆县", None, "652826", "county", "652800"),
    ("焉耆自治县", None, "652826", "county", "652800"),
    ("镇宁自治县", None, "520423", "county", "520400"),
    ("寻甸县", None, "530129", "county", "530100"),
    ("巴州", None, "652800", "prefecture", "650000"),
    ("巴音郭楞州", None, "652800", "prefecture", "650000"),
    ("黔南州", None, "522700", "prefecture", "520000"),
    ("克州", None, "653000", "prefecture", "650000"),
    ("延边州", None, "222400", "prefecture", "220000"),
    ("莫力达瓦旗", None, "150722", "county", "150700"),
    # province short names
    ("宁夏", None, "640000", "province", gazetteer.NATIONAL_CODE),
    ("内蒙古", None, "150000", "province", gazetteer.NATIONAL_CODE),
    ("广西", None, "450000", "province", gazetteer.NATIONAL_CODE),
    ("新疆", None, "650000", "province", gazetteer.NATIONAL_CODE),
    ("西藏", None, "540000", "province", gazetteer.NATIONAL_CODE),
    # traditional spellings, of full names, short forms and townships
    ("廣州市", None, "440100", "prefecture", "440000"),
    ("烏魯木齊市", None, "650100", "prefecture", "650000"),
    ("廣西", None, "450000", "province", gazetteer.NATIONAL_CODE),
    ("楓橋鎮", None, "330681/枫桥镇", "township", "330681"),
    # a merged prefecture before and after: 莱芜市 was folded into 济南市 in January 2019
    ("莱芜市", 2016, "371200", "prefecture", "370000"),
    ("莱芜市", 2018, "371200", "prefecture", "370000"),
    ("莱芜市", 2020, "370100", "prefecture", "370000"),
    ("济南市", 2016, "370100", "prefecture", "370000"),
    ("莱芜区", 2020, "370116", "county", "370100"),
    ("莱芜区", 2016, "371202", "county", "371200"),                     # then still 莱城区
    # a renamed prefecture (襄樊市 → 襄阳市, 2010): the old name counts only before the change
    ("襄樊市", 2009, "420600", "prefecture", "420000"),
    ("襄阳市", 2012, "420600", "prefecture", "420000"),
    # a county turned city: both names lead to the one code
    ("横县", 2016, "450127", "county", "450100"),
    ("横州市", 2022, "450127", "county", "450100"),
]


@pytest.mark.parametrize("name, year, code, level, parent", RESOLVES)
def test_resolves(gaz, name, year, code, level, parent):
    assert gaz.lookup(name, year) == [code]
    got, _ = gaz.resolve(name, [], year=year if year is not None else 2024)
    assert got == code
    d = gaz[code]
    assert (d.level, d.parent) == (level, parent)


# names that must not resolve as written (with a year, or with the default kinds of alias)
UNRESOLVED = [
    ("示范县", None),       # 范县 is a county; 示范县 is no name at all
    ("襄樊市", 2012),       # renamed in 2010
    ("诸暨", None),         # a bare county stem: only with context (kinds=("bare",))
    ("长治", None),         # short form that is an ordinary word (长治久安): the full name only
    ("枫桥", None),         # a township's stem
]


@pytest.mark.parametrize("name, year", UNRESOLVED)
def test_does_not_resolve(gaz, name, year):
    assert gaz.lookup(name, year) == []


# What a boundary check needs: each name's level suffix and stem (范县 = 范 + 县: in 示范县 the stem is glued
# to 示, so no division), also for names inside words of the false-hit patterns.
SUFFIXES = [
    ("范县", "410926", "范", "县"),
    ("成县", "621221", "成", "县"),
    ("和县", "340523", "和", "县"),
    ("焉耆回族自治县", "652826", "焉耆回族", "自治县"),
    ("宁夏回族自治区", "640000", "宁夏回族", "自治区"),
    ("黔南布依族苗族自治州", "522700", "黔南布依族苗族", "自治州"),
    ("枫桥镇", "330681/枫桥镇", "枫桥", "镇"),
    ("南市场街道", "210102/南市场街道", "南市场", "街道"),
    ("黄花塔拉苏木", "150525/黄花塔拉苏木", "黄花塔拉", "苏木"),
    ("阿西尔达斡尔民族乡", "654201/阿西尔达斡尔民族乡", "阿西尔达斡尔", "民族乡"),
]


@pytest.mark.parametrize("name, code, stem, suffix", SUFFIXES)
def test_level_suffix(gaz, name, code, stem, suffix):
    assert gazetteer.split_suffix(name) == (stem, suffix)
    d = gaz[code]
    assert (d.name, d.stem, d.suffix) == (name, stem, suffix)


def test_suffix_levels():
    assert [gazetteer.suffix_level(s) for s in ("县", "旗", "自治州", "镇", "街道", "苏木", "村")] == \
        ["county", "county", "prefecture", "township", "township", "township", "village"]


def test_ambiguous_names_stay_ambiguous_until_context_decides(gaz):
    assert gaz.lookup("朝阳区") == ["110105", "220104"]
    assert gaz.resolve("朝阳区", [], year=2020) == (None, ["110105", "220104"])
    assert gaz.resolve("朝阳区", ["220100", "220000"], year=2020)[0] == "220104"
    # a township name found under several counties: the report's county or prefecture picks one
    streets = gaz.lookup("东风街道")
    assert len(streets) > 3 and "230302/东风街道" in streets
    assert gaz.resolve("东风街道", ["230302", "230300", "230000"], year=2020)[0] == "230302/东风街道"
    # bare stems only on request, and then with every county that has the stem
    assert gaz.lookup("诸暨", kinds=("bare",)) == ["330681"]


def test_code_history(gaz):
    assert gaz.successor("371200") == "370100"
    assert gaz.span("371200").valid_until == "2019-01-09"
    assert gaz.code_in("371200", 2018) == "371200"
    assert gaz.code_in("371200", 2019) == "370100"
    assert gaz.code_in("370116", 2015) == "371202"      # 莱芜区 did not exist yet: its one predecessor
    assert gaz.predecessors("370116") == ["371202"]
    assert not gaz.valid_in("371200", 2020) and gaz.valid_in("371200", 2018)
    # a change the packaged list dates: 神木县 became 神木市 in April 2017
    assert gaz.span("610821").replaced_by == "610881" and gaz.span("610821").valid_until.startswith("2017")
    # changes the list leaves out are found by rule over the table (same province, same stem), undated
    assert gaz.successor("350182") == "350112"          # 长乐市 → 福州市长乐区
    assert gaz.span("350182").valid_until is None


def test_townships_hang_under_their_county(gaz):
    towns = gaz.townships("330681")
    assert "330681/枫桥镇" in towns and len(towns) >= 20
    assert all(gaz[t].parent == "330681" and gaz[t].level == "township" for t in towns)
    assert gaz.ancestors("330681/枫桥镇") == ["330681", "330600", "330000"]
    villages = gaz.villages("330681/枫桥镇")
    assert "全堂村" in villages and villages != gaz.villages("330681/店口镇")


def test_township_iris_are_stable_paths_under_the_county(gaz):
    assert division_iri("330681/枫桥镇") == ID_IRI + "division/330681/枫桥镇"
    odd = [d for d in gaz.all_divisions.values() if d.level == "township" and not d.name.isalnum()]
    assert odd, "the table has township names with other characters"
    for d in odd:
        path = d.code.split("/", 1)[1]
        assert all(ch.isalnum() or ch in "-_.~%" for ch in path), d.code


def test_the_recognisers_vocabulary_is_the_base_table(gaz):
    # Townships and the new aliases are reached through lookup(); until the recogniser checks word
    # boundaries they are not in by_name/by_short, so a build over the same reports is unchanged.
    assert "枫桥镇" not in gaz.by_name and "巴州" not in gaz.by_short
    assert gaz.candidates("中卫市") == ["640500"] and gaz.candidates("宁夏") == ["640000"]
    assert "长治" not in gaz.by_short and "城区" in gazetteer.NAME_STOPLIST

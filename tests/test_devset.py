"""The development set: real public texts the rules were not written from, with their hand annotation.

These tests keep the fixture honest (every evidence string is in its text, every text has its address, the
set covers the levels and regions it claims); the quality figures on it are in tests/test_generalisation.py.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from opencc import OpenCC

DEV = Path(__file__).parent / "fixtures" / "dev"
LEVELS = {"province", "prefecture", "county", "township", "village", "zone"}
MODES = {"adopted", "piloted", "extended", "deepened", "promoted"}
YEAR_SOURCES = {"stated", "context", "report"}
LEARNING_KINDS = {"learned", "promoted", "designated"}
SEED_DIVISIONS = ("中卫", "同心县", "赤峰", "吴忠", "兰州")
# Divisions created or renamed after the GB/T 2260 table that `cpca` ships was made (芜湖县 → 湾沚区, 2020).
NEWER_THAN_TABLE = {"湾沚区": "340221"}


@pytest.fixture(scope="module")
def sources() -> list[dict]:
    with open(DEV / "sources.tsv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def dev_gold() -> dict:
    return json.loads((DEV / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dev_texts(sources) -> dict[str, str]:
    return {f"{s['id']}.txt": (DEV / "texts" / f"{s['id']}.txt").read_text(encoding="utf-8") for s in sources}


def test_every_text_has_its_address_and_its_annotation(sources, dev_texts, dev_gold):
    assert len(sources) >= 40
    assert all(s["url"].startswith(("http://", "https://")) for s in sources)
    assert set(dev_gold) == set(dev_texts)
    assert sorted(p.name for p in (DEV / "texts").glob("*.txt")) == sorted(dev_texts)


def test_the_set_covers_regions_levels_and_kinds(sources, dev_texts):
    assert len({s["province"] for s in sources}) >= 15
    assert sum(s["level"] == "township" for s in sources) >= 6
    assert {"province", "prefecture", "county", "township"} <= {s["level"] for s in sources}
    assert any(s["kind"] == "news" for s in sources)
    t2s = OpenCC("t2s")
    traditional = [n for n, t in dev_texts.items() if sum(a != b for a, b in zip(t, t2s.convert(t), strict=False)) > 20]
    assert len(traditional) >= 3, traditional


def test_no_text_is_about_a_seed_division(sources):
    assert not [s["id"] for s in sources if any(d in s["division"] for d in SEED_DIVISIONS)]


def test_every_evidence_string_is_in_its_text(dev_gold, dev_texts):
    missing = []
    for name, g in dev_gold.items():
        for key in ("adoptions", "learning", "outcomes", "spread", "awards", "problems"):
            for item in g.get(key, []):
                ev = item.get("evidence") if isinstance(item, dict) else None
                if ev and ev not in dev_texts[name]:
                    missing.append((name, key, ev))
        for r in g.get("regulations", []):
            if r["title"] not in dev_texts[name]:
                missing.append((name, "regulations", r["title"]))
    assert not missing, missing[:10]


def test_annotation_values_are_from_the_conventions(dev_gold):
    from govkg.builders import lexicon
    known = set(lexicon.practices())
    bad = []
    for name, g in dev_gold.items():
        for d in g["divisions"]:
            if d["level"] not in LEVELS:
                bad.append((name, "division", d["name"]))
            if d["adcode"] and not (len(d["adcode"]) == 6 and d["adcode"].isdigit()):
                bad.append((name, "adcode", d["adcode"]))
        for a in g["adoptions"]:
            dated = a["year_source"] in YEAR_SOURCES or (a["year"] is None and a["year_source"] is None)
            if a["mode"] not in MODES or not dated or not a["practice_name"]:
                bad.append((name, "adoption", a["evidence"]))
            if a["practice"] is not None and a["practice"] not in known:
                bad.append((name, "practice id", a["practice"]))
        for link in g.get("learning", []):
            if link["kind"] not in LEARNING_KINDS:
                bad.append((name, "learning", link["evidence"]))
    assert not bad, bad[:10]


def test_every_parent_is_the_real_parent(dev_gold):
    """A parent is a division the text lists, or, where the text does not name it, the real parent under
    its official name; where both codes are known the parent's code is the child's parent in GB/T 2260."""
    from govkg.builders import gazetteer
    gaz = gazetteer.load()
    bad = []
    for name, g in dev_gold.items():
        listed = {d["name"]: d for d in g["divisions"]}
        for d in g["divisions"]:
            if not d["parent"]:
                continue
            if d["parent"] in listed:
                parent_codes = [listed[d["parent"]]["adcode"]] if listed[d["parent"]]["adcode"] else []
            else:
                parent_codes = gaz.by_name.get(d["parent"]) or [NEWER_THAN_TABLE.get(d["parent"])]
                if parent_codes == [None]:
                    bad.append((name, d["name"], d["parent"], "not a division"))
                    continue
            if d["adcode"] in gaz and parent_codes and gaz[d["adcode"]].parent not in parent_codes:
                bad.append((name, d["name"], d["parent"], "not its parent"))
    assert not bad, bad[:10]

"""Every named query, run on the bundled corpus, with assertions on its rows."""
from __future__ import annotations

import pytest

from govkg import queries

PAYLOADS = ['"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o', "x' || 1=1 }", "} ; DROP ALL", "<http://evil/>",
            '\\" ) } UNION { ?s ?p ?o } #', "中卫市\"@zh } ", "\u0000\u202e", "1 ; CLEAR DEFAULT"]


def rows(kg, name, **params):
    return kg.query(name, **params).rows


def test_every_query_documents_itself():
    for name in queries.names():
        text = queries.load(name).text
        head = [line for line in text.splitlines() if line.startswith("#")]
        assert head and not head[0].startswith("# Parameters"), name
        assert any(line.startswith("# Parameters:") for line in head), name
        assert any(line.startswith("# Example: govkg query " + name) for line in head), name


def test_adopters_ordered_by_year_with_evidence(kg):
    r = rows(kg, "adopters", practice="three-enforcement-systems")
    assert (r[0]["division"], r[0]["mode"], r[0]["year"]) == ("中卫市", "piloted", 2017)
    years = [x["year"] for x in r if x["year"] is not None]
    assert years == sorted(years)
    assert all(x["quote"] and x["report"].endswith(".txt") for x in r)


def test_first_adopters_by_province(kg):
    r = rows(kg, "first-adopters-by-province", practice="fengqiao-experience")
    by_province = {}
    for x in r:
        by_province.setdefault(x["province"], []).append((x["division"], x["firstYear"]))
    assert by_province["甘肃省"] == [("兰州市", 2019)]
    assert all(y == 2020 for _, y in by_province["宁夏回族自治区"])


def test_pilots_and_followers_with_lag(kg):
    r = rows(kg, "pilots-and-followers", practice="three-enforcement-systems")
    followers = {(x["pilot"], x["follower"]): x["lag"] for x in r}
    assert followers[("中卫市", "同心县")] == 3       # 2017 pilot, county rollout in 2020
    assert all(x["lag"] >= 0 for x in r)


def test_division_practices(kg):
    r = rows(kg, "division-practices", division="中卫市")
    by = {x["practice"]: x for x in r}
    assert by["three-enforcement-systems"]["firstYear"] == 2017
    assert "piloted" in by["three-enforcement-systems"]["modes"]
    assert len(r) > 30


def test_shared_practices(kg):
    r = rows(kg, "shared-practices", k=15)
    assert r and all(x["shared"] >= 15 for x in r)
    assert {r[0]["a"], r[0]["b"]} == {"中卫市", "兰州市"}
    assert len(rows(kg, "shared-practices")) >= len(r)


def test_outcomes_by_practice(kg):
    r = rows(kg, "outcomes-by-practice", practice="fang-guan-fu")
    assert any(x["raw"] == "1304项" and x["division"] == "中卫市" for x in r)
    assert all(x["quote"] for x in r)


def test_regulations_with_practice(kg):
    r = rows(kg, "regulations-with-practice", practice="three-enforcement-systems")
    assert "同心县行政执法“三项制度”实施细则" in {x["regulation"] for x in r}


def test_most_cited_regulations(kg):
    r = rows(kg, "most-cited-regulations")
    assert r[0]["reports"] >= r[-1]["reports"]
    assert {"regulation": "民法典", "kind": "Law", "reports": 2} in r


def test_spread_statements(kg):
    r = rows(kg, "spread-statements", practice="fang-guan-fu")
    assert {(x["from"], x["scope"]) for x in r} >= {("兰州市", "中央"), ("兰州市", "全国")}


def test_practice_family_expands_narrower(kg):
    r = rows(kg, "practice-family", practice="fengqiao-experience")
    assert {x["narrower"] for x in r} >= {"fengqiao-experience", "saishang-fengqiao", "fengqiao-police-station"}
    assert next(x for x in r if x["narrower"] == "fengqiao-experience")["depth"] == 1


def test_reports(kg):
    r = rows(kg, "reports")
    assert [x["report"][:3] for x in r] == ["000", "001", "002", "003", "004"]
    assert all(x["adoptions"] > 10 for x in r)


@pytest.mark.parametrize("name", queries.names())
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_query_binds_hostile_parameters(kg, name, payload):
    q = queries.load(name)
    before = len(kg.store)
    for param, kind in q.parameters.items():
        value = "1" if kind.startswith("^^xsd:integer") else payload
        kg.query(name, **{param: value})
    assert len(kg.store) == before


def test_co_adopted_practices(kg):
    r = rows(kg, "co-adopted-practices", practice="fengqiao-experience")
    assert r[0]["divisions"] >= r[-1]["divisions"]
    others = {x["other"] for x in r}
    assert "three-enforcement-systems" in others and "saishang-fengqiao" not in others


def test_internal_queries_are_read_by_exact_name_and_are_not_user_queries(kg):
    internal = queries.internal_names()
    assert {"spread-adopters", "view-adoptions", "eval-outcomes", "summary-classes", "store-triples"} <= set(internal)
    assert not set(internal) & set(queries.names())
    assert queries.internal("spread-provinces").lstrip().startswith("#")
    for wrong in ("../adopters", "spread-adopters.rq", "adopters", "Spread-Adopters", ""):
        with pytest.raises(KeyError):
            queries.internal(wrong)
    # each one parses and runs on the built graph (the #VALUES ones with an empty block)
    from govkg.kg.store import values_block
    from govkg.namespace import PREFIXES
    for name in internal:
        text = queries.internal(name).replace("#VALUES", values_block("x", []), 1)
        if "CONSTRUCT" in text:
            assert kg.store.store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES), name
        else:
            assert kg.store.query(text) is not None, name


def test_no_sparql_text_in_python():
    """All SPARQL is in queries/ (named and internal): none is written as a string in the library's modules."""
    import ast
    import re
    from pathlib import Path
    root = Path(__file__).parent.parent
    sparql = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b[^{}]*\{[^}]*\?\w+", re.S)
    found = []
    for path in [*root.glob("*.py"), *(root / "kg").glob("*.py"), *(root / "builders").glob("*.py")]:
        if path.name == "cli.py":          # its help shows a curl call as an example for users
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and sparql.search(node.value):
                found.append(f"{path.name}:{node.lineno}")
    assert not found, f"SPARQL text in Python (move it to queries/internal/): {found}"

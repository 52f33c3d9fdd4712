"""The builders keep structure in Python and vocabulary in data: a budget on Chinese characters in
``builders/**/*.py``, data files that load, and controlled values that match the ontology."""
import configparser
import re
from pathlib import Path

from rdflib import RDF, Graph

from govkg.builders import vocab
from govkg.builders.prefilter import trigger_words
from govkg.builders.rules import REGISTRY, registered
from govkg.namespace import SCHEMES, AwardLevel, Level
from govkg.ontology import path as ontology_path

ROOT = Path(__file__).parents[1]
# CJK ideographs (unified, extension A, compatibility); punctuation such as “” 《》 is not counted.
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
BUDGET = 600


def test_builders_python_holds_at_most_600_chinese_characters():
    counts = {p.relative_to(ROOT).as_posix(): len(IDEOGRAPH.findall(p.read_text(encoding="utf-8")))
              for p in sorted((ROOT / "builders").rglob("*.py"))}
    total = sum(counts.values())
    assert total <= BUDGET, f"{total} Chinese characters in builders/**/*.py: " + \
        ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if v)


def test_every_data_file_loads_and_every_pattern_compiles():
    for path in sorted(vocab.DATA.glob("*.tsv")):
        rows = vocab.rows(path.stem)
        assert rows, path.name
        assert all(next(iter(r.values())) for r in rows), f"{path.name}: an empty entry"
    names = [r["name"] for r in vocab.rows("patterns")]
    assert len(names) == len(set(names))
    for name in names:
        vocab.pattern(name)
    # every {list} a pattern names exists
    for r in vocab.rows("patterns"):
        for m in re.finditer(r"\{([a-z_]+)[}.]", r["pattern"]):
            assert (vocab.DATA / f"{m.group(1)}.tsv").exists(), (r["name"], m.group(1))


def test_the_prefilter_is_derived_from_the_registered_rules():
    assert [r.name for r in registered()] == ["statement", "adoption", "spread", "learning", "outcome", "award"]
    words = trigger_words()
    for rule in REGISTRY.values():
        assert set(rule.trigger_words()) <= words
    assert set(vocab.words("award_cues")) <= words and "推广" in words


def test_controlled_values_match_the_ontology():
    g = Graph().parse(ontology_path("core.ttl"), format="turtle")
    for enum, scheme in SCHEMES.items():
        declared = set(g.subjects(RDF.type, scheme))
        terms = {m.term for m in enum if m.term is not None}
        assert terms <= declared, (enum.__name__, terms - declared)
        if enum is not AwardLevel:    # an award level is a division level, or none
            assert terms == declared, (enum.__name__, declared - terms)
    assert {m.value for m in AwardLevel} - {"other"} <= {m.value for m in Level}


def test_setup_cfg_ships_every_builders_package_and_data_file():
    """An installed (non-editable) package must hold the rules sub-package and every data and example file."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    packages = cfg["options"]["packages"].split()
    dirs = dict(line.split(" = ") for line in cfg["options"]["package_dir"].strip().splitlines())
    data = {k: [g.strip() for g in v.split(",")] for k, v in cfg["options.package_data"].items()}
    for init in (ROOT / "builders").rglob("__init__.py"):
        folder = init.parent.relative_to(ROOT).as_posix()
        package = "govkg." + folder.replace("/", ".")
        assert package in packages and dirs.get(package) == folder, package
    for path in (ROOT / "builders").rglob("*.tsv"):
        package = max((p for p in dirs if p.startswith("govkg.builders") and path.is_relative_to(ROOT / dirs[p])),
                       key=len)
        rel = path.relative_to(ROOT / dirs[package])
        assert any(rel.match(g) for g in data.get(package, [])), f"{path} is not in {package}'s package_data"

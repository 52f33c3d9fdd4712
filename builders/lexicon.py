"""The practice vocabulary the recognisers match with, read from the ontology's SKOS scheme.

The other word lists (cue phrases, names of government bodies, units) are data in ``builders/data/``,
read through `builders.vocab`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from govkg.namespace import GOV, ID_IRI
from govkg.ontology import path as ontology_path

QUOTES = "“”\"‘’'「」『』"
_STRIP_QUOTES = str.maketrans("", "", QUOTES)
_JOINERS = ("\u548c", "\u4e0e", "\u53ca")


@dataclass(frozen=True)
class PracticeEntry:
    slug: str
    zh: str
    en: str
    broader: str | None
    parts: tuple[str, ...]
    labels: tuple[str, ...]


VOCABULARY_ENV = "GOVKG_VOCABULARY"   # user vocabulary files (os.pathsep between them), read by worker processes too


def vocabulary_files() -> tuple[str, ...]:
    """The user vocabulary files in force (`use_vocabulary`): JSON lists in the format of
    ``ontology/vocabulary/practices.json`` whose entries the recognisers match beside the shipped ones."""
    return tuple(p for p in os.environ.get(VOCABULARY_ENV, "").split(os.pathsep) if p)


def use_vocabulary(paths) -> None:
    """Match the practices of these vocabulary files too (none: the shipped vocabulary alone).  Set in the
    environment, so that worker processes started afterwards match them as well."""
    files = os.pathsep.join(str(Path(p).resolve()) for p in paths)
    if files:
        os.environ[VOCABULARY_ENV] = files
    else:
        os.environ.pop(VOCABULARY_ENV, None)


def extra_entries(files: tuple[str, ...] | None = None) -> list[dict]:
    """The entries of the user vocabulary files."""
    out = []
    for f in vocabulary_files() if files is None else files:
        out.extend(json.loads(Path(f).read_text(encoding="utf-8")))
    return out


def practices() -> dict[str, PracticeEntry]:
    """The practice scheme keyed by slug: ``ontology/practices.ttl`` and the user vocabulary files."""
    return _practices(vocabulary_files())


@lru_cache(maxsize=4)
def _practices(files: tuple[str, ...]) -> dict[str, PracticeEntry]:
    g = Graph()
    g.parse(ontology_path("practices.ttl"), format="turtle")
    prefix = ID_IRI + "practice/"
    out: dict[str, PracticeEntry] = {}
    for p in sorted(g.subjects(RDF.type, GOV.Practice), key=str):
        slug = str(p)[len(prefix):]
        zh = en = ""
        for lab in g.objects(p, SKOS.prefLabel):
            if not isinstance(lab, Literal):
                continue
            if lab.language == "zh":
                zh = str(lab)
            elif lab.language == "en":
                en = str(lab)
        alts = sorted(str(a) for a in g.objects(p, SKOS.altLabel))
        broader = next((str(b)[len(prefix):] for b in g.objects(p, SKOS.broader)), None)
        parts = tuple(sorted(str(x)[len(prefix):] for x in g.objects(p, DCTERMS.hasPart)))
        out[slug] = PracticeEntry(slug, zh, en, broader, parts, tuple([zh] + alts))
    for e in extra_entries(files):
        labels = [e["zh"]] + [a for a in e.get("aliases", []) if a != e["zh"]]
        out[e["id"]] = PracticeEntry(e["id"], e["zh"], e.get("en", ""), e.get("broader"),
                                     tuple(sorted(e.get("parts", []))), tuple(labels))
    return out


def practice_surface_forms() -> dict[str, str]:
    return dict(_surface_forms(vocabulary_files()))


@lru_cache(maxsize=4)
def _surface_forms(files: tuple[str, ...]) -> dict[str, str]:
    """Every surface form that names a practice → its slug.

    Each label is used as written and with its quotation marks removed (reports quote some names and
    not others).  A form claimed by two practices goes to the narrower one.
    """
    forms: dict[str, str] = {}
    entries = practices()

    def depth(slug: str) -> int:
        d = 0
        while parent := entries[slug].broader:
            slug = parent
            d += 1
        return d

    for slug in sorted(entries, key=depth):
        for label in entries[slug].labels:
            for form in {label, label.translate(_STRIP_QUOTES)}:
                # names join their parts with 和, 与 or 及 alike (行政执法与刑事司法衔接 ~ …和…)
                for variant in {form, *(form.replace(j, k) for j in _JOINERS for k in _JOINERS if j in form)}:
                    if len(variant) >= 2 and forms.get(variant, slug) == slug or variant == form:
                        forms[variant] = slug
    return forms


def ancestors(slug: str) -> list[str]:
    entries = practices()
    out = []
    while slug in entries and (parent := entries[slug].broader):
        slug = parent
        out.append(slug)
    return out

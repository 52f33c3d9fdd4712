"""The practice vocabulary the recognisers match with, read from the ontology's SKOS scheme.

The other word lists (cue phrases, names of government bodies, units) are data in ``builders/data/``,
read through `builders.vocab`.
"""
from __future__ import annotations

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

    Each label is used as written and with its quotation marks removed (reports quote some names and
    not others).  A form claimed by two practices goes to the narrower one.
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

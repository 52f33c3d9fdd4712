"""Reference documentation of the ontology: HTML by pyLODE, a class diagram as SVG, the JSON-LD context."""
from __future__ import annotations

import html
import logging
import math
import shutil
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from govkg import ontology
from govkg.kg.store import atomic_write
from govkg.namespace import GOV_IRI


def _local(term) -> str:
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def class_diagram(g: Graph) -> str:
    """gov: classes on a circle, object properties as labelled arrows from domain to range; subclass links to
    standard classes listed under each box."""
    classes = sorted((c for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(GOV_IRI)), key=str)
    n = len(classes)
    width, height = 1600, 1150
    cx, cy, rx, ry = width / 2, height / 2, 640, 470
    pos = {c: (cx + rx * math.cos(2 * math.pi * i / n - math.pi / 2), cy + ry * math.sin(2 * math.pi * i / n - math.pi / 2))
           for i, c in enumerate(classes)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="11"><rect width="100%" height="100%" fill="white"/>',
           '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
           '<path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for prop in sorted(g.subjects(RDF.type, OWL.ObjectProperty), key=str):
        dom, rng = g.value(prop, RDFS.domain), g.value(prop, RDFS.range)
        dom_union = g.value(dom, OWL.unionOf) if dom is not None else None
        rng_union = g.value(rng, OWL.unionOf) if rng is not None else None
        doms = [dom] if dom in pos else list(g.items(dom_union)) if dom_union is not None else []
        rngs = [rng] if rng in pos else list(g.items(rng_union)) if rng_union is not None else []
        for d in doms:
            for t in rngs:
                if d in pos and t in pos and d != t:
                    (x1, y1), (x2, y2) = pos[d], pos[t]
                    out.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#999" '
                               f'marker-end="url(#a)"/>')
                    out.append(f'<text x="{(x1 + x2) / 2:.0f}" y="{(y1 + y2) / 2:.0f}" fill="#555">'
                               f'{html.escape(_local(prop))}</text>')
    for c, (x, y) in pos.items():
        label = _local(c)
        zh = next((str(lab) for lab in g.objects(c, RDFS.label) if getattr(lab, "language", None) == "zh"), "")
        parents = ", ".join(sorted(_prefixed(p) for p in g.objects(c, RDFS.subClassOf)))
        out.append(f'<rect x="{x - 85:.0f}" y="{y - 24:.0f}" width="170" height="48" rx="6" fill="#fff3c4" '
                   f'stroke="#8a6d00"/>')
        out.append(f'<text x="{x:.0f}" y="{y - 8:.0f}" text-anchor="middle" font-weight="bold">'
                   f'gov:{html.escape(label)} {html.escape(zh)}</text>')
        out.append(f'<text x="{x:.0f}" y="{y + 10:.0f}" text-anchor="middle" fill="#555">⊑ {html.escape(parents)}'
                   f'</text>')
    out.append("</svg>")
    return "\n".join(out)


def _prefixed(term) -> str:
    from govkg.namespace import PREFIXES
    for k, v in PREFIXES.items():
        if str(term).startswith(v):
            return f"{k}:{str(term)[len(v):]}"
    return str(term)


def make_docs(out: Path) -> list[Path]:
    """Write index.html (pyLODE), classes.svg and context.jsonld into `out`."""
    from pylode import OntPub
    logging.getLogger().setLevel(logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    g = Graph()
    g.parse(ontology.path("core.ttl"), format="turtle")
    page = OntPub(ontology=g).make_html(include_css=True)
    index = out / "index.html"
    atomic_write(index, lambda f: f.write(page.encode("utf-8")), 1)
    svg = class_diagram(g).encode("utf-8")
    diagram = out / "classes.svg"
    atomic_write(diagram, lambda f: f.write(svg), 1)
    context = out / "context.jsonld"
    shutil.copyfile(ontology.path(ontology.CONTEXT_FILE), context)
    return [index, diagram, context]

"""The govkg ontology as Turtle files, and where to find them.

- ``core.ttl``: classes, properties and controlled values (the contract other tools query).
- ``practices.ttl``: the SKOS scheme of practices, generated from ``vocabulary/practices.json`` (the
  practices) and ``vocabulary/chapters.json`` (the areas, its top concepts) by
  ``python -m govkg.ontology.generate``.
- ``reference.ttl``: curated public-record milestones of the main practice families.
- ``shapes.ttl``: SHACL shapes every built graph must conform to.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

ONTOLOGY_FILES = ("core.ttl", "practices.ttl", "reference.ttl")
# Loaded beside the extracted data (and exported with it): instance data only, no blank nodes.
DATA_FILES = ("practices.ttl", "reference.ttl")
SHAPES_FILE = "shapes.ttl"
CONTEXT_FILE = "context.jsonld"
VOCABULARY_FILE = "vocabulary/practices.json"
CHAPTERS_FILE = "vocabulary/chapters.json"


def path(name: str) -> Path:
    """Absolute path of a file shipped in this package, e.g. ``path("core.ttl")``."""
    return Path(str(resources.files(__name__).joinpath(name)))

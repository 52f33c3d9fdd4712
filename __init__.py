"""govkg: a knowledge graph of Chinese local-government rule-of-law practices.

Reports go through ``govkg.builders`` (text → facts → RDF with evidence), into the store in ``govkg.kg``,
and out through named SPARQL queries (``govkg.queries``), views, exports and the ``govkg`` CLI.

>>> from govkg import KnowledgeGraph
>>> kg = KnowledgeGraph.build()            # the bundled sample corpus
>>> rows = kg.query("adopters", practice="three-enforcement-systems")
>>> rows[0]["division"]
'中卫市'
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["KnowledgeGraph", "__version__"]


def __getattr__(name: str):
    # Imported lazily so that `import govkg.builders` stays light (no store, no views).
    if name == "KnowledgeGraph":
        from govkg.kg.api import KnowledgeGraph
        return KnowledgeGraph
    raise AttributeError(name)

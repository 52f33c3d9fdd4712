"""Fact rules, one per module, registered by name in `registry.REGISTRY` and run in `registry.PIPELINE` order.

Each module declares the word lists that trigger it and keeps its vocabulary in ``builders/data/``; its
examples (sentences and the facts they must yield, or that they must yield none) are in
``builders/rules/examples/<rule>.tsv`` and run by ``tests/test_examples.py``.
"""
from govkg.builders.rules import adoption, award, learning, outcome, spread, statement  # noqa: F401 - registers the rules
from govkg.builders.rules.registry import PIPELINE, REGISTRY, Rule, registered, rule

__all__ = ["PIPELINE", "REGISTRY", "Rule", "registered", "rule"]

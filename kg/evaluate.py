"""Score a built graph against hand-checked gold annotations (the `seeds_gold.json` format).

Matching rules (also printed by `govkg eval --help`):

- Reports are paired by file name (gold key = the report's gov:sourceName).
- divisions: by GB/T 2260 code; a development zone (no code) by its name.  "linked" = of the gold
  divisions whose name the graph also has, the share linked to the right code.
- agencies: names compared after removing a leading division name (中卫市司法局 ~ 市司法局 ~ 司法局 differ
  only by the prefix: a name matches when equal after that, or equal but for one level character
  市/县/区/旗/省/州); "linked" = of matched agencies, the share whose jurisdiction is the gold division.
- adoptions: (division, practice) pairs, a division compared by its GB/T 2260 code where the gold gives one
  (so 焉耆县 in the gold matches the graph's 焉耆回族自治县), else by name; a predicted practice matches its
  gold id or any narrower practice (skos:broader*).  "with mode and year" adds both to the pair.
  "attributed" = of the gold adoptions whose practice the report's graph has at all, the share attributed to
  the right division; "stated year" = of matched adoptions whose gold year is stated in the text, the share
  whose earliest predicted year is that year; "year source" = of matched adoptions whose gold gives where the
  year was read (`year_source`: stated, context, report), the share whose earliest predicted year was read there.
  Gold adoptions of a practice outside the vocabulary
  (`practice` null) are scored apart, as "new practices".
- new practices: a gold adoption with `practice` null and a `practice_name` is found when the report's graph
  holds a practice or candidate practice whose label, without quotation marks, contains that name or is
  contained in it (recall only: the gold does not list every candidate a graph may hold).
- spread: (practice, from division), same practice rule.
- learning (where the gold has a `learning` list): (from, to) pairs — learning links (gov:Learning: to = the
  learner, or the scope a promotion reached) and designations by a named body (to = the adopter) — each side
  compared like an adoption's division (by code where the gold gives one, else by name; a scope by its
  word); a gold link with a practice also needs that practice (or a narrower one), one without takes any.
- regulations: titles after NFKC and removing white space; "kind" = accuracy of the kind over matched titles.
- outcomes: (division, value, unit), values equal within 0.5 %, matched one to one; "year" = accuracy over
  matched outcomes.
- awards: (recipient, name); names match when one contains the other after removing quotation marks.

Restricting to known practices (``practices=``; `govkg eval --gold-practices` or ``--practices FILE``): a gold
file annotates the practices of the vocabulary it was written against.  Once the vocabulary grows, a true
adoption of a practice the annotators never had is scored as a false positive.  With a restriction, adoptions
and spread statements are scored only when their practice is one of the listed ids or narrower than one
(skos:broader*), on both the predicted and the gold side; the other categories are unchanged.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from govkg import queries
from govkg.kg.store import GraphStore, Rows
from govkg.kg.stores import Store

LEVEL_CHARS = "市县区旗省州盟"


@dataclass
class Score:
    """`tp`: gold items found; `matched`: predictions that match some gold item (defaults to `tp`)."""
    tp: int = 0
    pred: int = 0
    gold: int = 0
    matched: int | None = None
    extra: dict[str, float] = field(default_factory=dict)
    recall_only: bool = False      # the gold does not list every prediction: precision is not measured

    def __post_init__(self) -> None:
        if self.matched is None:
            self.matched = self.tp

    @property
    def _matched(self) -> int:
        return self.tp if self.matched is None else self.matched      # set by __post_init__

    @property
    def precision(self) -> float:
        return self._matched / self.pred if self.pred else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.matched = self._matched + other._matched
        self.pred += other.pred
        self.gold += other.gold


def _norm_title(t: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t))


def _strip_quotes(t: str) -> str:
    return re.sub(r"[“”\"'‘’《》\s]", "", unicodedata.normalize("NFKC", t))


class Scorer:
    def __init__(self, store: Store, gold: dict, division_names: list[str] | None = None,
                 practices: set[str] | None = None):
        self.store = store
        self.gold = gold
        self.practices = practices
        self.broader = self._broader()
        names = division_names or [r["l"] for r in self._rows("eval-division-names")]
        self.division_names = sorted(set(names) | {d["name"] for g in gold.values() for d in g["divisions"]},
                                     key=len, reverse=True)

    def _rows(self, name: str, **bind) -> list[dict]:
        """Rows of the internal query `name` (the report and file name bound as terms, their columns kept)."""
        res = self.store.query(queries.internal(name), bind)
        assert isinstance(res, Rows)
        return res.rows

    def _broader(self) -> dict[str, set[str]]:
        parents: dict[str, set[str]] = {}
        for r in self._rows("eval-broader"):
            parents.setdefault(_slug(r["p"]), set()).add(_slug(r["b"]))
        closure: dict[str, set[str]] = {}

        def up(p: str, seen: frozenset = frozenset()) -> set[str]:
            if p in closure:
                return closure[p]
            out = set()
            for b in parents.get(p, ()):
                if b not in seen:
                    out |= {b} | up(b, seen | {p})
            closure[p] = out
            return out

        for p in list(parents):
            up(p)
        return closure

    def practice_match(self, pred: str, gold: str) -> bool:
        return pred == gold or gold in self.broader.get(pred, set())

    def known(self, practice: str) -> bool:
        """Whether a practice is scored: always without a restriction, else when it is a listed id or narrower."""
        return self.practices is None or practice in self.practices or \
            bool(self.broader.get(practice, set()) & self.practices)

    def _keep(self, items: set[tuple], practice_at: int) -> set[tuple]:
        return {t for t in items if self.known(t[practice_at])}

    # ------------------------------------------------------------ per category
    def score(self) -> dict[str, Score]:
        cats = {k: Score() for k in ("divisions", "agencies", "adoptions", "adoptions+mode+year", "spread",
                                     "regulations", "outcomes", "awards")}
        novel = sum(1 for g in self.gold.values() for a in g["adoptions"] if a.get("practice") is None)
        if novel:
            cats["new practices"] = Score(recall_only=True)
        learning = any("learning" in g for g in self.gold.values())
        if learning:
            cats["learning"] = Score()
        linked = {"divisions": [0, 0], "agencies": [0, 0], "regulation kind": [0, 0], "outcome year": [0, 0],
                  "adoptions attributed": [0, 0], "adoptions stated year": [0, 0], "divisions township": [0, 0],
                  "adoptions year source": [0, 0]}
        for name, g in sorted(self.gold.items()):
            reps = self._rows("eval-report", n=name)
            if not reps:
                for k, key in (("divisions", "divisions"), ("agencies", "agencies"), ("spread", "spread"),
                               ("regulations", "regulations"), ("outcomes", "outcomes"), ("awards", "awards")):
                    cats[k].gold += len(g.get(key, []))
                known = sum(1 for a in g["adoptions"] if a.get("practice") is not None)
                cats["adoptions"].gold += known
                cats["adoptions+mode+year"].gold += known
                if novel:
                    cats["new practices"].gold += len(g["adoptions"]) - known
                if learning:
                    cats["learning"].gold += len(g.get("learning", []))
                continue
            rep = reps[0]["r"]
            cats["divisions"].add(self._divisions(rep, g, linked["divisions"], linked["divisions township"]))
            cats["agencies"].add(self._agencies(rep, g, linked["agencies"]))
            a1, a2 = self._adoptions(rep, g, linked["adoptions attributed"], linked["adoptions stated year"],
                                     linked["adoptions year source"])
            cats["adoptions"].add(a1)
            if novel:
                cats["new practices"].add(self._new_practices(rep, g))
            cats["adoptions+mode+year"].add(a2)
            cats["spread"].add(self._spread(rep, g))
            if learning:
                cats["learning"].add(self._learning(rep, g))
            cats["regulations"].add(self._regulations(rep, g, linked["regulation kind"]))
            cats["outcomes"].add(self._outcomes(rep, g, linked["outcome year"]))
            cats["awards"].add(self._awards(rep, g))
        for key, cat in (("divisions", "divisions"), ("agencies", "agencies"), ("regulation kind", "regulations"),
                         ("outcome year", "outcomes")):
            ok, n = linked[key]
            cats[cat].extra[key.split()[-1] if " " in key else "linked"] = ok / n if n else 1.0
        # figures that only mean something where the gold has such items (the development set's townships,
        # stated years): shown only then, so the seeds' table keeps its shape
        for key in ("adoptions attributed", "adoptions stated year", "adoptions year source", "divisions township"):
            ok, n = linked[key]
            cat, _, name = key.partition(" ")
            if n:
                cats[cat].extra[name] = ok / n
        return cats

    def _gold_division_key(self, g: dict):
        """Gold division name → the key it is compared by: its code where the gold gives one, else the name."""
        keys = {d["name"]: d["adcode"] or d["name"] for d in g["divisions"]}
        return lambda name: keys.get(name, name)

    def _divisions(self, rep: str, g: dict, linked: list[int], township: list[int]) -> Score:
        rows = self._rows("eval-divisions", r=rep)
        pred = {(r["code"] or r["l"]) for r in rows}
        by_name: dict[str, set[str]] = {}
        for r in rows:
            by_name.setdefault(r["l"], set()).add(r["code"] or r["l"])
        gold = {(d["adcode"] or d["name"]) for d in g["divisions"]}
        for d in g["divisions"]:
            if d["name"] in by_name:
                linked[1] += 1
                linked[0] += (d["adcode"] or d["name"]) in by_name[d["name"]]
            if d["level"] == "township":
                township[1] += 1
                township[0] += (d["adcode"] or d["name"]) in pred
        return Score(len(pred & gold), len(pred), len(gold))

    def _strip_division(self, name: str) -> str:
        for d in self.division_names:
            if name.startswith(d) and len(name) > len(d):
                return name[len(d):]
        return name

    def _agency_same(self, a: str, b: str) -> bool:
        a, b = self._strip_division(a), self._strip_division(b)
        return a == b or (len(a) > 1 and a[0] in LEVEL_CHARS and a[1:] == b) or \
            (len(b) > 1 and b[0] in LEVEL_CHARS and b[1:] == a)

    def _agencies(self, rep: str, g: dict, linked: list[int]) -> Score:
        rows = self._rows("eval-agencies", r=rep)
        agencies: dict[str, tuple[set[str], str]] = {}
        for r in rows:
            names, _ = agencies.setdefault(r["a"], (set(), r["dl"]))
            names.add(r["l"])
        tp = 0
        for ga in g["agencies"]:
            hit = next((a for a, (names, _) in sorted(agencies.items())
                        if any(self._agency_same(n, ga["name"]) for n in names)), None)
            if hit:
                tp += 1
                linked[1] += 1
                linked[0] += agencies[hit][1] == ga["division"]
        return Score(tp, len(agencies), len(g["agencies"]))

    def _pair_score(self, pred: set[tuple], gold: set[tuple], practice_at: int) -> Score:
        def same(p: tuple, q: tuple) -> bool:
            return all(self.practice_match(x, y) if i == practice_at else x == y
                       for i, (x, y) in enumerate(zip(p, q, strict=False)))
        return _match(pred, gold, same)

    def _adoptions(self, rep: str, g: dict, attributed: list[int], stated: list[int],
                   sourced: list[int] | None = None) -> tuple[Score, Score]:
        rows = self._rows("eval-adoptions", r=rep)
        key = self._gold_division_key(g)
        names = {d["name"] for d in g["divisions"]}

        def division(r: dict) -> str:
            """A predicted division compared the way the gold compares it: a name the gold lists keeps the
            gold's key; any other is compared by its code, so a full name meets the gold's short form."""
            return key(r["dl"]) if r["dl"] in names else (r["code"] or r["dl"])
        pred1 = {(division(r), _slug(r["p"])) for r in rows}
        pred2 = {(division(r), _slug(r["p"]), _mode(r["mode"]), r["year"]) for r in rows}
        known = [a for a in g["adoptions"] if a.get("practice") is not None]
        gold1 = {(key(a["division"]), a["practice"]) for a in known}
        gold2 = {(key(a["division"]), a["practice"], a["mode"], a["year"]) for a in known}
        pred1, pred2, gold1, gold2 = (self._keep(x, 1) for x in (pred1, pred2, gold1, gold2))
        years: dict[tuple, list[int]] = {}
        dated: dict[tuple, list[tuple[int, str | None]]] = {}     # (division, practice) → (year, where it was read)
        for r in rows:
            if r["year"] is not None:
                years.setdefault((division(r), _slug(r["p"])), []).append(int(r["year"]))
                dated.setdefault((division(r), _slug(r["p"])), []).append((int(r["year"]), _local(r.get("ys"))))
        for d, p in gold1:
            if any(self.practice_match(q, p) for _, q in pred1):
                attributed[1] += 1
                attributed[0] += any(self.practice_match(q, p) for e, q in pred1 if e == d)
        for a in known:
            if a.get("year_source") == "stated" and a["year"] is not None:
                found = [y for (e, q), ys in years.items() if e == key(a["division"])
                         and self.practice_match(q, a["practice"]) for y in ys]
                if found:
                    stated[1] += 1
                    stated[0] += min(found) == a["year"]
            if sourced is not None and a.get("year_source") in YEAR_SOURCES:
                found2 = [x for (e, q), xs in dated.items() if e == key(a["division"])
                          and self.practice_match(q, a["practice"]) for x in xs]
                if found2:
                    sourced[1] += 1
                    sourced[0] += YEAR_SOURCES[a["year_source"]] == min(found2)[1]
        return self._pair_score(pred1, gold1, 1), self._pair_score(pred2, gold2, 1)

    def _new_practices(self, rep: str, g: dict) -> Score:
        rows = self._rows("eval-practice-labels", r=rep)
        labels = {_strip_quotes(r["l"]) for r in rows}
        names = {_strip_quotes(a["practice_name"]) for a in g["adoptions"] if a.get("practice") is None}
        found = sum(1 for n in names if any(n in lab or (len(lab) >= 2 and lab in n) for lab in labels))
        return Score(found, found, len(names), recall_only=True)

    def _spread(self, rep: str, g: dict) -> Score:
        rows = self._rows("eval-spread", r=rep)
        pred = {(_slug(r["p"]), r["fl"]) for r in rows}
        gold = {(s["practice"], s["from"]) for s in g["spread"]}
        return self._pair_score(self._keep(pred, 0), self._keep(gold, 0), 0)

    def _learning(self, rep: str, g: dict) -> Score:
        rows = self._rows("eval-learning", r=rep)
        key = self._gold_division_key(g)
        names = {d["name"] for d in g["divisions"]}

        def side(label: str | None, code: str | None) -> str | None:
            return key(label) if label in names else (code or label)
        pred = {(side(r["fl"], r.get("fcode")), side(r.get("tl"), r.get("tcode")), _slug(r["p"]) if r.get("p") else None)
                for r in rows}
        gold = {(key(x["from"]), key(x["to"]), x.get("practice")) for x in g.get("learning", [])}

        def same(p: tuple, q: tuple) -> bool:
            return p[:2] == q[:2] and (q[2] is None or (p[2] is not None and self.practice_match(p[2], q[2])))
        return _match(pred, gold, same)

    def _regulations(self, rep: str, g: dict, kind_acc: list[int]) -> Score:
        rows = self._rows("eval-regulations", r=rep)
        pred = {_norm_title(r["t"]): _kind(r["k"]) for r in rows}
        gold = {_norm_title(x["title"]): x["kind"] for x in g["regulations"]}
        for t, k in gold.items():
            if t in pred:
                kind_acc[1] += 1
                kind_acc[0] += pred[t] == k
        return Score(len(set(pred) & set(gold)), len(pred), len(gold))

    def _outcomes(self, rep: str, g: dict, year_acc: list[int]) -> Score:
        rows = self._rows("eval-outcomes", r=rep)
        pred = sorted(((r["dl"], float(r["v"]), r["u"], r["y"]) for r in rows), key=str)
        used = [False] * len(pred)
        tp = 0
        for o in g["outcomes"]:
            for i, (dl, v, u, y) in enumerate(pred):
                if used[i] or dl != o["division"] or u != o["unit"]:
                    continue
                if abs(v - o["value"]) <= 0.005 * max(abs(o["value"]), 1e-9):
                    used[i] = True
                    tp += 1
                    year_acc[1] += 1
                    year_acc[0] += y == o["year"]
                    break
        return Score(tp, len(pred), len(g["outcomes"]))

    def _awards(self, rep: str, g: dict) -> Score:
        rows = self._rows("eval-awards", r=rep)
        pred = {(r["dl"], _strip_quotes(r["n"])) for r in rows}
        gold = {(a["division"], _strip_quotes(a["award"])) for a in g["awards"]}

        def same(p, q):
            return p[0] == q[0] and (p[1] in q[1] or q[1] in p[1])
        return _match(pred, gold, same)


def _match(pred: set[tuple], gold: set[tuple], same) -> Score:
    """Gold items found by some prediction, and predictions that match some gold item."""
    tp_gold = sum(any(same(p, g) for p in pred) for g in gold)
    tp_pred = sum(any(same(p, g) for g in gold) for p in pred)
    return Score(tp_gold, len(pred), len(gold), tp_pred)


def _slug(iri: str) -> str:
    return iri.rsplit("/practice/", 1)[-1]


# The gold's year sources and the ontology's individuals (gov:StatedYear …) they stand for.
YEAR_SOURCES = {"stated": "StatedYear", "context": "ContextYear", "report": "ReportYear"}


def _local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1] if iri else None


def _mode(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].lower()


KIND_NAMES = {"Law": "law", "AdministrativeRegulation": "administrative_regulation",
              "LocalRegulation": "local_regulation", "GovernmentRule": "government_rule",
              "NormativeDocument": "normative_document", "PlanDocument": "plan", "OtherDocument": "other"}


def _kind(iri: str) -> str:
    return KIND_NAMES.get(iri.rsplit("#", 1)[-1], "other")


def load_gold(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def gold_practices(gold: dict) -> set[str]:
    """The practice ids a gold file uses (in adoptions and spread statements)."""
    return {x["practice"] for g in gold.values() for key in ("adoptions", "spread") for x in g.get(key, ())
            if x.get("practice")}


def load_practices(path: str | Path) -> set[str]:
    """Practice ids from a file, one per line; blank lines and # comments are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {ln.split("#", 1)[0].strip() for ln in lines} - {""}


def evaluate(store: Store, gold: dict, practices: set[str] | None = None) -> dict[str, Score]:
    return Scorer(store, gold, practices=practices).score()


def unique_forms(texts: dict[str, str]) -> dict[str, list[str]]:
    """For each report, the practice surface forms that occur in it and in no other report."""
    from govkg.builders.lexicon import practice_surface_forms
    from govkg.builders.text import normalise

    norms = {name: normalise(t) for name, t in texts.items()}
    out: dict[str, list[str]] = {}
    for name, norm in norms.items():
        others = [n for k, n in norms.items() if k != name]
        out[name] = sorted(f for f in practice_surface_forms() if f in norm and not any(f in o for o in others))
    return out


def leave_one_out(texts: dict[str, str], gold: dict,
                  practices: set[str] | None = None) -> dict[str, dict[str, Score]]:
    """Score each report with the vocabulary entries that only it needs left out of the lexicon.

    This is how the builders fare on a report whose wording nobody fitted them to: every surface form of
    a practice that occurs in this report and in no other bundled report is removed before it is built.
    """
    from govkg.builders.components import make_pipeline
    from govkg.builders.pipeline import build_text

    out: dict[str, dict[str, Score]] = {}
    for name, forms in unique_forms(texts).items():
        nlp = make_pipeline(config={"govkg_practices": {"exclude": forms}})
        store = GraphStore()
        store.add_ontology_data()
        result = build_text(texts[name], name, nlp=nlp)
        store.replace_graph(result.graph, result.nquads)
        scores = Scorer(store, {name: gold[name]}, practices=practices).score()
        scores["_excluded"] = Score(len(forms), 0, 0)
        out[name] = scores
    return out

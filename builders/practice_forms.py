"""Practices named other than by one of their forms written whole, and names shaped like a practice.

Reports paraphrase: they write a practice with words between its parts,
list several practices before the head noun they share (A、B、C等制度), or name one that no
vocabulary holds.  Each function here reads one of these ways of writing from a sentence's matching text,
given the forms of the vocabulary (`Forms`) and the spans already matched whole:

- `split_forms`: a form's head and tail, in that order, inside one clause, with a bounded gap of words
  that holds no list joiner; the longest form wins.
- `enumerations`: the items of a list that ends in a shared head noun (``data/enumeration_heads.tsv``),
  each looked up with the head noun, alone, or with the first item's topic in front; an item that no form
  names becomes a candidate practice.
- `named_candidates`: a name ending in a practice word (``data/candidate_kinds.tsv``) right after a verb
  that adopts it (``data/candidate_lead.tsv``), a quoted term after such a verb, “N+N” and “one X one Y”
  names.  Generic names (长效机制, 各项制度: ``data/candidate_stoplist.tsv``) are not candidates.

`candidate_key` is the one normal form of a candidate's name, so that variants (quotation marks, spaces,
的/之; traditional characters are folded by the matching text already) name the same candidate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from govkg.builders import vocab

P = vocab.pattern
MIN_PART = 2                       # the shortest head or tail of a split form
GAP = {4: 4}                       # the longest gap by form length (a four-character form: four); else:
LONG_GAP = 6
_CLAUSE = re.compile(r"[,;。:!?“”《》\n]")
_WORD = re.compile(r"[\u4e00-\u9fff]+")
_NOISE = re.compile(r"[“”\"'‘’「」『』\s]")


def candidate_key(term: str) -> str:
    """The normal form of a candidate's name: no quotation marks or spaces, no 的/之 (variants of one name)."""
    out = _NOISE.sub("", term)
    for ch in vocab.words("candidate_particles"):
        out = out.replace(ch, "")
    return out


def candidate_stem(key: str) -> str:
    """A candidate's name without the practice word it ends in: candidates with the same stem (…制度,
    …机制, …改革 of one name) name the same thing when the corpus is read as a whole."""
    stem = _kinds().sub("", key)
    return stem if len(stem) >= MIN_PART else key


@dataclass
class Forms:
    """The vocabulary's surface forms (form → slug) and the index of their heads for split matching."""
    whole: dict[str, str]
    heads: ahocorasick.Automaton = field(init=False)
    max_form: int = field(init=False)

    def __post_init__(self) -> None:
        tails: dict[str, list[tuple[str, str]]] = {}
        for form, slug in self.whole.items():
            if len(form) < 2 * MIN_PART or _CLAUSE.search(form):
                continue
            for i in range(MIN_PART, len(form) - MIN_PART + 1):
                if max(i, len(form) - i) > MIN_PART:   # two two-character halves meet by chance too often
                    tails.setdefault(form[:i], []).append((form[i:], slug))
        a = ahocorasick.Automaton()
        for head, ts in tails.items():
            # a head like 行政 has hundreds of tails: index them by their first two characters, so that a head
            # found costs a lookup per position of the gap, not a search per tail
            by_prefix: dict[str, list[tuple[int, str, str]]] = {}
            for i, (tail, slug) in enumerate(sorted(ts, key=lambda t: -len(t[0]))):
                by_prefix.setdefault(tail[:MIN_PART], []).append((i, tail, slug))
            a.add_word(head, (head, by_prefix))
        if tails:
            a.make_automaton()
        self.heads = a
        self.max_form = max(map(len, self.whole), default=0)


def _overlaps(s: int, e: int, spans) -> bool:
    return any(a < e and s < b for a, b in spans)


def split_forms(text: str, forms: Forms, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Forms written with words between their head and tail (start, end, slug), leftmost-longest, not
    overlapping `taken` except where a span taken lies inside the head or the tail."""
    if not forms.whole or len(forms.heads) == 0:
        return []
    found = []
    widest = max(LONG_GAP, *GAP.values())
    for end, (head, by_prefix) in forms.heads.iter(text):
        s, e = end - len(head) + 1, end + 1
        first: dict[int, tuple[int, str, str]] = {}      # tail (by its rank) → where it starts first
        for t in range(e + 1, min(e + widest, len(text) - MIN_PART) + 1):
            for i, tail, slug in by_prefix.get(text[t:t + MIN_PART], ()):
                if i not in first and t <= e + GAP.get(len(head) + len(tail), LONG_GAP) \
                        and text.startswith(tail, t):
                    first[i] = (t, tail, slug)
        for i in sorted(first):                          # longest tail first, as the forms were ranked
            t, tail, slug = first[i]
            gap = text[e:t]
            if P("gap_breaks").search(gap):
                continue
            inside = [(a, b) for a, b in taken if s <= a and b <= e or t <= a and b <= t + len(tail)]
            if _overlaps(s, t + len(tail), [x for x in taken if x not in inside]):
                continue
            found.append((s, t + len(tail), slug, len(head) + len(tail)))
    found.sort(key=lambda f: (f[0], -f[3], f[1]))
    out, last = [], -1
    for s, e, slug, _ in found:
        if s >= last:
            out.append((s, e, slug))
            last = e
    return out


def _strip_lead(x: str) -> str:
    """A name without the verbs that adopt it in front (建立完善了重大行政决策听证 → 重大行政决策听证)."""
    leads = sorted(vocab.words("candidate_lead") + vocab.words("lead_verbs"), key=len, reverse=True)
    changed = True
    while changed and x:
        changed = False
        for w in leads:
            if x.startswith(w) and len(x) > len(w):
                x = x[len(w):].lstrip("了")
                changed = True
                break
    return x


def _lookup(forms: Forms, tries: list[str]) -> str | None:
    return next((forms.whole[t] for t in tries if t in forms.whole), None)


def enumerations(text: str, forms: Forms, taken: list[tuple[int, int]]
                 ) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """The items of lists ending in a shared head noun: (start, end, slug) for the items a form names, and
    (start, end, candidate name) for the others."""
    heads = vocab.words("enumeration_heads")
    practices, candidates = [], []
    done_upto = -1
    for m in re.finditer("|".join(map(re.escape, heads)), text):
        h, head = m.start(), m.group(0)
        if h < done_upto:
            continue
        clause_start = max((c.end() for c in _CLAUSE.finditer(text, 0, h)), default=0)
        before = P("enumeration_tail").sub("", text[clause_start:h])
        items_text = before
        parts = items_text.split("、")
        last = re.split(vocab.source("enumeration_joiner"), parts[-1])
        parts = parts[:-1] + [p for p in last if p]
        if len(parts) < 2:
            continue
        pos, spans = clause_start, []
        for p in parts:
            i = text.find(p, pos)
            spans.append((i, i + len(p)))
            pos = i + len(p)
        first = text[spans[0][0]:spans[0][1]]
        stripped = _strip_lead(first)
        spans[0] = (spans[0][1] - len(stripped), spans[0][1])
        topic = [stripped[:k] for k in range(len(stripped) - MIN_PART, MIN_PART - 1, -1)]
        named, unnamed = [], []
        for n, (s, e) in enumerate(spans):
            x = text[s:e]
            if not (MIN_PART <= len(x) <= 16) or _overlaps(s, e, taken):
                continue
            tries = [x + head, x] + ([t + x + head for t in topic] + [t + x for t in topic] if n else [])
            slug = _lookup(forms, tries)
            if slug is None and n == 0:   # a first item may still carry words before its name
                slug = _lookup(forms, [x[k:] + head for k in range(1, len(x) - MIN_PART + 1)])
            if slug:
                named.append((s, e, slug))
            elif _WORD.fullmatch(x) and not _generic(x) and not _kinds().search(x):
                unnamed.append((s, e, candidate_key(x + head)))
        practices += named
        if named:   # a list the vocabulary knows some items of is a list of practices: the others are candidates
            candidates += unnamed
        done_upto = m.end()
    return practices, candidates


def _generic(stem: str) -> bool:
    """Whether a name without its practice word is too generic to name a practice of its own."""
    if len(stem) < MIN_PART or P("gap_breaks").match(stem[-1]):   # 领导和(工作机制): a name cut short
        return True
    for row in vocab.rows("candidate_stoplist"):
        w = row["word"]
        if (row["where"] == "whole" and stem == w) or (row["where"] == "start" and stem.startswith(w)):
            return True
    return False


@lru_cache(maxsize=1)
def _kinds() -> re.Pattern:
    return re.compile("(?:" + vocab.alternation(vocab.words("candidate_kinds")) + ")$")


def named_candidates(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Names shaped like a practice that no form matched: (start, end, candidate name)."""
    out: list[tuple[int, int, str]] = []
    for name in ("candidate_named", "candidate_quoted_lead", "candidate_n_plus_n", "candidate_one_one"):
        for m in P(name).finditer(text):
            s, e = m.span("term")
            term = text[s:e]
            if name == "candidate_named":
                term = _strip_lead(term)
                s = e - len(term)
                if _generic(_kinds().sub("", term)) or len(term) < 4:
                    continue
            if _overlaps(s, e, taken) or _overlaps(s, e, [(a, b) for a, b, _ in out]):
                continue
            out.append((s, e, candidate_key(term)))
    return sorted(out)

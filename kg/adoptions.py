"""The adoption index: every adoption statement of a store folder as one row, kept beside the store.

Views of a whole corpus and spread traces of a large family read hundreds of thousands of adoptions.  From
Oxigraph each property of each adoption is a lookup in the union of thousands of report graphs (about 10 µs
a statement on two cores), so that a view of 10,000 reports waits half a minute for its aggregates.  The index
holds what those readers need — adoption, adopter, practice, mode, year, year source, month — as integers
and short strings in SQLite (``govkg-adoptions.sqlite`` in the store folder), and they aggregate it in
milliseconds per thousand rows.

It is kept by the writer of the store, never by a reader: the rows of a report graph are written from the
very lines the graph is loaded from (`put`), dropped with the graph, and `finish` squares the index with the
store's report graphs when a writer is done (graphs it lacks, or that changed under their name, are read
back from the store).  It records the identity of the store it is true for (`kg.state.state`); a reader uses
it only when that identity is the store's now, and otherwise reads the store with SPARQL, as it does a graph
file or an endpoint.  A writer clears the identity before its first change, so an interrupted build leaves
an index that no reader trusts until the next build squares it.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from itertools import product
from pathlib import Path

import pyoxigraph as ox

from govkg.builders.emit import SHARED_LINE_END
from govkg.namespace import GOV_IRI

ADOPTIONS_FILE = "govkg-adoptions.sqlite"
TIME_IRI = "http://www.w3.org/2006/time#"
# The properties of an adoption the index keeps, by the column that holds them.
PROPERTIES = {"adopter": GOV_IRI + "adopter", "practice": GOV_IRI + "practice", "mode": GOV_IRI + "mode",
              "year": GOV_IRI + "year", "source": GOV_IRI + "yearSource", "month": TIME_IRI + "inXSDgYearMonth"}
COLUMNS = ("practice", "mode", "year", "source", "month")      # an adoption's, besides its adopters
_COLUMN = {f"<{iri}>": column for column, iri in PROPERTIES.items()}
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
FORMAT = "1"          # the layout of the file; another one is rebuilt, not read

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS term(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS adoption(graph INTEGER NOT NULL, iri TEXT NOT NULL, adopter INTEGER NOT NULL,
    practice INTEGER, mode INTEGER, year TEXT, source INTEGER, month TEXT);
CREATE TABLE IF NOT EXISTS indexed(graph INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dirty(graph TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS adoption_graph ON adoption(graph);
CREATE INDEX IF NOT EXISTS adoption_practice ON adoption(practice, adopter, year);
CREATE INDEX IF NOT EXISTS adoption_adopter ON adoption(adopter, practice, year);
"""
# One row per gov:adopter statement: an adoption by a division and one of its agencies is two rows.  The
# indexes on (practice, adopter, year) and (adopter, practice, year) hold all that the aggregates of views read,
# so they never read the rows, whether a view starts from practices or from a few divisions.


def _object(rest: str) -> str | None:
    """The object of an N-Quads line without escapes (`rest`: the line after its predicate)."""
    if rest.startswith("<"):
        return rest[1:rest.index(">")]
    m = _LITERAL.match(rest)
    return m.group(1) if m else None


def rows_of_lines(lines: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Adoption → column → values, from the N-Quads lines of one report graph (`builders.emit`; its lines of
    the shared entity graph are not the report graph's)."""
    facts: dict[str, dict[str, list[str]]] = {}
    for line in lines:
        parts = line.split(" ", 2)
        if len(parts) < 3 or _COLUMN.get(parts[1]) is None or line.endswith(SHARED_LINE_END):
            continue
        value: str | None
        if "\\" in line:                  # an escaped term: the parser reads it
            q = next(iter(ox.parse(line, format=ox.RdfFormat.N_QUADS)), None)
            if q is None or not isinstance(q.subject, ox.NamedNode) or \
                    not isinstance(q.object, (ox.NamedNode, ox.Literal)):
                continue
            subject, value = q.subject.value, q.object.value
        elif parts[0].startswith("<"):
            subject, value = parts[0][1:-1], _object(parts[2])
        else:
            continue
        if value is not None:
            facts.setdefault(subject, {}).setdefault(_COLUMN[parts[1]], []).append(value)
    return facts


def rows_of_store(store: ox.Store, graph: str) -> dict[str, dict[str, list[str]]]:
    """`rows_of_lines` for a report graph already in the store: each property scanned in that graph."""
    facts: dict[str, dict[str, list[str]]] = {}
    g = ox.NamedNode(graph)
    for column, iri in PROPERTIES.items():
        for q in store.quads_for_pattern(None, ox.NamedNode(iri), None, g):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, (ox.NamedNode, ox.Literal)):
                facts.setdefault(q.subject.value, {}).setdefault(column, []).append(q.object.value)
    return facts


class AdoptionIndex:
    """The index file of one store folder (see the module's note)."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None
        self._terms: dict[str, int] = {}
        self.changing = False

    # ------------------------------------------------------------ the file
    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            if self.read_only:
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                           check_same_thread=False)
            else:
                self._db = sqlite3.connect(self.path, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                if self._meta("format") not in (None, FORMAT):
                    self._db.close()
                    self.path.unlink()
                    for extra in ("-wal", "-shm"):
                        Path(str(self.path) + extra).unlink(missing_ok=True)
                    self._db = sqlite3.connect(self.path, check_same_thread=False)
                    self._db.execute("PRAGMA journal_mode=WAL")
                self._db.executescript(SCHEMA)
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
                self._db.commit()
        return self._db

    def _meta(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def state(self) -> str | None:
        """The identity of the store this index is true for (None while a writer is changing it)."""
        return self._meta("state") if self._meta("format") == FORMAT else None

    # ------------------------------------------------------------ writing
    def begin(self) -> None:
        """Before a writer's first change: no reader trusts the index until `finish`."""
        if not self.changing:
            self.db.execute("DELETE FROM meta WHERE key = 'state'")
            self.db.commit()
            self.changing = True

    def _term(self, iri: str) -> int:
        found = self._terms.get(iri)
        if found is None:
            self.db.execute("INSERT OR IGNORE INTO term(iri) VALUES (?)", (iri,))
            found = self.db.execute("SELECT id FROM term WHERE iri = ?", (iri,)).fetchone()[0]
            self._terms[iri] = found
        return found

    def will_change(self, graph: str) -> None:
        """A graph is about to change under its name: until its new lines are `put`, it is read back from the
        store by `finish` (an interruption between the two leaves it marked)."""
        self.begin()
        self.db.execute("INSERT OR IGNORE INTO dirty VALUES (?)", (graph,))
        self.db.commit()

    def put(self, graph: str, lines: Iterable[str]) -> None:
        """The rows of a report graph, from the lines it is loaded from (replacing any it had)."""
        self._put(graph, rows_of_lines(lines))

    def _put(self, graph: str, facts: dict[str, dict[str, list[str]]]) -> None:
        self.begin()
        db = self.db
        g = self._term(graph)
        self._drop(g)
        for a, f in sorted(facts.items()):
            adopters = f.get("adopter")
            if not adopters:
                continue
            # every adoption has one practice, mode and date (builders.emit); were there more, the index
            # would keep one row per combination, as a SPARQL join does
            values: list[list[str | None]] = [[*f[c]] if f.get(c) else [None] for c in COLUMNS]
            db.executemany("INSERT INTO adoption VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                (g, a, self._term(d), practice and self._term(practice), mode and self._term(mode), year,
                 source and self._term(source), month)
                for d in sorted(set(adopters)) for practice, mode, year, source, month in product(*values)])
        db.execute("INSERT OR IGNORE INTO indexed VALUES (?)", (g,))    # indexed, even with no adoption
        db.execute("DELETE FROM dirty WHERE graph = ?", (graph,))

    def _drop(self, g: int) -> None:
        self.db.execute("DELETE FROM adoption WHERE graph = ?", (g,))

    def forget(self, graphs: Iterable[str]) -> None:
        self.begin()
        for graph in graphs:
            row = self.db.execute("SELECT id FROM term WHERE iri = ?", (graph,)).fetchone()
            if row is not None:
                self._drop(row[0])
                self.db.execute("DELETE FROM indexed WHERE graph = ?", (row[0],))

    def finish(self, store: ox.Store, report_graphs: Callable[[], list[str]], state: str | None,
               progress: Callable[[Iterator[str], int], Iterator[str]] | None = None) -> int:
        """Square the index with the store's report graphs and record the identity it is now true for;
        returns the number of graphs read back from the store."""
        if state is None or (not self.changing and self.state() == state):
            return 0
        present = set(report_graphs())
        self.begin()
        db = self.db
        indexed = {iri for (iri,) in db.execute("SELECT iri FROM term JOIN indexed ON indexed.graph = term.id")}
        dirty = {g for (g,) in db.execute("SELECT graph FROM dirty")}
        self.forget(sorted(indexed - present))
        read = sorted((present - indexed) | (dirty & present))
        graphs: Iterable[str] = progress(iter(read), len(read)) if progress and len(read) > 100 else read
        for i, graph in enumerate(graphs):
            self._put(graph, rows_of_store(store, graph))
            if i % 500 == 499:
                db.commit()
        db.execute("DELETE FROM dirty")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (state,))
        db.commit()
        self.changing = False
        return len(read)

    def commit(self) -> None:
        if self._db is not None:
            self._db.commit()

    # ------------------------------------------------------------ reading
    def terms(self) -> dict[int, str]:
        return {i: iri for i, iri in self.db.execute("SELECT id, iri FROM term")}

    def ids(self, iris: Iterable[str]) -> dict[str, int]:
        wanted = set(iris)
        return {iri: i for i, iri in self.db.execute("SELECT id, iri FROM term") if iri in wanted}

    def statements(self) -> set[tuple]:
        """Every row as IRIs and lexical forms: (adoption, adopter, practice, mode, year, year source, month)."""
        term = self.terms()
        return {(a, term[d], term.get(p), term.get(m), y, term.get(s), ym) for a, d, p, m, y, s, ym in
                self.db.execute("SELECT iri, adopter, practice, mode, year, source, month FROM adoption")}

    def first_adoptions(self, practices: Iterable[str]) -> list[dict]:
        """What spread-adopters.rq answers for a family (`practices`), from the index: per adopter its first
        adoption stated by the text, its first of any date, and its modes.  The keys are built as that query
        builds them ("YEAR MM SOURCE RANK+MODE IRI"), so that the least key is the same adoption."""
        db = self.db
        terms = self.terms()
        local = {i: iri.partition("#")[2] for i, iri in terms.items() if "#" in iri}   # STRAFTER(…, "#")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS local(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        db.execute("DELETE FROM temp.local")
        db.executemany("INSERT INTO temp.local VALUES (?, ?)", sorted(local.items()))
        ids = sorted(self.ids(practices).values())
        out: list[dict] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.extend({"d": terms[d], "stated": stated, "first": first, "modes": modes}
                       for d, stated, first, modes in db.execute(f"""
                SELECT adopter, MIN(CASE WHEN source IN ('StatedYear', 'ContextYear') THEN key ELSE '9999' END),
                       MIN(key), GROUP_CONCAT(DISTINCT mode)
                FROM (SELECT adopter, source, mode, year || ' ' || month || ' ' || source || ' ' ||
                             IIF(mode = 'piloted', '0', '1') || mode || ' ' || iri AS key
                      FROM (SELECT a.adopter, a.iri, COALESCE(a.year, '9999') AS year,
                                   COALESCE(SUBSTR(a.month, 6, 2), '--') AS month,
                                   CASE WHEN a.source IS NULL THEN '-' ELSE COALESCE(s.name, '') END AS source,
                                   LOWER(COALESCE(m.name, '')) AS mode
                            FROM adoption a LEFT JOIN temp.local m ON m.id = a.mode
                                            LEFT JOIN temp.local s ON s.id = a.source
                            WHERE a.mode IS NOT NULL AND a.practice IN ({", ".join("?" * len(chunk))})))
                GROUP BY adopter""", chunk))
        return [r | {"modes": r["modes"].replace(",", " ")} for r in out]

    def aggregate(self, provinces: Iterable[tuple[str, str]], groups: dict[str, str] | None,
                  years: list[str] | None, some_divisions: bool = False) -> dict[str, list[dict]]:
        """What view-province-years, view-links and view-count answer, from the index: the adoptions by the
        divisions in `provinces` (division → province code; a division under two codes counts in both), of
        the practices in `groups` (practice → the node it is drawn as; None: any practice), in `years`
        (gYear lexical forms; None: any year, undated included); `some_divisions`: `provinces` names the
        divisions of a view of a few, read from them.  The store counts distinct adoptions; here
        each adoption has one adopting division (builders.emit), so the rows of a division are its
        adoptions."""
        ids = {iri: i for i, iri in self.db.execute("SELECT id, iri FROM term")}
        provinces_of: dict[int, set[str]] = {}
        for d, prov in provinces:
            if d in ids:
                provinces_of.setdefault(ids[d], set()).add(prov)
        at = {d: tuple(sorted(provs)) for d, provs in provinces_of.items()}
        group: dict[int, str | None] = ({ids[p]: g for p, g in groups.items() if p in ids} if groups is not None
                                        else {})
        # undated adoptions count as "9999": the least year of a group is then its first dated one
        sql = "SELECT practice, adopter, COUNT(*), MIN(COALESCE(year, '9999')) FROM adoption WHERE practice NOTNULL"
        params: list = []
        if groups is not None:
            sql += f" AND practice IN ({', '.join('?' * len(group))})"
            params += sorted(group)
        if some_divisions:
            sql += f" AND adopter IN ({', '.join('?' * len(at))})"
            params += sorted(at)
        if years is not None:
            sql += f" AND year IN ({', '.join('?' * len(years))})"
            params += years
        links: dict[tuple, list] = {}          # (province, group) → [divisions, statements, first year]
        firsts: dict[tuple[int, str], str] = {}  # (division, province) → first year
        statements = 0
        for p, d, n, first in self.db.execute(sql + " GROUP BY practice, adopter", params):
            provs = at.get(d)
            if provs is None:                   # an agency, or a division the view does not draw
                continue
            g = group.get(p)
            statements += n
            for prov in provs:
                link = links.get((prov, g))
                if link is None:
                    links[(prov, g)] = link = [set(), 0, first]
                link[0].add(d)
                link[1] += n
                if first < link[2]:
                    link[2] = first
                known = firsts.get((d, prov))
                if known is None or first < known:
                    firsts[(d, prov)] = first
        per_year: dict[tuple[str, str], int] = {}
        for (_, prov), first in firsts.items():
            per_year[(prov, first)] = per_year.get((prov, first), 0) + 1
        return {"view-links": [{"prov": prov, "g": g, "divisions": len(ds), "statements": n, "first": _year(first)}
                               for (prov, g), (ds, n, first) in sorted(links.items(), key=str)],
                "view-province-years": [{"prov": prov, "fy": _year(fy), "n": n}
                                        for (prov, fy), n in sorted(per_year.items())],
                "view-count": [{"divisions": len({d for d, _ in firsts}), "statements": statements}]}

    def adopter_count(self) -> int:
        """How many gov:adopter statements the index holds (what view-at-most counts)."""
        return self.db.execute("SELECT COUNT(*) FROM adoption").fetchone()[0]



def _year(value: str | None) -> int | str | None:
    """A gYear as the store's rows give it (`kg.store.to_python`): an int where it is one; "9999" (undated)
    is None."""
    if value is None or value == "9999":
        return None
    try:
        return int(value)
    except ValueError:
        return value

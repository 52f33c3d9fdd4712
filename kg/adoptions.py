"""The adoption index: every adoption statement of a store folder as one row, kept beside the store.

Views of a whole corpus and spread traces of a large family read hundreds of thousands of adoptions.  From
Oxigraph each property of each adoption is a lookup in the union of thousands of report graphs (about 10 µs
a statement on two cores), so that a view of 10,000 reports waits half a minute for its aggregates.  The index
holds what those readers need — adoption, adopter, practice, mode, year, year source, month, designator,
stated designation level and the quote and report of its evidence; and for spread statements and learning
links their origin, practice, learner, year, scope and evidence — in SQLite (``govkg-adoptions.sqlite`` in the
store folder), with what is derived from them per adopter and practice and a copy of every division's details.
Readers aggregate it there, or find the few statements they draw and ask the store only for what is left.

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import product
from pathlib import Path

import pyoxigraph as ox

from govkg.builders.emit import SHARED_LINE_END
from govkg.namespace import GOV_IRI

ADOPTIONS_FILE = "govkg-adoptions.sqlite"
TIME_IRI = "http://www.w3.org/2006/time#"
# The properties of an adoption the index keeps, by the column that holds them.
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROPERTIES = {"adopter": GOV_IRI + "adopter", "practice": GOV_IRI + "practice", "mode": GOV_IRI + "mode",
              "year": GOV_IRI + "year", "source": GOV_IRI + "yearSource", "month": TIME_IRI + "inXSDgYearMonth",
              "designator": GOV_IRI + "designatedBy", "level": GOV_IRI + "designationLevel",
              "origin": GOV_IRI + "from", "learner": GOV_IRI + "learner", "type": RDF_TYPE,
              # the evidence of an adoption: its quote and the source name of its report (spread-evidence.rq)
              "evidence": GOV_IRI + "evidence", "quote": GOV_IRI + "quote", "in_report": GOV_IRI + "inReport",
              "report_name": GOV_IRI + "sourceName", "scope": GOV_IRI + "scope"}
# an adoption's, besides its adopters
COLUMNS = ("practice", "mode", "year", "source", "month", "designator", "level")
# Spread statements and learning links: the statements with a gov:from (builders.emit), with their types.
TYPES = {"Spread": GOV_IRI + "Spread", "Learning": GOV_IRI + "Learning"}
PILOTED = GOV_IRI + "Piloted"
_COLUMN = {f"<{iri}>": column for column, iri in PROPERTIES.items()}
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
FORMAT = "4"          # the layout of the file; another one is rebuilt, not read
DIVISION_COLUMNS = ("d", "name", "code", "parentCode", "level", "lon", "lat")      # spread-divisions.rq
Divisions = tuple[Iterable[Mapping], Iterable[Mapping]]     # rows of spread-divisions and spread-ancestors

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS term(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS adoption(graph INTEGER NOT NULL, iri TEXT NOT NULL, adopter INTEGER NOT NULL,
    practice INTEGER, mode INTEGER, year TEXT, source INTEGER, month TEXT, designator INTEGER, level INTEGER,
    quote INTEGER);
CREATE TABLE IF NOT EXISTS quote(id INTEGER PRIMARY KEY, graph INTEGER NOT NULL, text TEXT NOT NULL,
    report TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS quote_graph ON quote(graph);
CREATE TABLE IF NOT EXISTS statement(graph INTEGER NOT NULL, iri TEXT NOT NULL, origin INTEGER NOT NULL,
    practice INTEGER, learner INTEGER, year TEXT, spread INTEGER NOT NULL, learning INTEGER NOT NULL,
    scope TEXT, source INTEGER, quote INTEGER);
CREATE INDEX IF NOT EXISTS statement_graph ON statement(graph);
CREATE INDEX IF NOT EXISTS statement_practice ON statement(practice);
CREATE TABLE IF NOT EXISTS indexed(graph INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dirty(graph TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS adoption_graph ON adoption(graph);
CREATE INDEX IF NOT EXISTS adoption_practice ON adoption(practice, adopter, year);
CREATE INDEX IF NOT EXISTS adoption_adopter ON adoption(adopter, practice, year);
CREATE INDEX IF NOT EXISTS adoption_designated ON adoption(practice) WHERE designator NOTNULL;
CREATE TABLE IF NOT EXISTS pair(adopter INTEGER NOT NULL, practice INTEGER NOT NULL, n INTEGER NOT NULL,
    first TEXT NOT NULL, PRIMARY KEY (adopter, practice)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS first_adoption(practice INTEGER NOT NULL, adopter INTEGER NOT NULL, stated TEXT,
    stated_quote INTEGER, earliest TEXT NOT NULL, earliest_quote INTEGER, modes TEXT NOT NULL,
    PRIMARY KEY (practice, adopter)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS first_adoption_adopter ON first_adoption(adopter);
CREATE TABLE IF NOT EXISTS touched(adopter INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS division(d TEXT NOT NULL, name, code, parentCode, level, lon, lat);
CREATE INDEX IF NOT EXISTS division_d ON division(d);
CREATE TABLE IF NOT EXISTS ancestor(d TEXT NOT NULL, ancestor TEXT NOT NULL, code);
CREATE INDEX IF NOT EXISTS ancestor_d ON ancestor(d);
"""
# One row per gov:adopter statement: an adoption by a division and one of its agencies is two rows (and one
# per gov:from statement of a spread statement or learning link).  The
# indexes on (practice, adopter, year) and (adopter, practice, year) hold all that the aggregates of views read,
# so they never read the rows, whether a view starts from practices or from a few divisions.  `pair` holds, per
# adopter and practice, its adoptions and first year ("9999": none dated): what an overview of a whole corpus
# groups, so it stays narrow.  `first_adoption` holds, per practice and adopter, the keys of
# spread-adopters.rq for its first adoption stated by the text and its first of any date, with their quotes,
# and its modes: what a trace reads, a family's practices at a time.  Both are derived at the end of every
# build that changed the index, for the adopters whose rows changed.  `quote` holds the evidence of adoptions (one
# row per distinct quote and report of a graph).  `division` and `ancestor` hold what spread-divisions.rq
# and spread-ancestors.rq answer for every division (a few thousand: shared descriptions and the vocabulary,
# derived from the reports held), read from the store when `pair` is derived; their columns have no type, so
# that a value comes back as the store's row gave it.


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


def _evidence(facts: dict[str, dict[str, list[str]]], evidence: list[str]) -> tuple[str, str] | None:
    """The quote and report source name of an adoption's evidence (the least evidence IRI that has both: every
    adoption has one evidence, builders.emit; a trace read from the store shows any one of several)."""
    for e in sorted(evidence):
        found = facts.get(e, {})
        for report in sorted(found.get("in_report") or []):
            names = facts.get(report, {}).get("report_name")
            if found.get("quote") and names:
                return min(found["quote"]), min(names)
    return None


def rows_of_store(store: ox.Store, graph: str) -> dict[str, dict[str, list[str]]]:
    """`rows_of_lines` for a report graph already in the store: each property scanned in that graph."""
    facts: dict[str, dict[str, list[str]]] = {}
    g = ox.NamedNode(graph)
    for column, iri in PROPERTIES.items():
        objects = [ox.NamedNode(t) for t in TYPES.values()] if column == "type" else [None]
        for q in (q for o in objects for q in store.quads_for_pattern(None, ox.NamedNode(iri), o, g)):
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
                self._db = self._writable()
                if self._meta("format") not in (None, FORMAT):      # another layout: start afresh
                    self._db.close()
                    for extra in ("", "-wal", "-shm"):
                        Path(str(self.path) + extra).unlink(missing_ok=True)
                    self._db = self._writable()
                self._db.executescript(SCHEMA)
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
                self._db.commit()
        return self._db

    def _writable(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

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
        quotes: dict[tuple[str, str], int] = {}          # (quote, report) → its row: one per graph
        for a, f in sorted(facts.items()):
            if f.get("origin"):
                types = set(f.get("type") or [])
                spread, learning = int(TYPES["Spread"] in types), int(TYPES["Learning"] in types)
                options: list[list[str | None]] = [[*f[c]] if f.get(c) else [None] for c in
                                                   ("practice", "learner", "year", "scope", "source")]
                quote = self._quote(g, quotes, facts, f)
                db.executemany("INSERT INTO statement VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    (g, a, self._term(origin), practice and self._term(practice), learner and self._term(learner),
                     year, spread, learning, scope, source and self._term(source), quote)
                    for origin in f["origin"] for practice, learner, year, scope, source in product(*options)])
            adopters = f.get("adopter")
            if not adopters:
                continue
            # every adoption has one practice, mode and date (builders.emit); were there more, the index
            # would keep one row per combination, as a SPARQL join does
            values: list[list[str | None]] = [[*f[c]] if f.get(c) else [None] for c in COLUMNS]
            quote = self._quote(g, quotes, facts, f)
            db.executemany("INSERT INTO adoption VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (g, a, self._term(d), practice and self._term(practice), mode and self._term(mode), year,
                 source and self._term(source), month, designator and self._term(designator),
                 level and self._term(level), quote)
                for d in sorted(set(adopters))
                for practice, mode, year, source, month, designator, level in product(*values)])
        self._touch(g)
        db.execute("INSERT OR IGNORE INTO indexed VALUES (?)", (g,))    # indexed, even with no adoption
        db.execute("DELETE FROM dirty WHERE graph = ?", (graph,))

    def _quote(self, g: int, quotes: dict[tuple[str, str], int], facts: dict[str, dict[str, list[str]]],
               f: dict[str, list[str]]) -> int | None:
        """The row of `quote` holding the evidence of a statement (`f`) of graph `g`, added if new (`quotes`:
        the graph's rows so far)."""
        found = _evidence(facts, f.get("evidence") or [])
        if found is None:
            return None
        if found not in quotes:
            quotes[found] = self.db.execute("INSERT INTO quote(graph, text, report) VALUES (?, ?, ?) RETURNING id",
                                            (g, *found)).fetchone()[0]
        return quotes[found]

    def _drop(self, g: int) -> None:
        self._touch(g)
        self.db.execute("DELETE FROM adoption WHERE graph = ?", (g,))
        self.db.execute("DELETE FROM statement WHERE graph = ?", (g,))
        self.db.execute("DELETE FROM quote WHERE graph = ?", (g,))

    def _touch(self, g: int) -> None:
        """The adopters of graph `g` need their `pair` and `first_adoption` rows derived again (kept in the file,
        in the transaction of the change: an interrupted writer leaves them for the next one)."""
        self.db.execute("INSERT OR IGNORE INTO touched SELECT DISTINCT adopter FROM adoption WHERE graph = ?", (g,))

    def forget(self, graphs: Iterable[str]) -> None:
        self.begin()
        for graph in graphs:
            row = self.db.execute("SELECT id FROM term WHERE iri = ?", (graph,)).fetchone()
            if row is not None:
                self._drop(row[0])
                self.db.execute("DELETE FROM indexed WHERE graph = ?", (row[0],))

    def finish(self, store: ox.Store, report_graphs: Callable[[], list[str]], state: str | None,
               divisions: Callable[[], Divisions],
               progress: Callable[[Iterator[str], int], Iterator[str]] | None = None) -> int:
        """Square the index with the store's report graphs and record the identity it is now true for
        (`divisions`: the rows of `division` and `ancestor`, asked of the store); returns the number of graphs
        read back from the store."""
        if state is None or (not self.changing and self.state() == state):
            if state is not None and self._meta("pairs") != state:       # an index from before `pair`
                self._derive(state, divisions)
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
        self._derive(state, divisions)
        self.changing = False
        return len(read)

    def _derive(self, state: str, divisions: Callable[[], Divisions]) -> None:
        """Derive `pair` and `first_adoption` from the rows, read `division` and `ancestor` from the store, and
        record the state they are true for (in one transaction)."""
        db = self.db
        found, above = divisions()
        db.execute("DELETE FROM division")
        db.executemany("INSERT INTO division VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [tuple(r[c] for c in DIVISION_COLUMNS) for r in found])
        db.execute("DELETE FROM ancestor")
        db.executemany("INSERT INTO ancestor VALUES (?, ?, ?)", [(r["d"], r["ancestor"], r["code"]) for r in above])
        # the pairs of the adopters whose rows changed since `pair` was last derived; all of them the first time
        every = self._meta("pairs") is None
        touched = "" if every else "AND adopter IN (SELECT adopter FROM touched)"
        touched_rows = "" if every else "AND a.adopter IN (SELECT adopter FROM touched)"
        db.execute(f"DELETE FROM pair WHERE TRUE {touched}")
        db.execute(f"DELETE FROM first_adoption WHERE TRUE {touched}")
        db.execute(f"INSERT INTO pair(adopter, practice, n, first) SELECT adopter, practice, COUNT(*), "
                   f"MIN(COALESCE(year, '9999')) FROM adoption WHERE practice NOTNULL {touched} "
                   f"GROUP BY adopter, practice")
        self._local()
        # the key of each adoption with a mode, as spread-adopters.rq builds it ("YEAR MM SOURCE RANK+MODE IRI"),
        # so that the least key of a pair is the same adoption; SQLite takes the bare quote column from the row
        # holding the MIN
        db.execute(f"""CREATE TEMP TABLE keyed AS
            SELECT adopter, practice, quote, mode, source IN ('StatedYear', 'ContextYear') AS stated,
                   year || ' ' || month || ' ' || source || ' ' || IIF(mode = 'piloted', '0', '1') || mode || ' '
                   || iri AS key
            FROM (SELECT a.adopter, a.practice, a.iri, a.quote, COALESCE(a.year, '9999') AS year,
                         COALESCE(SUBSTR(a.month, 6, 2), '--') AS month,
                         CASE WHEN a.source IS NULL THEN '-' ELSE COALESCE(s.name, '') END AS source,
                         LOWER(COALESCE(m.name, '')) AS mode
                  FROM adoption a LEFT JOIN temp.local m ON m.id = a.mode LEFT JOIN temp.local s ON s.id = a.source
                  WHERE a.mode IS NOT NULL AND a.practice IS NOT NULL {touched_rows})""")
        db.execute("""INSERT INTO first_adoption(practice, adopter, earliest, earliest_quote, modes)
                      SELECT practice, adopter, MIN(key), quote, GROUP_CONCAT(DISTINCT mode) FROM temp.keyed
                      GROUP BY practice, adopter""")
        db.execute("""UPDATE first_adoption SET stated = k.key, stated_quote = k.quote
                      FROM (SELECT adopter, practice, MIN(key) AS key, quote FROM temp.keyed WHERE stated
                            GROUP BY adopter, practice) AS k
                      WHERE first_adoption.adopter = k.adopter AND first_adoption.practice = k.practice""")
        db.execute("DROP TABLE temp.keyed")
        db.execute("DELETE FROM touched")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (state,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('pairs', ?)", (state,))
        db.commit()

    def _local(self) -> None:
        """temp.local: the local name of each IRI with a "#" (STRAFTER(…, "#")), by its number."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS local(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        self.db.execute("DELETE FROM temp.local")
        self.db.execute("INSERT INTO temp.local SELECT id, SUBSTR(iri, INSTR(iri, '#') + 1) FROM term "
                        "WHERE INSTR(iri, '#') > 0")

    # ------------------------------------------------------------ reading
    def terms(self) -> dict[int, str]:
        """Every IRI of the index by its number."""
        return dict(self.db.execute("SELECT id, iri FROM term"))

    def ids(self, iris: Iterable[str]) -> dict[str, int]:
        """The numbers of those of `iris` the index holds (looked up, not read all: a large index has tens of
        thousands)."""
        return dict(self._lookup("SELECT iri, id FROM term WHERE iri IN", set(iris)))

    def names(self, numbers: Iterable[int | None]) -> dict[int, str]:
        """The IRIs of `numbers` (None is left out)."""
        return dict(self._lookup("SELECT id, iri FROM term WHERE id IN", {n for n in numbers if n is not None}))

    def _lookup(self, sql: str, keys: set) -> Iterator[tuple]:
        """The rows of `sql` (ending in "IN") for `keys`, asked in blocks under SQLite's limit of parameters."""
        wanted = sorted(keys)
        for i in range(0, len(wanted), 10_000):
            chunk = wanted[i:i + 10_000]
            yield from self.db.execute(f"{sql} ({', '.join('?' * len(chunk))})", chunk)

    def _placed(self, provinces: Iterable[tuple[str, str]]) -> dict[int, set[str]]:
        """Division number → its province codes, for the (division IRI, province code) pairs the index knows."""
        pairs = list(provinces)
        ids = self.ids(d for d, _ in pairs)
        at: dict[int, set[str]] = {}
        for d, prov in pairs:
            if d in ids:
                at.setdefault(ids[d], set()).add(prov)
        return at

    def statements(self) -> set[tuple]:
        """Every row as IRIs and lexical forms: (adoption, adopter, practice, mode, year, year source, month,
        quote, report)."""
        term = self.terms()
        return {(a, term[d], term.get(p), term.get(m), y, term.get(s), ym, quote, report)
                for a, d, p, m, y, s, ym, quote, report in self.db.execute(
                    "SELECT iri, adopter, practice, mode, year, source, month, q.text, q.report "
                    "FROM adoption LEFT JOIN quote q ON q.id = adoption.quote")}

    def _in(self, practices: Iterable[str]) -> tuple[str, list[int]]:
        ids = sorted(self.ids(practices).values())
        return f"practice IN ({', '.join('?' * len(ids))})", ids

    def learning_links(self, practices: Iterable[str]) -> list[str]:
        """The learning links of a family (typed gov:Learning: spread-learning.rq), by IRI."""
        where, ids = self._in(practices)
        return sorted({s for (s,) in self.db.execute(f"SELECT iri FROM statement WHERE learning AND {where}", ids)})

    def spread_statements(self, practices: Iterable[str]) -> list[dict]:
        """The spread statements of a family (spread-family-statements.rq) with what that query reads of them
        but their origin's name: statement, origin, scope, year, year source, quote and report."""
        where, ids = self._in(practices)
        found = self.db.execute(
            f"SELECT s.iri, s.origin, s.scope, s.year, s.source, q.text, q.report FROM statement s "
            f"JOIN quote q ON q.id = s.quote WHERE s.learner ISNULL AND s.scope NOTNULL AND s.{where}", ids).fetchall()
        terms = self.names(n for r in found for n in (r[1], r[4]))
        rows = {(s, terms[d], scope, _year(year), terms[source].partition("#")[2] if source is not None else None,
                 quote, report) for s, d, scope, year, source, quote, report in found}
        return [dict(zip(("s", "d", "scope", "year", "source", "quote", "report"), r, strict=True))
                for r in sorted(rows, key=str)]

    def designated_pilots(self, practices: Iterable[str]) -> dict[str, list[tuple[str, str, str | None]]]:
        """Adopter → (adoption, designator, stated designation level) of each of its piloting adoptions of the
        family that names who designated it, by IRI (what spread-designators.rq joins per pilot)."""
        where, ids = self._in(practices)
        piloted = self.ids([PILOTED]).get(PILOTED)
        found = self.db.execute(f"SELECT adopter, iri, designator, level FROM adoption WHERE mode = ? "
                                f"AND designator NOTNULL AND {where}", [piloted, *ids]).fetchall()
        terms = self.names(n for d, _, dd, level in found for n in (d, dd, level))
        out: dict[str, set[tuple[str, str, str | None]]] = {}
        for d, a, dd, level in found:
            out.setdefault(terms[d], set()).add((a, terms[dd], terms[level] if level is not None else None))
        return {d: sorted(rows, key=str) for d, rows in out.items()}

    def spread_links(self, provinces: Iterable[tuple[str, str]], groups: dict[str, str],
                     years: list[str] | None) -> list[dict]:
        """What view-spread-links answers, from the index: spread statements per province of their origin
        and group of their practice, with the first dated year."""
        at = self._placed(provinces)
        ids = self.ids(groups)
        group = {ids[p]: g for p, g in groups.items() if p in ids}
        sql = (f"SELECT iri, origin, practice, COALESCE(year, '9999') FROM statement WHERE spread "
               f"AND practice IN ({', '.join('?' * len(group))})")
        params: list = sorted(group)
        if years is not None:
            sql += f" AND year IN ({', '.join('?' * len(years))})"
            params += years
        links: dict[tuple[str, str], list] = {}
        for s, d, p, year in self.db.execute(sql, params):
            for prov in sorted(at.get(d, ())):
                link = links.setdefault((prov, group[p]), [set(), year])
                link[0].add(s)
                link[1] = min(link[1], year)
        return [{"prov": prov, "g": g, "n": len(ss), "first": _year(first)}
                for (prov, g), (ss, first) in sorted(links.items())]

    def first_adoptions(self, practices: Iterable[str]) -> list[dict]:
        """What spread-adopters.rq answers for a family (`practices`), from the index: per adopter its first
        adoption stated by the text ("stated", "9999" for none), its first of any date ("first") and its
        modes; and the evidence (quote, report) of each of the two ("stated_evidence", "first_evidence"; None
        for an adoption without one).  The keys are built as that query builds them ("YEAR MM SOURCE
        RANK+MODE IRI"), so that the least key is the same adoption; `first_adoption` holds each adopter's
        least keys per practice (`_derive`), and an adopter's is the least of them in the family."""
        where, ids = self._in(practices)
        best: dict[int, list] = {}          # adopter → [stated key, its quote, first key, its quote, modes]
        for d, stated, stated_quote, earliest, earliest_quote, modes in self.db.execute(
                f"SELECT adopter, stated, stated_quote, earliest, earliest_quote, modes FROM first_adoption "
                f"WHERE {where}", ids):
            found = best.setdefault(d, ["9999", None, earliest, earliest_quote, set()])
            if stated is not None and stated < found[0]:
                found[0:2] = stated, stated_quote
            if earliest < found[2]:
                found[2:4] = earliest, earliest_quote
            found[4].update(modes.split(","))
        quotes = self._quotes({q for f in best.values() for q in (f[1], f[3]) if q is not None})
        terms = self.names(best)
        return [{"d": terms[d], "stated": stated, "first": first, "modes": " ".join(sorted(modes)),
                 "stated_evidence": quotes.get(stated_quote), "first_evidence": quotes.get(first_quote)}
                for d, (stated, stated_quote, first, first_quote, modes) in best.items()]

    def divisions(self, iris: Iterable[str]) -> tuple[list[dict], list[dict]]:
        """What spread-divisions.rq and spread-ancestors.rq answer for `iris`, from the index."""
        wanted = set(iris)
        found = [dict(zip(DIVISION_COLUMNS, row, strict=True)) for row in self._lookup(
            f"SELECT {', '.join(DIVISION_COLUMNS)} FROM division WHERE d IN", wanted)]
        above = [{"d": d, "ancestor": a, "code": code}
                 for d, a, code in self._lookup("SELECT d, ancestor, code FROM ancestor WHERE d IN", wanted)]
        return found, above

    def _quotes(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """The quote and report of each of the evidence rows `ids`."""
        return {q: (text, report) for q, text, report in self._lookup(
            "SELECT id, text, report FROM quote WHERE id IN", set(ids))}

    def aggregate(self, provinces: Callable[[], Iterable[tuple[str, str]]], groups: dict[str, str] | None,
                  years: list[str] | None, some_divisions: bool = False) -> dict[str, list[dict]]:
        """What view-province-years, view-links and view-count answer, from the index: the adoptions by the
        divisions in `provinces` (division → province code; a division under two codes counts in both), of
        the practices in `groups` (practice → the node it is drawn as; None: any practice), in `years`
        (gYear lexical forms; None: any year, undated included); `some_divisions`: `provinces` names the
        divisions of a view of a few, read from them (else `provinces` is called once the index has
        answered: it may be a query under way).  The store counts distinct adoptions; here
        each adoption has one adopting division (builders.emit), so the rows of a division are its
        adoptions."""
        at = self._placed(provinces()) if some_divisions else {}
        # undated adoptions count as "9999": the least year of a group is then its first dated one.  Grouped
        # in the store per adopter and practice group (a temporary table maps practices to their groups).
        names = sorted(set(groups.values())) if groups is not None else [None]
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS drawn(practice INTEGER PRIMARY KEY, node INTEGER NOT NULL)")
        db.execute("DELETE FROM temp.drawn")
        if groups is not None:
            number = {g: i for i, g in enumerate(names)}
            ids = self.ids(groups)
            db.executemany("INSERT INTO temp.drawn VALUES (?, ?)",
                           sorted((ids[p], number[g]) for p, g in groups.items() if p in ids))
            sql = ("SELECT a.adopter, d.node, COUNT(*), MIN(COALESCE(a.year, '9999')) FROM adoption a "
                   "JOIN temp.drawn d ON d.practice = a.practice WHERE 1")
            if years is None and not some_divisions and self._meta("pairs") == self.state():
                # a whole corpus: from the adoptions already counted per adopter and practice
                sql = ("SELECT a.adopter, d.node, SUM(a.n), MIN(a.first) FROM pair a "
                       "JOIN temp.drawn d ON d.practice = a.practice WHERE 1")
        else:
            sql = ("SELECT adopter, 0, COUNT(*), MIN(COALESCE(year, '9999')) FROM adoption a "
                   "WHERE practice NOTNULL")
        params: list = []
        if some_divisions:
            sql += f" AND a.adopter IN ({', '.join('?' * len(at))})"
            params += sorted(at)
        if years is not None:
            sql += f" AND a.year IN ({', '.join('?' * len(years))})"
            params += years
        sql += " GROUP BY 1, 2"
        db.execute("DROP TABLE IF EXISTS temp.grouped")
        db.execute("CREATE TEMP TABLE grouped(adopter INTEGER, node INTEGER, n INTEGER, first TEXT)")
        db.execute(f"INSERT INTO temp.grouped {sql}", params)
        if not some_divisions:
            at = self._placed(provinces())
        db.execute("CREATE TEMP TABLE IF NOT EXISTS place(adopter INTEGER NOT NULL, prov TEXT NOT NULL, "
                   "PRIMARY KEY (adopter, prov)) WITHOUT ROWID")
        db.execute("DELETE FROM temp.place")
        db.executemany("INSERT INTO temp.place VALUES (?, ?)", sorted((d, p) for d, ps in at.items() for p in ps))
        # a division under two province codes counts in both; its statements count once
        links = [{"prov": prov, "g": names[node], "divisions": n, "statements": m, "first": _year(first)}
                 for prov, node, n, m, first in db.execute(
                     "SELECT p.prov, g.node, COUNT(*), SUM(g.n), MIN(g.first) FROM temp.grouped g "
                     "JOIN temp.place p ON p.adopter = g.adopter GROUP BY 1, 2 ORDER BY 1, 2")]
        province_years = [{"prov": prov, "fy": _year(fy), "n": n} for prov, fy, n in db.execute(
            "SELECT prov, fy, COUNT(*) FROM (SELECT g.adopter, p.prov, MIN(g.first) AS fy FROM temp.grouped g "
            "JOIN temp.place p ON p.adopter = g.adopter GROUP BY 1, 2) GROUP BY 1, 2 ORDER BY 1, 2")]
        divisions, statements = db.execute(
            "SELECT COUNT(DISTINCT adopter), COALESCE(SUM(n), 0) FROM temp.grouped "
            "WHERE adopter IN (SELECT adopter FROM temp.place)").fetchone()
        db.execute("DROP TABLE temp.grouped")
        return {"view-links": links, "view-province-years": province_years,
                "view-count": [{"divisions": divisions, "statements": statements}]}

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

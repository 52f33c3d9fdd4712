"""The `govkg` command line: a thin layer over `govkg.KnowledgeGraph`."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import click

from govkg import __version__
from govkg.kg.api import KnowledgeGraph, MetadataError, QueryParameterError, read_metadata
from govkg.kg.store import GraphFileError, GraphStore, Rows, boolean_result, format_of, is_store

DEFAULT_GRAPH = "govkg.ttl"
DEFAULT_STORE = "govkg.store"
EXIT_SKIPPED = 3   # `govkg build`: the graph was written, but some input files were skipped
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def default_graph() -> str:
    """The store `govkg build` left here if there is one, else its Turtle file."""
    return DEFAULT_STORE if Path(DEFAULT_STORE).is_dir() else DEFAULT_GRAPH


def graph_option(f):
    return click.option("--graph", "graph", default=default_graph, show_default="govkg.store if present, else govkg.ttl",
                        type=click.Path(dir_okay=True, path_type=Path),
                        help="Graph file (ttl, nt, nq, trig, jsonld) or store folder written by `govkg build`.")(f)


def endpoint_option(f):
    return click.option("--endpoint", default=None, metavar="URL",
                        help="Ask this SPARQL 1.1 endpoint instead of a local graph (Oxigraph server, Fuseki, "
                             "QLever); it should serve the union of the report graphs as its default graph.")(f)


# On a terminal `query` and `spread` print a head of this many rows (entries per list) and count the rest;
# piped or redirected they print everything, so that scripts get whole answers.
HEAD = 20


def head_options(f):
    f = click.option("--all", "show_all", is_flag=True, help="Print everything, also on a terminal.")(f)
    return click.option("--limit", type=click.IntRange(0), default=None, metavar="N",
                         help=f"Print the first N rows and count the rest [default: {HEAD} on a terminal, "
                              "everything when piped].")(f)


def head_limit(limit: int | None, show_all: bool) -> int | None:
    """How many rows to print: --limit, else everything with --all or when stdout is not a terminal."""
    if limit is not None and show_all:
        raise click.UsageError("give --limit or --all, not both")
    if show_all:
        return None
    if limit is not None:
        return limit
    return HEAD if _terminal() else None


def _terminal() -> bool:
    return sys.stdout.isatty()


def open_graph(path: Path, endpoint: str | None = None) -> KnowledgeGraph:
    try:
        return KnowledgeGraph.open(endpoint or path)
    except (GraphFileError, OSError) as e:
        raise click.ClickException(safe(str(e))) from None


# Report text and file names are untrusted: on a terminal, control characters (escape sequences, bidi
# overrides) are shown as visible escapes instead of acting on it.
_UNSAFE = {c: f"\\x{c:02x}" for c in list(range(0x20)) + list(range(0x7F, 0xA0)) if c not in (0x09, 0x0A)}
_UNSAFE.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)})
_UNSAFE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})


# the characters of _UNSAFE as one class: a search finds the rare ones (str.translate looks up every character
# of a trace's or a query's output in the table, 0.2 s for a few megabytes of Chinese)
_UNSAFE_FOUND = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_UNSAFE)) + "]")


def safe(text: str) -> str:
    """Untrusted text made harmless for a terminal."""
    return _UNSAFE_FOUND.sub(lambda m: _UNSAFE[ord(m.group())], text)


def _export(kg: KnowledgeGraph, out: Path, fmt: str | None) -> int:
    try:
        return kg.export(out, fmt)
    except GraphFileError as e:
        raise click.BadParameter(str(e), param_hint="--out") from None
    except (OSError, subprocess.CalledProcessError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise click.ClickException(f"cannot write {safe(str(out))}: {reason}") from None


class StrictInt(click.ParamType):
    """A whole number in ASCII digits (click's INT takes "1_0" and other scripts' digits, as int() does)."""
    name = "integer"

    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            n = value
        elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            n = int(value.strip())
        else:
            self.fail(f"{value!r} is not a whole number in ASCII digits", param, ctx)
        if (self.minimum is not None and n < self.minimum) or (self.maximum is not None and n > self.maximum):
            self.fail(f"{n} is not in the range {self.minimum}..{self.maximum}", param, ctx)
        return n


class Main(click.Group):
    """The command group: errors from files, stores and endpoints end in one line, never a traceback, and
    SIGTERM unwinds like Ctrl-C so that temporary files are removed on the way out."""

    def invoke(self, ctx):
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:          # `govkg query … | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (OSError, RuntimeError, GraphFileError, subprocess.CalledProcessError) as e:
            raise click.ClickException(safe(_one_line(e))) from None
        finally:
            signal.signal(signal.SIGTERM, previous)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def _one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return f"{e.filename + ': ' if e.filename else ''}{e.strerror}"
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


@click.group(cls=Main, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version")
def main() -> None:
    """Build and explore a knowledge graph of Chinese local-government rule-of-law practices.

    \b
    Example — build the bundled sample corpus, then ask who adopted the three enforcement systems:
        govkg build --out govkg.ttl --html govkg.html
        govkg query adopters --param practice=three-enforcement-systems
    """


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", default=DEFAULT_GRAPH, show_default=True, type=click.Path(path_type=Path),
              help="Where to write the graph.")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "jsonld"]), default=None,
              help="Output format (default: from the --out extension).")
@click.option("--html", "html_out", type=click.Path(path_type=Path), default=None,
              help="Also write an interactive HTML view of the graph here.")
@click.option("--show", "show", default=None, metavar="QUERY",
              help="Print the answer of this named query after the summary (e.g. adopters).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter for --show.")
@click.option("--strict", is_flag=True, help="Stop at the first file that cannot be built.")
@click.option("--max-bytes", default=5 * 1024 * 1024, show_default=True, type=StrictInt(1),
              help="Skip files larger than this (no more than this is ever read).")
@click.option("--texts", "texts_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to keep the text of HTML and non-UTF-8 reports as read, by SHA-256 "
                   "[default: OUT with .texts instead of its extension].")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Persistent Oxigraph store folder; building into it again is incremental "
                   "[default: OUT with .store instead of its extension].")
@click.option("--no-store", is_flag=True, help="Build in memory only (no store folder).")
@click.option("--metadata", "metadata_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="CSV sidecar with columns file, division_code, year, url, publisher, title: "
                                 "what it gives overrides what is detected; url becomes the report's source.")
@click.option("--prune", is_flag=True,
              help="Remove from the store the reports that are not among PATHS (by default they are kept: "
                   "the store is the corpus).")
@click.option("--workers", default=1, show_default=True, type=StrictInt(1, 256),
              help="Build reports in this many processes.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine; dask: a Dask cluster (see --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); none: a local Dask cluster with --workers workers.")
@click.option("--vocabulary", "vocabularies", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A user vocabulary (JSON, the format of ontology/vocabulary/practices.json) whose practices are "
                   "recognised beside the shipped ones (repeatable); promotes candidates into practices.")
def build(paths, out, fmt, html_out, show, params, strict, max_bytes, texts_dir, store, no_store, metadata_csv, prune,
          workers, engine, scheduler, vocabularies):
    """Build the graph from report files or folders (none given: the bundled sample corpus).

    Building into a store again is incremental: unchanged reports are skipped, a changed file replaces its
    old version, a renamed file gets its new name, and reports in the store that are not given are kept
    (--prune removes them; `govkg remove` removes by name). The summary names what was added, changed,
    renamed and removed. The written graph always equals a fresh build of the reports the store holds,
    byte for byte.

    Reports may be text, HTML, PDF (its text layer; evidence keeps the page) or DOCX; a legacy .doc or a
    scanned PDF without text is skipped with that reason. Every file is built on its own: one that cannot be
    read or built (not text, too large, not a regular file, a failure inside the pipeline) is skipped with
    its name and reason, and the rest is stored.
    Folders are walked without following symbolic links to folders or to files outside them.
    Exit status 0 when every file built, 3 when some were skipped, 1 on error.

    \b
    Examples:
        govkg build --out govkg.ttl --html govkg.html --show adopters --param practice=three-enforcement-systems
        govkg build reports/2020/ --out 2020.nt
        govkg build crawl/ --metadata crawl/files.csv
    """
    try:
        format_of(out, fmt)
    except GraphFileError as e:
        raise click.BadParameter(str(e), param_hint="--out") from None
    try:
        metadata = read_metadata(metadata_csv) if metadata_csv else None
    except MetadataError as e:
        raise click.BadParameter(safe(str(e)), param_hint="--metadata") from None

    def progress(items, total, label="building"):
        # items: the reports' payloads while building, the names of report graphs while indexing
        with click.progressbar(items, length=total, label=label, file=sys.stderr, show_pos=True,
                               item_show_func=lambda p: getattr(p, "source_name", "") if p else "") as bar:
            yield from bar
    try:
        kg = KnowledgeGraph.build(list(paths) if paths else None, strict=strict, max_bytes=max_bytes,
                                  texts_dir=texts_dir or out.with_suffix(".texts"),
                                  store=None if no_store else (store or out.with_suffix(".store")),
                                  workers=workers, engine=engine, scheduler=scheduler, progress=progress,
                                  prune=prune, vocabulary=vocabularies, metadata=metadata)
    except (ValueError, OSError, RuntimeError) as e:
        raise click.ClickException(safe(str(e))) from None
    n = _export(kg, out, fmt)
    summary = kg.summary
    click.echo(f"wrote {safe(str(out))} ({n} statements)")
    r = kg.report
    click.echo(f"documents: {summary['documents']} (built {r.built}, unchanged {r.unchanged}, removed {r.removed}, "
               f"kept {r.kept})   triples: {summary['triples']}   characters: {r.chars}   seconds: {r.seconds:.2f}")
    for label, names in (("added", r.added), ("changed", r.changed),
                         ("renamed", [f"{a} -> {b}" for a, b in r.renamed]), ("removed", r.removed_names)):
        if names:
            click.echo(f"{label}: " + ", ".join(safe(n) for n in names[:20]) +
                       (f" … ({len(names)} in all)" if len(names) > 20 else ""))
    click.echo("entities: " + ", ".join(f"{k} {v}" for k, v in summary["entities"].items()))
    click.echo("facts:    " + (", ".join(f"{k} {v}" for k, v in sorted(kg.report.facts.items()))
                               or "(of the reports built now: none)"))
    if html_out:
        kg.view(html_out)
        click.echo(f"wrote {html_out}")
    if show:
        click.echo(f"\n{show}: {KnowledgeGraph.named_queries().get(show, '')}")
        _print_rows(_run_query(kg, show, params), "table", head_limit(None, False))
    for w in kg.report.warnings:
        click.echo(f"warning: {safe(w)}", err=True)
    for name in kg.report.unplaced:
        click.echo(f"warning: {safe(name)}: no reporting division found (its practices are attributed to none)", err=True)
    for s in kg.report.skipped:
        click.echo(f"skipped {safe(s.path)}: {safe(s.reason)}", err=True)
    if kg.report.skipped:
        sys.exit(EXIT_SKIPPED)


@main.command(context_settings=CONTEXT)
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_STORE,
              show_default=True, help="The store folder written by `govkg build`.")
@click.option("--out", default=None, type=click.Path(path_type=Path),
              help="Also write the graph that remains here (ttl, nt, nq, jsonld).")
def remove(names, store, out):
    """Remove reports from a store by file name (as `govkg query reports` lists them) or by the start of
    their SHA-256 (at least 8 hex digits). The shared entity graph is derived again from the reports that
    remain, so the store then equals a fresh build of them.

    \b
    Example:
        govkg remove 004_cf16352dc10b8b11.txt --store govkg.store --out govkg.ttl
    """
    if not Path(store).is_dir():
        raise click.ClickException(f"{safe(str(store))}: no such store folder")
    try:
        removed = KnowledgeGraph.remove(store, names)
    except KeyError as e:
        raise click.ClickException(safe(str(e.args[0]))) from None
    except (ValueError, OSError) as e:
        raise click.ClickException(safe(str(e))) from None
    click.echo(f"removed {len(removed)}: " + ", ".join(safe(n) for n in removed))
    if out:
        n = _export(open_graph(store), out, None)
        click.echo(f"wrote {safe(str(out))} ({n} statements)")


@main.command(context_settings=CONTEXT)
@click.argument("name", required=False)
@graph_option
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable). Values are bound as RDF terms, never pasted into the query; "
                   "practice slugs and divisions (GB/T 2260 code, full or short name) are checked against the graph.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml"]), default="table",
              show_default=True,
              help="table: for reading; json, csv, tsv, xml: SPARQL 1.1 Query Results formats.")
@click.option("--list", "list_", is_flag=True, help="List the named queries with one line each.")
@head_options
@endpoint_option
def query(name, graph, params, fmt, list_, limit, show_all, endpoint):
    """Run a named query (see --list), a .rq file, or SPARQL read from standard input (NAME is -).

    On a terminal the first 20 rows are printed with a count of the rest (--limit N, --all); piped or
    redirected, every row.

    \b
    Examples:
        govkg query --list
        govkg query adopters --param practice=three-enforcement-systems
        govkg query division-practices --param division=中卫 --format csv
        govkg query my-question.rq --graph govkg.ttl --format json
        echo 'SELECT (COUNT(*) AS ?n) WHERE { ?a a gov:Adoption }' | govkg query - --format tsv
    """
    if list_:
        for n, summary in KnowledgeGraph.named_queries().items():
            click.echo(f"{n:28s} {safe(summary)}")
        return
    if not name:
        raise click.UsageError("give a query name, a .rq file or - (standard input) (see `govkg query --list`)")
    if name == "-":
        name = click.get_text_stream("stdin").read()
        if not name.strip():
            raise click.UsageError("no query on standard input")
    kg = open_graph(graph, endpoint)
    head = head_limit(limit, show_all)
    if fmt == "table":
        _print_rows(_run_query(kg, name, params), fmt, head)
        return
    result = _run_query(kg, name, params, raw=True)
    if isinstance(result, Rows) and head is not None and len(result) > head:
        more = len(result) - head
        click.echo(f"({head} of {len(result)} rows; {more} more: --limit N or --all)", err=True)  # data stays parseable
        result = result.head(head)
    data = boolean_result(result, fmt) if isinstance(result, bool) else result.serialize(fmt)
    if not data.endswith(b"\n"):
        data += b"\n"
    out = click.get_binary_stream("stdout")
    if out.isatty():           # written as is to files and pipes; on a terminal, made harmless
        data = safe(data.decode("utf-8")).encode("utf-8")
    out.write(data)


def _run_query(kg: KnowledgeGraph, name: str, params: tuple[str, ...], raw: bool = False) -> Rows | bool:
    bound = {}
    for p in params:
        if "=" not in p:
            raise click.BadParameter(f"{p!r} is not NAME=VALUE", param_hint="--param")
        k, v = p.split("=", 1)
        bound[k.strip()] = v
    try:
        result = kg.query(name, **bound)
    except KeyError as e:
        raise click.UsageError(str(e.args[0])) from None
    except QueryParameterError as e:
        raise click.BadParameter(str(e), param_hint="--param") from None
    except (SyntaxError, RuntimeError, OSError) as e:
        raise click.ClickException(f"query failed: {_one_line(e)}") from None
    if not isinstance(result, Rows) and not raw:
        return Rows(["answer"], [{"answer": result}])
    return result


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: object, limit: int = 60) -> str:
    text = "" if value is None else safe(str(value).replace("\n", " "))
    out, w = "", 0
    for ch in text:
        cw = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if w + cw > limit:
            return out + "…"
        out += ch
        w += cw
    return out


def _print_rows(rows: Rows, fmt: str, limit: int | None = None) -> None:
    shown = rows.rows if limit is None else rows.rows[:limit]
    rest = len(rows) - len(shown)
    more = f"({len(shown)} of {len(rows)} rows; {rest} more: --limit N or --all)"
    if fmt == "json":
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=rows.variables, lineterminator="\n")
        w.writeheader()
        w.writerows({k: safe(v) if isinstance(v, str) else v for k, v in r.items()} for r in shown)
        click.echo(buf.getvalue(), nl=False)
    if fmt != "table":
        if rest:
            click.echo(more, err=True)     # the data stays parseable
        return
    table = [[_cell(v) for v in rows.variables]] + [[_cell(r[v]) for v in rows.variables] for r in shown]
    widths = [max(_width(row[i]) for row in table) for i in range(len(rows.variables))]
    for j, row in enumerate(table):
        click.echo("  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip())
        if j == 0:
            click.echo("  ".join("-" * w for w in widths))
    click.echo(more if rest else f"({len(rows)} rows)")


@main.command(context_settings=CONTEXT)
@graph_option
@click.option("--practice", default=None, metavar="SLUG", help="Only this practice and its narrower practices.")
@click.option("--division", default=None, metavar="CODE", help="Only this division (GB/T 2260 code or name).")
@click.option("--out", default="govkg.html", show_default=True, type=click.Path(path_type=Path))
@click.option("--class", "classes", multiple=True, type=click.Choice(["Division", "Practice", "Agency", "Regulation"]),
              help="Classes to show (repeatable) [default: Division and Practice].")
@click.option("--year", "years", default=None, metavar="YEAR|FIRST-LAST", callback=lambda c, p, v: _years(v),
              help="Only adoptions stated in this year or span of years (e.g. 2020 or 2018-2020).")
@endpoint_option
def view(graph, practice, division, out, classes, years, endpoint):
    """Write an interactive HTML view that works offline (no CDN), with evidence on click.

    A small selection shows every division and practice with the evidence of each adoption; a large one
    (past 300 divisions or 1,500 adoption statements) is aggregated per province and practice family, with
    the heaviest links drawn and what was left out said under the title.

    \b
    Examples:
        govkg view --practice fengqiao-experience --out fengqiao.html
        govkg view --division 640500 --out zhongwei.html
        govkg view --class Division --class Agency --class Regulation --out bodies.html
        govkg view --practice fang-guan-fu --year 2018-2020 --out fgf.html
    """
    kg = open_graph(graph, endpoint)
    try:
        kg.view(out, practice=practice, division=division, classes=classes or ("Division", "Practice"), years=years)
    except KeyError as e:
        raise click.BadParameter(str(e.args[0])) from None
    click.echo(f"wrote {out}")


def _years(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    first, _, last = value.partition("-")
    if not (first.isdigit() and len(first) == 4 and (not last or (last.isdigit() and len(last) == 4))):
        raise click.BadParameter(f"{value!r} is not a year (2020) or a span of years (2018-2020)")
    span = (int(first), int(last or first))
    if span[0] > span[1]:
        raise click.BadParameter(f"{value!r}: the first year is after the last")
    return span


@main.command(context_settings=CONTEXT)
@graph_option
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "jsonld"]), required=True)
@click.option("--out", required=True, type=click.Path(path_type=Path))
def export(graph, fmt, out):
    """Export the graph to another RDF format (sorted, deterministic, written atomically).

    \b
    Example:
        govkg export --graph govkg.ttl --format nt --out govkg.nt
    """
    n = _export(open_graph(graph), out, fmt)
    click.echo(f"wrote {safe(str(out))} ({n} statements)")


@main.command(context_settings=CONTEXT)
@click.argument("practice", metavar="SLUG")
@graph_option
@click.option("--html", "html_out", type=click.Path(path_type=Path), default=None,
              help="Write the spread view (map-like layout by real coordinates, evidence on click).")
@click.option("--csv", "csv_out", type=click.Path(path_type=Path), default=None,
              help="Write the cascades CSV: division_code, division, practice, adopt_year, year_source "
                   "(stated|context|report), mode, report, quote; undated adopters kept with no year.")
@click.option("--gexf", "gexf_out", type=click.Path(path_type=Path), default=None,
              help="Write the network as dynamic GEXF (Gephi): a start year on what the text dates.")
@click.option("--graphml", "graphml_out", type=click.Path(path_type=Path), default=None,
              help="Write the network as GraphML.")
@click.option("--map", "map_out", type=click.Path(path_type=Path), default=None,
              help="Write the adoption map (real boundaries, year slider, evidence on click; works offline).")
@click.option("--figure", "figure_out", type=click.Path(path_type=Path), default=None,
              help="Write the publication figure (map with colour bar and cumulative curve): .png, .svg or .pdf.")
@click.option("--panel", "panel_out", type=click.Path(path_type=Path), default=None,
              help="Write the event-history panel CSV: one row per division at risk per year.")
@click.option("--panel-start", type=int, default=None, metavar="YEAR",
              help="First year of the panel [default: the curated origin, else the first dated adoption].")
@click.option("-q", "--quiet", is_flag=True, help="Only write the files asked for; do not print the trace.")
@head_options
@endpoint_option
def spread(practice, graph, html_out, csv_out, gexf_out, graphml_out, map_out, figure_out, panel_out, panel_start,
           quiet, limit, show_all, endpoint):
    """Trace how a practice (and its narrower practices) spread: curated origin and milestones, adoption
    timeline, typed diffusion network with evidence, innovativeness scores, first adopters and reach.

    Only years the text states (in the sentence, its paragraph or heading) order adopters; a division known
    only from its report's year is shown "by YEAR" and never ranked. Edges are vertical (designation,
    mandate, a division above → its rollout), horizontal (earlier → later peer in the province), learning
    (学习借鉴: from X → the learner) or spread (推广 statements).

    On a terminal the adopters, edges and spread statements stop after 20 entries each with a count of
    the rest (--limit N, --all); piped or redirected, everything is printed. The files get everything.

    \b
    Examples:
        govkg spread three-enforcement-systems
        govkg spread fengqiao-experience --html fengqiao.html --csv fengqiao.csv --gexf fengqiao.gexf
        govkg spread fang-guan-fu --map fgf-map.html --figure fgf.pdf --panel fgf-panel.csv
    """
    if figure_out and figure_out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise click.BadParameter("the figure is written as .png, .svg or .pdf", param_hint="--figure")
    kg = open_graph(graph, endpoint)
    try:
        t = kg.spread(practice)
    except KeyError as e:
        raise click.BadParameter(str(e.args[0]), param_hint="SLUG") from None
    if not quiet:
        click.echo(safe(t.text(head_limit(limit, show_all))))
    for path, write in ((html_out, t.write_html), (csv_out, t.write_cascades),
                        (gexf_out, t.write_gexf), (graphml_out, t.write_graphml)):
        if path:
            write(path)
            click.echo(f"wrote {path}")
    try:
        if map_out:
            from govkg.kg.maps import write_map
            write_map(t, map_out)
            click.echo(f"wrote {map_out}")
        if figure_out:
            from govkg.kg.figures import write_figure
            write_figure(t, figure_out)
            click.echo(f"wrote {figure_out}")
    except ImportError as e:
        raise click.ClickException(f"{e.name} is needed for this output: pip install 'govkg[figures]'") from None
    if panel_out:
        from govkg.kg.panel import write_panel
        rows = write_panel(t, panel_out, panel_start)
        click.echo(f"wrote {panel_out} ({rows} rows)")


@main.command(context_settings=CONTEXT)
@graph_option
@endpoint_option
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Where to write the network.")
@click.option("--format", "fmt", type=click.Choice(["csv", "graphml", "gexf"]), default=None,
              help="Output format [default: from the --out extension, else csv].")
@click.option("--min-adopters", default=2, show_default=True, type=click.IntRange(2),
              help="Leave out practices with fewer ordered adopters than this.")
@click.option("--edges", "max_edges", default=200, show_default=True, type=click.IntRange(1),
              help="Infer at most this many edges (the best first).")
@click.option("--alpha", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Transmission rate per year of the exponential model.")
@click.option("--observed", is_flag=True,
              help="Also order adoptions by years only observed from the report (weaker evidence).")
def network(graph, endpoint, out, fmt, min_adopters, max_edges, alpha, observed):
    """Infer a diffusion network from the cascades of all practices and candidate practices (NetInf).

    Each practice's adopters and years form a cascade; the edges that best explain all cascades together
    are chosen greedily (Gomez-Rodriguez et al., as R's NetworkInference). Columns: source, target (GB/T 2260
    codes), score (log-likelihood gain), cascades (how many it explains), source_name, target_name.
    Only years stated in the text order adoptions unless --observed.

    \b
    Examples:
        govkg network --out network.csv
        govkg network --out network.graphml --min-adopters 3 --edges 50
    """
    from govkg.kg.network import infer, read_cascades, write_network
    fmt = fmt or {".graphml": "graphml", ".gexf": "gexf"}.get(out.suffix.lower(), "csv")
    cascades, names = read_cascades(open_graph(graph, endpoint).store, min_adopters=min_adopters, observed=observed)
    edges = infer(cascades, max_edges=max_edges, alpha=alpha)
    write_network(edges, out, fmt, names)
    click.echo(f"{len(cascades)} cascades, {len({n for c in cascades for n in c.times})} divisions, "
               f"{len(edges)} edges inferred")
    for e in edges[:10]:
        click.echo(f"  {names.get(e.source, e.source)} → {names.get(e.target, e.target)}  "
                   f"score {e.score:.2f}  cascades {e.cascades}")
    if len(edges) > 10:
        click.echo(f"  … ({len(edges) - 10} more)")
    click.echo(f"wrote {out}")


@main.command(context_settings=CONTEXT)
@graph_option
@click.option("--min-divisions", default=1, show_default=True, type=click.IntRange(0),
              help="Only candidates used by at least this many divisions.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@endpoint_option
def candidates(graph, min_divisions, fmt, endpoint):
    """List the candidate practices found in the corpus: names shaped like a practice (…制度, …机制, …模式,
    …工作法, …清单, …平台, …改革, “N+N”, “一…一…”, quoted terms after an adopting verb, items of a list of
    practices) that the vocabulary does not hold, merged by their name without its practice word and ranked
    by the number of distinct divisions using them, with the adopters, the first stated year and evidence.

    A candidate's notation (the `candidates` column) is accepted by `govkg spread` and `govkg view --practice`
    like a practice's slug. To promote candidates into practices, list them in a vocabulary file and rebuild
    with `govkg build --vocabulary extra.json`.

    \b
    Examples:
        govkg candidates --min-divisions 2
        govkg candidates --format csv > candidates.csv
        govkg spread candidate/行政审批制度改革
    """
    rows = open_graph(graph, endpoint).candidates()
    kept = [r for r in rows.rows if int(r["divisions"] or 0) >= min_divisions]
    _print_rows(Rows(rows.variables, kept), fmt)


@main.command(context_settings=CONTEXT)
@graph_option
@click.option("--endpoint", required=True, metavar="URL", help="The server's SPARQL query URL.")
@click.option("--gsp", default=None, metavar="URL",
              help="Its Graph Store Protocol URL [default: guessed: …/query → …/store, …/sparql → …/data].")
def load(graph, endpoint, gsp):
    """Push a built graph to a SPARQL server, one named graph per report (Graph Store Protocol PUT).

    Each report's graph replaces the graph of the same IRI on the server, so loading again after an
    incremental build sends the same graphs and leaves the others as they were.

    \b
    Example:
        oxigraph serve --location server-data --bind 127.0.0.1:7878 --union-default-graph &
        govkg load --graph govkg.store --endpoint http://127.0.0.1:7878/query
        govkg query adopters --endpoint http://127.0.0.1:7878/query --param practice=fang-guan-fu
    """
    try:
        n = open_graph(graph).load(endpoint, gsp)
    except (RuntimeError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"loaded {n} graphs into {gsp or endpoint}")


@main.command(context_settings=CONTEXT)
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. The default keeps the endpoint on this machine.")
@click.option("--port", default=7878, show_default=True, type=StrictInt(0, 65535))
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Seconds a query may run.")
@click.option("--memory", "memory_mb", default=1024, show_default=True, type=StrictInt(64),
              help="Megabytes of memory a query may use (503 beyond).")
@click.option("--max-queries", default=2, show_default=True, type=StrictInt(1, 64),
              help="Queries run at once; more get 503 after a short wait.")
@click.option("--max-body", default=1 << 20, show_default=True, type=StrictInt(1),
              help="Largest request body in bytes (413 beyond).")
@click.option("--cors", default=None, metavar="ORIGIN",
              help="Let web pages from this origin (e.g. http://localhost:8080, or *) read answers. Off by default.")
@click.option("--allow-service", multiple=True, metavar="URL",
              help="An endpoint SERVICE clauses may call (repeatable). By default SERVICE is refused.")
def serve(graph, host, port, timeout, memory_mb, max_queries, max_body, cors, allow_service):
    """Serve the graph as a local, read-only SPARQL endpoint at http://HOST:PORT/sparql.

    SPARQL Update is refused; SERVICE clauses are refused unless their endpoint is allowed; no CORS header
    is sent unless --cors names an origin. Each query runs in its own process under a time limit (504)
    and a memory limit (503); at most --max-queries run at once (503 when busy); request bodies over
    --max-body bytes get 413.

    Answers follow the SPARQL 1.1 Protocol: the Accept header chooses the format (SELECT and ASK: SPARQL
    Results JSON, XML, CSV, TSV; CONSTRUCT and DESCRIBE: Turtle, N-Triples, JSON-LD, RDF/XML; 406 for
    none of them); FROM, FROM NAMED, default-graph-uri and named-graph-uri choose the dataset (otherwise the
    default graph is the union of all graphs); GET /sparql without a query gives the service description
    (Turtle), and a browser gets a query page (also at /).

    Queries, exports and views of the same store work while it serves; a build into it stops with a message
    naming this server until it ends.

    \b
    Examples:
        govkg serve --graph govkg.store --port 7878
        curl 'http://127.0.0.1:7878/sparql' -H 'Accept: text/csv' \\
             --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    server = _serving_graph(graph).serve(host, port, timeout, cors=cors, allow_service=tuple(allow_service),
                                     max_queries=max_queries, memory_mb=memory_mb, max_body=max_body)
    click.echo(f"SPARQL endpoint at http://{host}:{server.server_address[1]}/sparql, query page at "
               f"http://{host}:{server.server_address[1]}/ (read-only; Ctrl-C stops)")
    sys.stdout.flush()             # a script waiting for this line gets it now, not at exit
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _serving_graph(graph: Path) -> KnowledgeGraph:
    """The graph to serve.  A store folder is held as a build holds it, so that a build started meanwhile
    stops with a message naming the server instead of writing under it (Oxigraph leaves reading a store
    that another process writes undefined); reading commands open it read-only and go on working."""
    if not Path(graph).is_dir():
        return open_graph(graph)
    if not is_store(Path(graph)):
        raise click.ClickException(f"{safe(str(graph))}: not a govkg store folder (no Oxigraph store in it)")
    return KnowledgeGraph(GraphStore(graph))


@main.command(context_settings=CONTEXT)
@graph_option
def validate(graph):
    """Validate the graph against the SHACL shapes in ontology/shapes.ttl (exit status 1 if it does not conform).

    \b
    Example:
        govkg validate --graph govkg.ttl
    """
    conforms, text = open_graph(graph).validate()
    click.echo(text)
    if not conforms:
        sys.exit(1)


@main.command("eval", context_settings=CONTEXT)
@click.option("--gold", required=True, type=click.Path(exists=True, path_type=Path),
              help="Gold annotations (the seeds_gold.json format).")
@click.option("--graph", default=None, type=click.Path(exists=True, path_type=Path),
              help="Score this graph instead of building PATHS.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--leave-one-out", "loo", is_flag=True,
              help="Also score each bundled report with the vocabulary entries only it needs left out.")
@click.option("--gold-practices", "gold_only", is_flag=True,
              help="Score adoptions and spread only for the practices the gold file uses (and narrower ones).")
@click.option("--practices", "practices_file", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score adoptions and spread only for the practice ids listed in this file (one a line, # comments).")
def evaluate(gold, graph, paths, fmt, loo, gold_only, practices_file):
    """Score extraction against gold annotations: precision, recall and F1 per category.

    Builds PATHS (none: the bundled corpus) unless --graph is given. Matching rules: reports are paired by
    file name; divisions by GB/T 2260 code (zones by name); agencies by name with any leading division name
    or level character (市/县/区/旗/省) set aside; adoptions by (division, practice), where a practice
    matches its gold id or any narrower practice (skos:broader*), and also with mode and year; spread by
    (practice, from); regulations by title (NFKC, no white space), kind as accuracy over matched titles;
    outcomes by (division, value, unit), values equal within 0.5 %, one to one, year as accuracy; awards by
    (recipient, name), names matching when one contains the other without quotation marks.

    A gold file annotates the practices of the vocabulary it was written against; after the vocabulary grows,
    true adoptions of newer practices count as false positives. --gold-practices (the ids the gold file uses)
    or --practices FILE (e.g. tests/fixtures/seeds_gold_practices.txt, the vocabulary the seed gold was
    annotated with) scores adoptions and spread only for those practices and the ones narrower than them.

    \b
    Example:
        govkg eval --gold tests/fixtures/seeds_gold.json
        govkg eval --gold tests/fixtures/seeds_gold.json --practices tests/fixtures/seeds_gold_practices.txt
    """
    from govkg.kg.evaluate import gold_practices, load_gold, load_practices
    if gold_only and practices_file:
        raise click.UsageError("give --gold-practices or --practices, not both")
    gold_data = load_gold(gold)
    practices = gold_practices(gold_data) if gold_only else load_practices(practices_file) if practices_file else None
    kg = open_graph(graph) if graph else KnowledgeGraph.build(list(paths) if paths else None)
    scores = kg.evaluate(gold_data, practices)
    if fmt == "json":
        click.echo(json.dumps({k: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.tp,
                                   "pred": s.pred, "gold": s.gold, **s.extra} for k, s in scores.items()},
                              indent=2))
        return
    _print_scores(scores)
    if loo:
        from govkg.kg.api import bundled_corpus
        from govkg.kg.evaluate import leave_one_out
        texts = {p.name: p.read_text(encoding="utf-8") for p in bundled_corpus()}
        for name, per in leave_one_out(texts, gold_data, practices).items():
            excluded = per.pop("_excluded").tp
            click.echo(f"\nleave-one-out {name} ({excluded} surface forms only it uses left out)")
            _print_scores(per)


def _print_scores(scores) -> None:
    click.echo(f"{'category':22s} {'P':>6s} {'R':>6s} {'F1':>6s} {'pred':>6s} {'gold':>6s}  other")
    for k, s in scores.items():
        extra = "  ".join(f"{a}={b:.3f}" for a, b in s.extra.items())
        if s.recall_only:
            click.echo(f"{k:22s} {'-':>6s} {s.recall:6.3f} {'-':>6s} {'-':>6s} {s.gold:6d}  {extra}")
        else:
            click.echo(f"{k:22s} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.pred:6d} {s.gold:6d}  {extra}")


@main.group(context_settings=CONTEXT)
def ontology():
    """The ontology: reference documentation.

    \b
    Example:
        govkg ontology docs --out ontology-docs
    """


@ontology.command("docs", context_settings=CONTEXT)
@click.option("--out", default="ontology-docs", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def ontology_docs(out):
    """Write HTML documentation of the ontology (pyLODE), a class diagram (SVG) and the JSON-LD context.

    \b
    Example:
        govkg ontology docs --out ontology-docs && xdg-open ontology-docs/index.html
    """
    for path in KnowledgeGraph.ontology_docs(out):
        click.echo(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()

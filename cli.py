"""The `govkg` command line: a thin layer over `govkg.KnowledgeGraph`."""
from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

import click

from govkg import __version__
from govkg.kg.api import KnowledgeGraph, QueryParameterError
from govkg.kg.store import GraphFileError, Rows

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
    except GraphFileError as e:
        raise click.ClickException(str(e)) from None


@click.group(context_settings=CONTEXT)
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
@click.option("--max-bytes", default=5 * 1024 * 1024, show_default=True, help="Skip files larger than this.")
@click.option("--texts", "texts_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to keep the text of HTML and non-UTF-8 reports as read, by SHA-256 "
                   "[default: OUT with .texts instead of its extension].")
@click.option("--store", "store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Persistent Oxigraph store folder; building into it again is incremental "
                   "[default: OUT with .store instead of its extension].")
@click.option("--no-store", is_flag=True, help="Build in memory only (no store folder).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Build reports in this many processes.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine; dask: a Dask cluster (see --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); none: a local Dask cluster with --workers workers.")
def build(paths, out, fmt, html_out, show, params, strict, max_bytes, texts_dir, store, no_store, workers, engine,
          scheduler):
    """Build the graph from report files or folders (none given: the bundled sample corpus).

    Prints a summary: documents, triples, entities per class, facts per kind and seconds. The same input
    always gives a byte-identical file. Exit status 0 when every file built, 3 when some were skipped
    (the reasons are listed), 1 on error.

    \b
    Examples:
        govkg build --out govkg.ttl --html govkg.html --show adopters --param practice=three-enforcement-systems
        govkg build reports/2020/ --out 2020.nt
    """
    def progress(payloads, total):
        with click.progressbar(payloads, length=total, label="building", file=sys.stderr, show_pos=True,
                               item_show_func=lambda p: p.source_name if p else "") as bar:
            yield from bar
    try:
        kg = KnowledgeGraph.build(list(paths) if paths else None, strict=strict, max_bytes=max_bytes,
                                  texts_dir=texts_dir or out.with_suffix(".texts"),
                                  store=None if no_store else (store or out.with_suffix(".store")),
                                  workers=workers, engine=engine, scheduler=scheduler, progress=progress)
    except (ValueError, OSError, RuntimeError) as e:
        raise click.ClickException(str(e)) from None
    n = kg.export(out, fmt)
    summary = kg.summary
    click.echo(f"wrote {out} ({n} statements)")
    r = kg.report
    click.echo(f"documents: {summary['documents']} (built {r.built}, unchanged {r.unchanged}, removed {r.removed})"
               f"   triples: {summary['triples']}   characters: {r.chars}   seconds: {r.seconds:.2f}")
    click.echo("entities: " + ", ".join(f"{k} {v}" for k, v in summary["entities"].items()))
    click.echo("facts:    " + ", ".join(f"{k} {v}" for k, v in sorted(kg.report.facts.items())))
    if html_out:
        kg.view(html_out)
        click.echo(f"wrote {html_out}")
    if show:
        click.echo(f"\n{show}: {KnowledgeGraph.named_queries().get(show, '')}")
        _print_rows(_run_query(kg, show, params), "table", head_limit(None, False))
    for s in kg.report.skipped:
        click.echo(f"skipped {s.path}: {s.reason}", err=True)
    if kg.report.skipped:
        sys.exit(EXIT_SKIPPED)


@main.command(context_settings=CONTEXT)
@click.argument("name", required=False)
@graph_option
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable). Values are bound as RDF terms, never pasted into the query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the named queries with one line each.")
@head_options
@endpoint_option
def query(name, graph, params, fmt, list_, limit, show_all, endpoint):
    """Run a named query (see --list) or a .rq file against a graph.

    On a terminal the first 20 rows are printed with a count of the rest (--limit N, --all); piped or
    redirected, every row.

    \b
    Examples:
        govkg query --list
        govkg query adopters --param practice=three-enforcement-systems
        govkg query division-practices --param division=中卫市 --format csv
        govkg query my-question.rq --graph govkg.ttl --format json
    """
    if list_:
        for n, summary in KnowledgeGraph.named_queries().items():
            click.echo(f"{n:28s} {summary}")
        return
    if not name:
        raise click.UsageError("give a query name or a .rq file (see `govkg query --list`)")
    _print_rows(_run_query(open_graph(graph, endpoint), name, params), fmt, head_limit(limit, show_all))


def _run_query(kg: KnowledgeGraph, name: str, params: tuple[str, ...]) -> Rows:
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
        raise click.ClickException(f"query failed: {e}") from None
    if not isinstance(result, Rows):
        return Rows(["answer"], [{"answer": result}])
    return result


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: object, limit: int = 60) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
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
        w.writerows(shown)
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
    n = open_graph(graph).export(out, fmt)
    click.echo(f"wrote {out} ({n} statements)")


@main.command(context_settings=CONTEXT)
@click.argument("practice", metavar="SLUG")
@graph_option
@click.option("--html", "html_out", type=click.Path(path_type=Path), default=None,
              help="Write the spread view (map-like layout by real coordinates, evidence on click).")
@click.option("--csv", "csv_out", type=click.Path(path_type=Path), default=None,
              help="Write the cascades CSV: division_code, division, practice, adopt_year.")
@click.option("--gexf", "gexf_out", type=click.Path(path_type=Path), default=None, help="Write the network as GEXF (Gephi).")
@click.option("--graphml", "graphml_out", type=click.Path(path_type=Path), default=None, help="Write the network as GraphML.")
@head_options
@endpoint_option
def spread(practice, graph, html_out, csv_out, gexf_out, graphml_out, limit, show_all, endpoint):
    """Trace how a practice (and its narrower practices) spread: curated origin and milestones, adoption
    timeline, typed diffusion network with evidence, innovativeness scores, first adopters and reach.

    On a terminal the adopters, edges and spread statements stop after 20 entries each with a count of
    the rest (--limit N, --all); piped or redirected, everything is printed. The files get everything.

    \b
    Examples:
        govkg spread three-enforcement-systems
        govkg spread fengqiao-experience --html fengqiao.html --csv fengqiao.csv --gexf fengqiao.gexf
    """
    kg = open_graph(graph, endpoint)
    try:
        t = kg.spread(practice)
    except KeyError as e:
        raise click.BadParameter(str(e.args[0]), param_hint="SLUG") from None
    click.echo(t.text(head_limit(limit, show_all)))
    for path, write in ((html_out, t.write_html), (csv_out, t.write_cascades),
                        (gexf_out, t.write_gexf), (graphml_out, t.write_graphml)):
        if path:
            write(path)
            click.echo(f"wrote {path}")


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
@click.option("--port", default=7878, show_default=True, type=int)
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Seconds a query may run.")
def serve(graph, host, port, timeout):
    """Serve the graph as a local, read-only SPARQL endpoint at http://HOST:PORT/sparql.

    SPARQL Update is refused; each query runs under a time limit. Point YASGUI or any SPARQL client at it.

    \b
    Example:
        govkg serve --graph govkg.ttl --port 7878
        curl 'http://127.0.0.1:7878/sparql' --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    server = open_graph(graph).serve(host, port, timeout)
    click.echo(f"SPARQL endpoint at http://{host}:{server.server_address[1]}/sparql (read-only; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


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

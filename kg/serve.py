"""`govkg serve`: a local, read-only SPARQL 1.1 endpoint for YASGUI, curl and other SPARQL tools.

Why a server of its own rather than Oxigraph's (`oxigraph serve-read-only`, which negotiates formats and
ships a query page): that server cannot give the guarantees below.  It evaluates SERVICE clauses (it would
send requests to any address a query names), its `--cors` allows every origin, it has a time limit but no
memory limit, no bound on concurrent queries or on the request body, its query page loads YASGUI from a CDN,
and Oxigraph documents reading a store another process writes as undefined behaviour.  So this module keeps
those guarantees and speaks the protocol itself:

- binds 127.0.0.1 unless told otherwise; HTTP/1.1 with persistent connections;
- SPARQL 1.1 Protocol: GET and POST (form or `application/sparql-query`); `default-graph-uri` and
  `named-graph-uri` set the dataset, as do FROM / FROM NAMED in the query (otherwise the default graph is
  the union of all graphs); content negotiation on Accept (or a `format` parameter): SELECT/ASK as
  SPARQL Results JSON, XML, CSV or TSV, CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML,
  406 when none of them is acceptable;
- a SPARQL 1.1 Service Description (Turtle, or another RDF format on request) at GET /sparql without a
  query, and a query page (a plain form, no scripts) at / or for a browser at /sparql;
- read-only: SPARQL Update is refused (403), whatever the form of the request;
- closed: a query with a SERVICE clause is refused (403) unless its endpoint is on the allow-list
  (`allow_service`), so the server never sends requests to addresses chosen by whoever asks; no CORS header
  unless an origin is given (`cors`), so a web page elsewhere cannot read answers or trigger queries;
- bounded: each query runs in a forked worker process under a time limit (504 Gateway Timeout when it
  passes) and a memory limit (503 when it is exceeded); at most `max_queries` run at once (503 when all are
  busy); a request body is at most `max_body` bytes (413).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import resource
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox

from govkg.kg.store import TURTLE_PREFIXES, xml_safe
from govkg.namespace import PREFIXES

if TYPE_CHECKING:
    from govkg.kg.store import GraphStore

QUEUE_WAIT = 1.0     # seconds a query waits for a free worker before 503
IDLE_TIMEOUT = 60    # seconds a kept-alive connection may stay idle
UPDATE_WORDS = re.compile(r"^\s*(?:(?:PREFIX|BASE)\s+[^\n]*\s+)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                          re.I)

# What the endpoint answers in, best first (the first is the default for */*).
RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                "text/csv": ox.QueryResultsFormat.CSV,
                "text/tab-separated-values": ox.QueryResultsFormat.TSV,
                "application/json": ox.QueryResultsFormat.JSON,
                "application/xml": ox.QueryResultsFormat.XML}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
               "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
               "text/plain": ox.RdfFormat.N_TRIPLES}
# The `format` parameter (for forms and links, which cannot set Accept): a short name or a media type.
FORMAT_NAMES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                "turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                "rdfxml": "application/rdf+xml"}

SERVICE_WORD = re.compile(r"\bSERVICE\b", re.I)
SERVICE_TARGET = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(<[^>]*>|\S+)", re.I)
FROM_WORD = re.compile(r"(?<![?$\w:.-])FROM\b", re.I)
# What can hide the word SERVICE without being it: strings, IRIs, comments.
_INERT = re.compile(r"\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|"
                    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescaped(query: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)


def service_targets(query: str) -> list[str] | None:
    """The endpoints a query's SERVICE clauses name (None: it has none).  SPARQL reads \\u escapes anywhere
    in the query before parsing, so they are read here too; a variable endpoint is returned as written."""
    text = _unescaped(query)
    bare = _INERT.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", text)
    if not SERVICE_WORD.search(_INERT.sub(" ", text)):
        return None
    return [t.strip("<>") for t in SERVICE_TARGET.findall(bare)] or ["?"]


def names_dataset(query: str) -> bool:
    """Whether the query chooses its own dataset (FROM or FROM NAMED): then the union default graph, which
    would override it, is not used."""
    return bool(FROM_WORD.search(_INERT.sub(" ", _unescaped(query))))


def accepted(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights (an absent header accepts anything)."""
    out = []
    for part in (header or "*/*").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def negotiate(ranges: list[tuple[str, float]], offered) -> str | None:
    """The offered media type the client weighs highest (ties: the server's order); None if none is acceptable.
    A type takes the weight of the most specific range that matches it (RFC 9110 §12.5.1)."""
    best, best_q = None, 0.0
    for media in offered:
        major = media.split("/")[0]
        q, specificity = 0.0, -1
        for rng, w in ranges:
            s = 2 if rng == media else 1 if rng == major + "/*" else 0 if rng == "*/*" else -1
            if s > specificity:
                q, specificity = w, s
        if q > best_q:
            best, best_q = media, q
    return best


def _content_type(media: str) -> str:
    return media + "; charset=utf-8" if media.startswith("text/") else media


def _xml_results(result) -> bytes:
    """SPARQL Results XML that is always well-formed: literals lose what XML 1.0 cannot hold (report text may
    carry a control character), as the RDF/XML export does."""
    # without an output, serialize() returns bytes; pyoxigraph's stub says bytes | None
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=ox.QueryResultsFormat.XML)  # type: ignore[return-value]
    data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    for row in data["results"]["bindings"]:
        for value in row.values():
            if isinstance(value.get("value"), str):
                value["value"] = xml_safe(value["value"])
    clean = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return ox.parse_query_results(clean, format=ox.QueryResultsFormat.JSON).serialize(  # type: ignore[return-value]
        format=ox.QueryResultsFormat.XML)


def _limit_memory(megabytes: int) -> None:
    """In the worker: at most `megabytes` more address space than the process already has."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        size = 0
    limit = size + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run(store: ox.Store, query: str, dataset: dict, ranges: list[tuple[str, float]], conn,
         memory_mb: int = 0) -> None:
    """In the worker: run the query, send back (status, content type, body bytes) in the format negotiated."""
    try:
        if memory_mb:
            # Past the limit the allocator aborts the worker; the server answers 503 for it, so the abort's
            # own messages (allocation failure, faulthandler's dump) would only be noise on its terminal.
            import faulthandler
            faulthandler.disable()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
            _limit_memory(memory_mb)
        result = store.query(query, prefixes=PREFIXES, **dataset)
        graph = isinstance(result, ox.QueryTriples)
        offered: dict[str, ox.RdfFormat] | dict[str, ox.QueryResultsFormat] = GRAPH_TYPES if graph else RESULT_TYPES
        media = negotiate(ranges, offered)
        if media is None:
            conn.send((406, "text/plain; charset=utf-8",
                       f"none of the accepted types is offered for this query; it can be answered as: "
                       f"{', '.join(offered)}\n".encode()))
        elif isinstance(result, ox.QueryTriples):
            prefixes = TURTLE_PREFIXES if GRAPH_TYPES[media] == ox.RdfFormat.TURTLE else None
            conn.send((200, _content_type(media), ox.serialize(result, format=GRAPH_TYPES[media], prefixes=prefixes)))
        elif RESULT_TYPES[media] == ox.QueryResultsFormat.XML:
            conn.send((200, _content_type(media), _xml_results(result)))
        else:
            conn.send((200, _content_type(media), result.serialize(format=RESULT_TYPES[media])))
    except SyntaxError as e:
        conn.send((400, "text/plain; charset=utf-8", f"SPARQL syntax error: {e}".encode()))
    except MemoryError:
        conn.send((503, "text/plain; charset=utf-8", b"query exceeded the memory limit\n"))
    except Exception as e:  # noqa: BLE001 - any failure becomes an HTTP 500 with its message
        conn.send((500, "text/plain; charset=utf-8", f"query failed: {e}".encode()))
    finally:
        conn.close()


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def service_description(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint: what it speaks and the dataset it serves."""
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)
    service, dataset, default = (ox.BlankNode(n) for n in ("service", "dataset", "default"))
    triples = [ox.Triple(service, RDF_TYPE, sd("Service")),
               ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
               ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
               ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
               ox.Triple(service, sd("defaultDataset"), dataset),
               ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
               ox.Triple(dataset, sd("defaultGraph"), default),
               ox.Triple(default, RDF_TYPE, sd("Graph"))]
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + fmt)))
    for i, g in enumerate(graphs):
        named = ox.BlankNode(f"g{i}")
        triples += [ox.Triple(dataset, sd("namedGraph"), named), ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
                    ox.Triple(named, sd("name"), ox.NamedNode(g))]
    return triples


def query_page() -> bytes:
    """The query page: a form, no scripts (kg/templates/query.html)."""
    return resources.files("govkg.kg").joinpath("templates").joinpath("query.html").read_bytes()


def make_server(store: GraphStore, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0, *,
                cors: str | None = None, allow_service: tuple[str, ...] = (), max_queries: int = 2,
                memory_mb: int = 1024, max_body: int = 1 << 20):
    """An HTTP server answering SPARQL queries at /sparql (and /query) over the store's union graph."""
    ctx = mp.get_context("fork")
    slots = threading.BoundedSemaphore(max_queries)
    allowed = set(allow_service)
    text = "text/plain; charset=utf-8"
    graphs = store.graphs()
    page = query_page()

    class Handler(BaseHTTPRequestHandler):
        server_version = "govkg-sparql/0.2"
        protocol_version = "HTTP/1.1"
        timeout = IDLE_TIMEOUT

        def log_message(self, fmt, *args):  # quieter than the default: one line per request on stderr
            line = (fmt % args).encode("ascii", "backslashreplace").decode("ascii").replace("\x1b", "\\x1b")
            sys.stderr.write(f"{self.address_string()} {line}\n")

        def _cors(self) -> None:
            origin = self.headers.get("Origin")
            if cors and (cors == "*" or origin == cors):
                self.send_header("Access-Control-Allow-Origin", cors)
                self.send_header("Vary", "Origin")

        def _send(self, status: int, ctype: str, body: bytes, negotiated: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if negotiated:
                self.send_header("Vary", "Accept")
            self._cors()
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_OPTIONS(self):  # noqa: N802 - CORS preflight, answered only for the allowed origin
            self.send_response(HTTPStatus.NO_CONTENT)
            if cors:
                self._cors()
                self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _ranges(self, params: dict) -> list[tuple[str, float]]:
            fmt = (params.get("format") or [""])[0].strip().lower()
            if fmt:
                return [(FORMAT_NAMES.get(fmt, fmt), 1.0)]
            return accepted(self.headers.get("Accept"))

        def do_GET(self):  # noqa: N802
            url = urlparse(self.path)
            params = parse_qs(url.query)
            if url.path == "/":
                return self._send(200, "text/html; charset=utf-8", page)
            if url.path not in ("/sparql", "/query"):
                return self._send(404, text, b"SPARQL endpoint at /sparql\n")
            if "update" in params:
                return self._refuse()
            if "query" not in params:
                return self._describe(params)
            self._answer(params["query"][0], params)

        do_HEAD = do_GET  # noqa: N815

        def _describe(self, params: dict):
            """No query: the query page for a browser, else the service description."""
            media = negotiate(self._ranges(params), ["text/turtle", "text/html", *GRAPH_TYPES])
            if media is None:
                return self._send(406, text, b"the service description is offered as text/turtle, "
                                             b"application/n-triples, application/ld+json, application/rdf+xml\n")
            if media == "text/html":
                return self._send(200, "text/html; charset=utf-8", page, negotiated=True)
            own = f"http://{host}:{self.server.server_address[1]}/sparql"  # type: ignore[index]  # TCP: (host, port)
            try:
                endpoint = f"http://{self.headers.get('Host')}{urlparse(self.path).path}"
                triples = service_description(endpoint if self.headers.get("Host") else own, graphs)
            except ValueError:             # a Host header that makes no IRI
                triples = service_description(own, graphs)
            fmt = GRAPH_TYPES[media]
            body = ox.serialize(triples, format=fmt, prefixes={"sd": SD} if fmt == ox.RdfFormat.TURTLE else None)
            self._send(200, _content_type(media), body, negotiated=True)  # type: ignore[arg-type]  # bytes, as above

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._send(404, text, b"SPARQL endpoint at /sparql\n")
            length = self.headers.get("Content-Length") or ""
            if not length.isascii() or not length.isdigit():
                self.close_connection = True
                return self._send(411, text, b"a POST needs a Content-Length\n")
            if int(length) > max_body:
                self.close_connection = True
                return self._send(413, text, f"request body over {max_body} bytes\n".encode())
            raw = self.rfile.read(int(length)).decode("utf-8", "replace")
            params = parse_qs(url.query)
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype == "application/sparql-update" or "update" in params:
                return self._refuse()
            if ctype == "application/sparql-query":
                return self._answer(raw, params)
            form = parse_qs(raw)
            if "update" in form:
                return self._refuse()
            for k, v in params.items():
                form.setdefault(k, v)
            self._answer((form.get("query") or [""])[0], form)

        def _refuse(self):
            self._send(403, text, b"this endpoint is read-only: SPARQL Update is refused\n")

        def _answer(self, query: str, params: dict):
            if not query.strip():
                return self._send(400, text, b"missing query parameter\n")
            if UPDATE_WORDS.match(query):
                return self._refuse()
            targets = service_targets(query)
            if targets is not None and not set(targets) <= allowed:
                return self._send(403, text, b"SERVICE is refused: this endpoint does not send requests to "
                                             b"other endpoints (serve --allow-service URL allows one)\n")
            try:
                dataset = self._dataset(query, params)
            except ValueError as e:
                return self._send(400, text, f"not an IRI: {e}\n".encode())
            if not slots.acquire(timeout=QUEUE_WAIT):
                return self._send(503, text, f"busy: {max_queries} queries already running; retry later\n".encode())
            try:
                self._run_worker(query, dataset, self._ranges(params))
            finally:
                slots.release()

        @staticmethod
        def _dataset(query: str, params: dict) -> dict:
            """The protocol's dataset: default-graph-uri / named-graph-uri, else the query's FROM clauses,
            else the union of all graphs as the default graph."""
            default = [ox.NamedNode(g) for g in params.get("default-graph-uri", [])]
            named = [ox.NamedNode(g) for g in params.get("named-graph-uri", [])]
            if default or named:
                return {"default_graph": default or None, "named_graphs": named or None}
            return {} if names_dataset(query) else {"use_default_graph_as_union": True}

        def _run_worker(self, query: str, dataset: dict, ranges):
            parent, child = ctx.Pipe(duplex=False)
            worker = ctx.Process(target=_run, args=(store.store, query, dataset, ranges, child, memory_mb),
                                 daemon=True)
            worker.start()
            child.close()
            if parent.poll(timeout):
                try:
                    status, ctype, body = parent.recv()
                except (EOFError, OSError):       # the worker died: out of memory (the limit aborts it)
                    worker.join(1)
                    return self._send(503, text, f"query exceeded the memory limit ({memory_mb} MB)\n".encode())
                worker.join(1)
                return self._send(status, ctype, body, negotiated=status in (200, 406))
            worker.kill()
            worker.join(1)
            self._send(504, text, f"query exceeded the {timeout:g} s time limit\n".encode())

    return ThreadingHTTPServer((host, port), Handler)

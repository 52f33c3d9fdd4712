"""`govkg serve`: a local, read-only SPARQL 1.1 endpoint for YASGUI and other SPARQL tools.

- binds 127.0.0.1 unless told otherwise;
- read-only: SPARQL Update is refused (403), whatever the form of the request;
- closed: a query with a SERVICE clause is refused (403) unless its endpoint is on the allow-list
  (`allow_service`), so the server never sends requests to addresses chosen by whoever asks; no CORS header
  unless an origin is given (`cors`), so a web page elsewhere cannot read answers or trigger queries;
- bounded: each query runs in a forked worker process under a time limit (504 Gateway Timeout when it
  passes) and a memory limit (503 when it is exceeded); at most `max_queries` run at once (503 when all are
  busy); a request body is at most `max_body` bytes (413).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import re
import resource
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox

from govkg.namespace import PREFIXES

if TYPE_CHECKING:
    from govkg.kg.store import GraphStore

RESULTS_JSON = "application/sparql-results+json"
QUEUE_WAIT = 1.0     # seconds a query waits for a free worker before 503
UPDATE_WORDS = re.compile(r"^\s*(?:(?:PREFIX|BASE)\s+[^\n]*\s+)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                          re.I)


SERVICE_WORD = re.compile(r"\bSERVICE\b", re.I)
SERVICE_TARGET = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(<[^>]*>|\S+)", re.I)
# What can hide the word SERVICE without being it: strings, IRIs, comments.
_INERT = re.compile(r"\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|"
                    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def service_targets(query: str) -> list[str] | None:
    """The endpoints a query's SERVICE clauses name (None: it has none).  SPARQL reads \\u escapes anywhere
    in the query before parsing, so they are read here too; a variable endpoint is returned as written."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    bare = _INERT.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", text)
    if not SERVICE_WORD.search(_INERT.sub(" ", text)):
        return None
    return [t.strip("<>") for t in SERVICE_TARGET.findall(bare)] or ["?"]


def _limit_memory(megabytes: int) -> None:
    """In the worker: at most `megabytes` more address space than the process already has."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        size = 0
    limit = size + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run(store: ox.Store, query: str, conn, memory_mb: int = 0) -> None:
    """In the worker: run the query, send back (status, content type, body bytes)."""
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
        result = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            conn.send((200, RESULTS_JSON, result.serialize(format=ox.QueryResultsFormat.JSON)))
        else:
            conn.send((200, "application/n-triples", ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)))
    except SyntaxError as e:
        conn.send((400, "text/plain; charset=utf-8", f"SPARQL syntax error: {e}".encode()))
    except MemoryError:
        conn.send((503, "text/plain; charset=utf-8", b"query exceeded the memory limit\n"))
    except Exception as e:  # noqa: BLE001 - any failure becomes an HTTP 500 with its message
        conn.send((500, "text/plain; charset=utf-8", f"query failed: {e}".encode()))
    finally:
        conn.close()


def make_server(store: "GraphStore", host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0, *,
                cors: str | None = None, allow_service: tuple[str, ...] = (), max_queries: int = 2,
                memory_mb: int = 1024, max_body: int = 1 << 20):
    """An HTTP server answering SPARQL queries at /sparql (and /query) over the store's union graph."""
    ctx = mp.get_context("fork")
    slots = threading.BoundedSemaphore(max_queries)
    allowed = set(allow_service)
    text = "text/plain; charset=utf-8"

    class Handler(BaseHTTPRequestHandler):
        server_version = "govkg-sparql/0.1"

        def log_message(self, fmt, *args):  # quieter than the default: one line per request on stderr
            sys.stderr.write("%s %s\n" % (self.address_string(), (fmt % args).encode("ascii", "backslashreplace")
                                           .decode("ascii").replace("\x1b", "\\x1b")))

        def _cors(self) -> None:
            origin = self.headers.get("Origin")
            if cors and (cors == "*" or origin == cors):
                self.send_header("Access-Control-Allow-Origin", cors)
                self.send_header("Vary", "Origin")

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self._cors()
            self.end_headers()
            self.wfile.write(body)

        def do_OPTIONS(self):  # noqa: N802 - CORS preflight, answered only for the allowed origin
            self.send_response(HTTPStatus.NO_CONTENT)
            if cors:
                self._cors()
                self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            url = urlparse(self.path)
            params = parse_qs(url.query)
            if url.path not in ("/sparql", "/query"):
                return self._send(404, text, b"SPARQL endpoint at /sparql\n")
            if "update" in params:
                return self._refuse()
            self._answer((params.get("query") or [""])[0])

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
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype == "application/sparql-update":
                return self._refuse()
            if ctype == "application/sparql-query":
                return self._answer(raw)
            form = parse_qs(raw)
            if "update" in form:
                return self._refuse()
            self._answer((form.get("query") or [""])[0])

        def _refuse(self):
            self._send(403, text, b"this endpoint is read-only: SPARQL Update is refused\n")

        def _answer(self, query: str):
            if not query.strip():
                return self._send(400, text, b"missing query parameter\n")
            if UPDATE_WORDS.match(query):
                return self._refuse()
            targets = service_targets(query)
            if targets is not None and not set(targets) <= allowed:
                return self._send(403, text, b"SERVICE is refused: this endpoint does not send requests to "
                                             b"other endpoints (serve --allow-service URL allows one)\n")
            if not slots.acquire(timeout=QUEUE_WAIT):
                return self._send(503, text, f"busy: {max_queries} queries already running; retry later\n".encode())
            try:
                self._run_worker(query)
            finally:
                slots.release()

        def _run_worker(self, query: str):
            parent, child = ctx.Pipe(duplex=False)
            worker = ctx.Process(target=_run, args=(store.store, query, child, memory_mb), daemon=True)
            worker.start()
            child.close()
            if parent.poll(timeout):
                try:
                    status, ctype, body = parent.recv()
                except (EOFError, OSError):       # the worker died: out of memory (the limit aborts it)
                    worker.join(1)
                    return self._send(503, text, f"query exceeded the memory limit ({memory_mb} MB)\n".encode())
                worker.join(1)
                return self._send(status, ctype, body)
            worker.kill()
            worker.join(1)
            self._send(504, text, f"query exceeded the {timeout:g} s time limit\n".encode())

    return ThreadingHTTPServer((host, port), Handler)

"""`govkg serve`: a local, read-only SPARQL 1.1 endpoint for YASGUI and other SPARQL tools.

- binds 127.0.0.1 unless told otherwise;
- read-only: SPARQL Update is refused (403), whatever the form of the request;
- a time limit per query: each query runs in a forked worker process that is killed when the limit passes,
  so a runaway query cannot hold the server (504 Gateway Timeout).
"""
from __future__ import annotations

import multiprocessing as mp
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox

from govkg.namespace import PREFIXES

if TYPE_CHECKING:
    from govkg.kg.store import GraphStore

RESULTS_JSON = "application/sparql-results+json"
UPDATE_WORDS = re.compile(r"^\s*(?:(?:PREFIX|BASE)\s+[^\n]*\s+)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                          re.I)


def _run(store: ox.Store, query: str, conn) -> None:
    """In the worker: run the query, send back (status, content type, body bytes)."""
    try:
        result = store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            conn.send((200, RESULTS_JSON, result.serialize(format=ox.QueryResultsFormat.JSON)))
        else:
            conn.send((200, "application/n-triples", ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)))
    except SyntaxError as e:
        conn.send((400, "text/plain; charset=utf-8", f"SPARQL syntax error: {e}".encode()))
    except Exception as e:  # noqa: BLE001 - any failure becomes an HTTP 500 with its message
        conn.send((500, "text/plain; charset=utf-8", f"query failed: {e}".encode()))
    finally:
        conn.close()


def make_server(store: "GraphStore", host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0):
    """An HTTP server answering SPARQL queries at /sparql (and /query) over the store's union graph."""
    ctx = mp.get_context("fork")

    class Handler(BaseHTTPRequestHandler):
        server_version = "govkg-sparql/0.1"

        def log_message(self, fmt, *args):  # quieter than the default: one line per request on stderr
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")   # YASGUI in a local browser page
            self.end_headers()
            self.wfile.write(body)

        def do_OPTIONS(self):  # noqa: N802 - CORS preflight
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            url = urlparse(self.path)
            params = parse_qs(url.query)
            if url.path not in ("/sparql", "/query"):
                return self._send(404, "text/plain; charset=utf-8", b"SPARQL endpoint at /sparql\n")
            if "update" in params:
                return self._refuse()
            self._answer((params.get("query") or [""])[0])

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._send(404, "text/plain; charset=utf-8", b"SPARQL endpoint at /sparql\n")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8", "replace")
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
            self._send(403, "text/plain; charset=utf-8", b"this endpoint is read-only: SPARQL Update is refused\n")

        def _answer(self, query: str):
            if not query.strip():
                return self._send(400, "text/plain; charset=utf-8", b"missing query parameter\n")
            if UPDATE_WORDS.match(query):
                return self._refuse()
            parent, child = ctx.Pipe(duplex=False)
            worker = ctx.Process(target=_run, args=(store.store, query, child), daemon=True)
            worker.start()
            child.close()
            if parent.poll(timeout):
                status, ctype, body = parent.recv()
                worker.join(1)
                return self._send(status, ctype, body)
            worker.kill()
            worker.join(1)
            self._send(504, "text/plain; charset=utf-8", f"query exceeded the {timeout:g} s time limit\n".encode())

    return ThreadingHTTPServer((host, port), Handler)

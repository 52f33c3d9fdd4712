"""`govkg serve`: local, read-only, time-limited."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from govkg import KnowledgeGraph
from govkg.cli import main
from govkg.kg.serve import make_server

from oxigraph_server import free_port

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def endpoint(kg):
    server = make_server(kg.store, "127.0.0.1", 0, timeout=2.0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def post(url, data: dict | str, ctype="application/x-www-form-urlencoded"):
    body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data.encode()
    req = urllib.request.Request(url, body, {"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_binds_loopback_by_default(kg):
    server = make_server(kg.store, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_answers_select_queries(endpoint):
    status, body = post(endpoint, {"query": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a gov:Report }"})
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "5"
    with urllib.request.urlopen(endpoint + "?" + urllib.parse.urlencode({"query": "ASK { ?s a gov:Adoption }"})) as r:
        assert json.loads(r.read())["boolean"] is True


@pytest.mark.parametrize("data, ctype", [
    ({"update": "DROP ALL"}, "application/x-www-form-urlencoded"),
    ({"query": "DROP ALL"}, "application/x-www-form-urlencoded"),
    ({"query": "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }"}, "application/x-www-form-urlencoded"),
    ("CLEAR DEFAULT", "application/sparql-update"),
])
def test_updates_are_refused(endpoint, kg, data, ctype):
    before = len(kg.store)
    status, body = post(endpoint, data, ctype)
    assert status == 403 and "read-only" in body
    assert len(kg.store) == before


def test_a_runaway_query_hits_the_time_limit(endpoint):
    status, body = post(endpoint, {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    assert status == 504 and "time limit" in body
    status, _ = post(endpoint, {"query": "ASK { ?s ?p ?o }"})
    assert status == 200


def test_syntax_errors_are_400(endpoint):
    status, body = post(endpoint, {"query": "SELECT WHERE {"})
    assert status == 400 and "syntax" in body


def serving(kg, **limits):
    server = make_server(kg.store, "127.0.0.1", 0, **limits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/sparql"


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{target}> { ?s ?p ?o } }",
    "select * where { service silent <{target}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERV\\u0049CE <{target}> { ?s ?p ?o } }",       # SPARQL reads \u escapes first
])
def test_service_clauses_send_nothing_anywhere(endpoint, query):
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    status, body = post(endpoint, {"query": query.replace("{target}", target)})
    assert status == 403 and "SERVICE is refused" in body
    with pytest.raises(socket.timeout):
        listener.accept()                  # nobody called
    listener.close()


def test_no_cors_header_unless_an_origin_is_given(kg, endpoint):
    req = urllib.request.Request(endpoint + "?query=ASK%7B%7D", headers={"Origin": "http://evil.example"})
    with urllib.request.urlopen(req) as r:
        assert r.headers.get("Access-Control-Allow-Origin") is None
    server, url = serving(kg, cors="http://localhost:8080")
    try:
        for origin, expected in (("http://localhost:8080", "http://localhost:8080"), ("http://evil.example", None)):
            req = urllib.request.Request(url + "?query=ASK%7B%7D", headers={"Origin": origin})
            with urllib.request.urlopen(req) as r:
                assert r.headers.get("Access-Control-Allow-Origin") == expected
    finally:
        server.shutdown()
        server.server_close()


def test_a_large_body_is_413(kg):
    server, url = serving(kg, max_body=1000)
    try:
        status, body = post(url, {"query": "ASK {}" + " " * 2000})
        assert status == 413
    finally:
        server.shutdown()
        server.server_close()


def test_a_query_over_its_memory_is_503_and_the_server_goes_on(kg):
    server, url = serving(kg, memory_mb=96, timeout=60)
    try:
        status, body = post(url, {"query": "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
                                           "ORDER BY ?a ?d ?g LIMIT 1"})
        assert status == 503 and "memory" in body
        assert post(url, {"query": "ASK { ?s ?p ?o }"})[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_queries_beyond_the_concurrency_bound_are_503(kg):
    server, url = serving(kg, max_queries=1, timeout=4)
    slow = threading.Thread(target=post,
                            args=(url, {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}))
    try:
        slow.start()
        import time
        time.sleep(0.5)
        status, body = post(url, {"query": "ASK { ?s ?p ?o }"})
        assert status == 503 and "busy" in body
        slow.join()
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the SPARQL 1.1 Protocol

def ask(url, query: str, accept: str | None = None, **params):
    """GET a query with an Accept header: (status, content type, body bytes, headers)."""
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query, **params}, doseq=True),
                                 headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read(), e.headers


REPORTS = "SELECT ?r ?name WHERE { ?r a gov:Report ; gov:sourceName ?name } ORDER BY ?name"


@pytest.mark.parametrize("accept, media, fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
    ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
    ("text/html;q=0.9, application/sparql-results+xml;q=0.8, */*;q=0.1", "application/sparql-results+xml", "XML"),
    (None, "application/sparql-results+json", "JSON"),
])
def test_select_answers_in_the_format_asked_for(endpoint, accept, media, fmt):
    status, ctype, body, headers = ask(endpoint, REPORTS, accept)
    assert status == 200 and ctype.split(";")[0] == media and headers.get("Vary") == "Accept"
    rows = list(ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt)))
    assert [r["name"].value for r in rows][:1] == ["000_5b05b909241fc83c.txt"] and len(rows) == 5


def test_select_as_csv(endpoint):
    status, ctype, body, _ = ask(endpoint, REPORTS, "text/csv")
    assert status == 200 and ctype == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == 5 and rows[0]["name"] == "000_5b05b909241fc83c.txt" and rows[0]["r"].startswith("https://")


def test_construct_answers_in_turtle_and_other_rdf_formats(endpoint):
    query = "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d gov:adcode \"640500\" ; rdfs:label ?l }"
    status, ctype, body, _ = ask(endpoint, query, "text/turtle")
    assert status == 200 and ctype == "text/turtle; charset=utf-8"
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert ox.Literal("中卫市", language="zh") in {t.object for t in triples}
    status, ctype, body, _ = ask(endpoint, query, "application/n-triples")
    assert status == 200 and set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)) == set(triples)
    status, ctype, body, _ = ask(endpoint, query, "application/ld+json")
    assert status == 200 and set(ox.parse(body, format=ox.RdfFormat.JSON_LD)) == set(triples)


@pytest.mark.parametrize("query, accept", [(REPORTS, "text/turtle"), ("CONSTRUCT WHERE { ?s a gov:Report }", "text/csv"),
                                           (REPORTS, "image/png")])
def test_a_format_the_query_cannot_be_answered_in_is_406(endpoint, query, accept):
    status, _, body, _ = ask(endpoint, query, accept)
    assert status == 406 and b"can be answered as" in body


def test_the_format_parameter_stands_in_for_accept(endpoint):
    status, ctype, body, _ = ask(endpoint, REPORTS, "application/sparql-results+json", format="tsv")
    assert status == 200 and ctype.startswith("text/tab-separated-values") and body.startswith(b"?r\t?name")


def test_a_service_description_without_a_query(endpoint):
    with urllib.request.urlopen(urllib.request.Request(endpoint, headers={"Accept": "text/turtle"})) as r:
        assert r.headers.get("Content-Type").startswith("text/turtle")
        triples = list(ox.parse(r.read(), format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.NamedNode(endpoint) in {t.object for t in triples if t.predicate.value == sd + "endpoint"}
    assert ox.NamedNode(sd + "SPARQL11Query") in {t.object for t in triples}
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert sum(n.startswith("https://w3id.org/govkg/id/graph/") for n in names) >= 5


def test_a_browser_gets_a_query_page_without_scripts(endpoint):
    for url in (endpoint, endpoint.rsplit("/", 1)[0] + "/"):
        req = urllib.request.Request(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        with urllib.request.urlopen(req) as r:
            page = r.read().decode("utf-8")
        assert r.headers.get("Content-Type").startswith("text/html")
        assert "<textarea" in page and 'name="query"' in page and "<script" not in page


def test_from_and_the_protocol_dataset_are_honoured(endpoint, kg):
    graph = kg.store.report_graphs()[0]
    count = "SELECT (COUNT(DISTINCT ?r) AS ?n) {from} WHERE {{ ?r a gov:Report }}"

    def n(*args, **params):
        return json.loads(ask(endpoint, *args, **params)[2])["results"]["bindings"][0]["n"]["value"]
    assert n(count.format(**{"from": ""})) == "5"                        # the union of all graphs
    assert n(count.format(**{"from": f"FROM <{graph}>"})) == "1"         # one report's graph
    assert n(count.format(**{"from": ""}), None, **{"default-graph-uri": graph}) == "1"
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?r a gov:Report } }"
    assert n(named, None, **{"named-graph-uri": graph}) == "1"
    assert n(named.replace("WHERE", f"FROM NAMED <{graph}> WHERE")) == "1"


def test_http_1_1_keeps_the_connection(endpoint):
    import http.client
    url = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        for _ in range(2):            # two requests on one connection
            conn.request("GET", url.path + "?" + urllib.parse.urlencode({"query": "ASK {}"}))
            r = conn.getresponse()
            assert r.version == 11 and r.status == 200 and json.loads(r.read())["boolean"] is True
    finally:
        conn.close()


def test_the_cli_server_shares_its_store(tmp_path):
    """`govkg serve` on a store folder: queries, exports and views of it go on, a build stops naming it."""
    store = tmp_path / "g.store"
    assert CliRunner().invoke(main, ["build", "--out", str(tmp_path / "g.ttl")]).exit_code == 0
    kg = KnowledgeGraph.open(store)
    adoptions = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?a a gov:Adoption }").rows[0]["n"]
    del kg                          # the server opens the folder next
    assert adoptions > 100
    port = free_port()
    govkg = [sys.executable, "-m", "govkg"]
    server = subprocess.Popen([*govkg, "serve", "--graph", str(store), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path)
    try:
        assert "SPARQL endpoint at" in server.stdout.readline()
        url = f"http://127.0.0.1:{port}/sparql"
        status, ctype, body, _ = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a a gov:Adoption }", "text/csv")
        assert status == 200 and body.decode().split()[1] == str(adoptions)
        q = subprocess.run([*govkg, "query", "reports", "--graph", str(store), "--format", "csv"],
                           capture_output=True, text=True, cwd=tmp_path)
        assert q.returncode == 0 and q.stdout.count("\n") == 6, q.stderr
        e = subprocess.run([*govkg, "export", "--graph", str(store), "--format", "nt", "--out", "x.nt"],
                           capture_output=True, text=True, cwd=tmp_path)
        assert e.returncode == 0 and (tmp_path / "x.nt").stat().st_size > 100_000, e.stderr
        v = subprocess.run([*govkg, "view", "--graph", str(store), "--division", "640500", "--out", "v.html"],
                           capture_output=True, text=True, cwd=tmp_path)
        assert v.returncode == 0 and "中卫市" in (tmp_path / "v.html").read_text(encoding="utf-8"), v.stderr
        b = subprocess.run([*govkg, "build", "--out", "g.ttl"], capture_output=True, text=True, cwd=tmp_path)
        assert b.returncode == 1 and "Traceback" not in b.stderr
        assert b.stderr.strip().count("\n") == 0
        assert f"in use by pid {server.pid} (" in b.stderr and "serve --graph" in b.stderr
        assert ask(url, "ASK { ?s ?p ?o }")[0] == 200          # the server goes on
    finally:
        server.terminate()
        server.wait(10)
    after = subprocess.run([*govkg, "build", "--out", "g.ttl"], capture_output=True, text=True, cwd=tmp_path)
    assert after.returncode == 0 and "unchanged 5" in after.stdout, after.stderr


def test_results_xml_is_well_formed_whatever_the_text_holds(endpoint):
    import xml.etree.ElementTree as ET
    status, _, body, _ = ask(endpoint, 'SELECT ?t WHERE { BIND("a\\u0001b" AS ?t) }', "application/sparql-results+xml")
    assert status == 200
    literal = ET.fromstring(body).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal.text == "ab"

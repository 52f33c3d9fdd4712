"""`govkg serve`: local, read-only, time-limited."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from govkg.kg.serve import make_server

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
    slow = threading.Thread(target=post, args=(url, {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}))
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

"""peerkg.backends: the same answers on every backend, bindings written into query text, and an engine that is
down, slow, refuses or answers garbage met with an honest status naming it, the previous version left in place."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from dataclasses import replace

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from peerkg import backends, bindings, cli, queries
from peerkg.backends import Limits, Query
from peerkg.backends.remote import RemoteSparql
from peerkg.config import PROJECT_ROOT
from peerkg.errors import EngineTimeout, EngineUnavailable, ReadOnly, UserInputError

from conftest import app_config, on_engine

CANNED = queries.load_all(PROJECT_ROOT / "queries")
LIMITS = Limits(30, 10**8)
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def remote(built, oxigraph, tmp_path_factory):
    return backends.open(on_engine(built, oxigraph, tmp_path_factory.mktemp("remote")))


def answer(backend, text: str, bound: tuple = (), fmt: str = "json"):
    body = backend.query(Query(text, fmt, bound), LIMITS)
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON) if fmt == "json" else body


def solutions(results) -> list[tuple]:
    if isinstance(results, ox.QueryBoolean):
        return [(bool(results),)]
    names = [v.value for v in results.variables]
    return [tuple(str(s[name]) if s[name] is not None else None for name in names) for s in results]


def defaults(query: queries.CannedQuery, values: dict | None = None) -> tuple:
    return tuple(sorted((v.value, term) for v, term in query.substitutions(values or {}).items()))


# --- The same answers --------------------------------------------------------------------------------------


def answers(backend, query: queries.CannedQuery, values: dict | None = None) -> list | set | int:
    """A canned query's answers, comparable across backends: a CONSTRUCT's triples as a set, solutions in the
    query's order (sorted when it has none), and only their number when any LIMIT-ed solutions will do."""
    bound = defaults(query, values)
    if "CONSTRUCT" in query.text:
        return set(ox.parse(backend.query(Query(query.text, "ntriples", bound), LIMITS), format=ox.RdfFormat.N_TRIPLES))
    found = solutions(answer(backend, query.text, bound))
    if "ORDER BY" not in query.text:
        found = sorted(found, key=repr)
    return len(found) if "LIMIT" in query.text and "ORDER BY" not in query.text else found


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_answers_alike_on_both_backends_with_its_defaults_and_examples(backend, remote, name):
    query = CANNED[name]
    examples = {p.name: p.example for p in query.params if p.example is not None}
    for values in ({}, examples) if examples else ({},):
        embedded = answers(backend, query, values)
        assert answers(remote, query, values) == embedded, (name, values)
        assert embedded or name in ("curated_graphs", "opposite_valence", "valence_reference_disagreements"), name


def test_both_backends_publish_the_same_version_graphs_and_quads(backend, remote):
    assert remote.version() == backend.version() and remote.fingerprint() == backend.fingerprint()
    assert remote.named_graphs() == backend.named_graphs()
    assert set(backends.quads(remote)) == set(backends.quads(backend))
    links = ox.NamedNode("https://w3id.org/peerkg/graph/links")
    assert set(backends.quads(remote, links)) == set(backends.quads(backend, links)) and len(list(backends.quads(remote, links))) == 24


def test_the_default_graph_is_the_union_of_peerkgs_graphs_whatever_else_the_engine_holds(remote, oxigraph):
    before = solutions(answer(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    # Another application's graph, and a triple in the engine's own default graph: peerkg reads neither.
    update = ("INSERT DATA { GRAPH <urn:example:other> { <urn:a> <urn:b> <urn:c> } } ; "
              "INSERT DATA { <urn:d> <urn:e> <urn:f> }")
    requests.post(oxigraph.update, data={"update": update}, timeout=10).raise_for_status()
    try:
        assert solutions(answer(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")) == before
        assert solutions(answer(remote, "ASK { GRAPH ?g { <urn:a> ?p ?o } }")) == [(False,)]
        # A dataset the query names replaces the union: FROM reads exactly that graph.
        assert solutions(answer(remote, "SELECT (COUNT(*) AS ?n) FROM <urn:example:other> WHERE { ?s ?p ?o }")) == [(str(ox.Literal("1", datatype=XSD_INTEGER)),)]
    finally:
        requests.post(oxigraph.update, data={"update": "DROP SILENT GRAPH <urn:example:other> ; DROP SILENT DEFAULT"},
                      timeout=10).raise_for_status()


def test_the_protocols_dataset_replaces_the_union_on_both_backends(backend, remote):
    links = ("https://w3id.org/peerkg/graph/links",)
    for each in (backend, remote):
        only_links = each.query(Query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv", default_graphs=links), LIMITS)
        assert only_links == b"n\r\n24\r\n"
        named = each.query(Query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "csv", named_graphs=links), LIMITS)
        assert named == b"g\r\nhttps://w3id.org/peerkg/graph/links\r\n"


def test_results_are_written_alike_in_every_format_and_capped_alike(backend, remote):
    text = "SELECT ?label WHERE { ?t a <https://w3id.org/peerkg/ontology#Theme> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?label"
    for fmt in ("json", "xml", "csv", "tsv"):
        assert remote.query(Query(text, fmt), LIMITS) == backend.query(Query(text, fmt), LIMITS), fmt
    ask = "ASK { ?s ?p ?o }"
    for fmt in ("json", "xml", "csv", "tsv"):
        assert remote.query(Query(ask, fmt), LIMITS) == backend.query(Query(ask, fmt), LIMITS), fmt
    small = Limits(30, 2000)
    for each in (backend, remote):
        with pytest.raises(Exception, match="2,000-byte"):
            each.query(Query("SELECT * WHERE { ?s ?p ?o }", "json"), small)


# --- Bindings in the text ----------------------------------------------------------------------------------


def test_a_binding_replaces_the_variable_and_keeps_the_column():
    text = 'SELECT ?x ?y WHERE { ?y <urn:p> ?x FILTER (?x != "?x" && STR(?x) != "<?x>") } ORDER BY ?x # ?x\n'
    bound = bindings.bind(text, (("x", ox.Literal('a"b\ncé')),))
    assert bound == ('SELECT ("a\\"b\\ncé" AS ?x) ?y WHERE { ?y <urn:p> "a\\"b\\ncé" FILTER ("a\\"b\\ncé" != "?x" && '
                     'STR("a\\"b\\ncé") != "<?x>") } ORDER BY ("a\\"b\\ncé") # ?x\n')


def test_a_subquery_drops_a_bound_variable_from_its_projection_and_as_keeps_its_target():
    text = "SELECT ?f ?n WHERE { { SELECT ?f (COUNT(?w) AS ?n) WHERE { ?w <urn:by> ?f } GROUP BY ?f } }"
    assert bindings.bind(text, (("f", ox.NamedNode("urn:x")),)) == (
        "SELECT (<urn:x> AS ?f) ?n WHERE { { SELECT  (COUNT(?w) AS ?n) WHERE { ?w <urn:by> <urn:x> } GROUP BY (<urn:x>) } }")
    # after a subquery's GROUP BY, the outer pattern's variable is a term again, not a grouping expression
    text = "SELECT ?f WHERE { { SELECT ?w WHERE { ?w <urn:p> ?v } GROUP BY ?w } ?w <urn:in> ?f }"
    assert bindings.bind(text, (("f", ox.NamedNode("urn:x")),)) == (
        "SELECT (<urn:x> AS ?f) WHERE { { SELECT ?w WHERE { ?w <urn:p> ?v } GROUP BY ?w } ?w <urn:in> <urn:x> }")
    assert bindings.bind("SELECT (1 AS ?n) WHERE {}", (("n", ox.Literal("2")),)) == "SELECT (1 AS ?n) WHERE {}"
    assert bindings.bind("SELECT ?a WHERE { ?a ?b ?c }", ()) == "SELECT ?a WHERE { ?a ?b ?c }"
    with pytest.raises(TypeError, match="must be an RDF term"):
        bindings.bind("SELECT ?a {}", (("a", "<urn:x> } ; DROP ALL ; {"),))


# --- Faults of the engine ------------------------------------------------------------------------------------


@contextlib.contextmanager
def fake_engine(handler):
    """A loopback HTTP server answering every POST with ``handler(self)``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            handler(self)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def reply(status: int, body: bytes, media: str = "application/sparql-results+json"):
    def handle(request):
        request.send_response(status)
        request.send_header("Content-Type", media)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def test_an_engine_that_is_down_is_a_503_naming_it(tmp_path):
    with fake_engine(reply(200, b"{}")) as url:
        pass  # the port is closed again
    engine = RemoteSparql(url, data_dir=tmp_path)
    with pytest.raises(EngineUnavailable) as down:
        engine.version()
    assert down.value.status == 503
    assert down.value.message == f"the SPARQL engine at {url} is not answering (connection refused); try again later"


def test_an_engine_is_reached_through_the_environments_proxy_unless_no_proxy_names_its_host(remote, monkeypatch, tmp_path):
    with fake_engine(reply(200, b"{}")) as closed:
        pass  # a proxy that is not there: a request sent through it is refused
    monkeypatch.setenv("HTTP_PROXY", closed)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(EngineUnavailable, match="connection refused|proxy"):
        RemoteSparql(remote.query_url, data_dir=tmp_path).version()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert RemoteSparql(remote.query_url, data_dir=tmp_path).version() == remote.version()


def test_an_engine_that_answers_garbage_or_fails_is_a_502_naming_it(tmp_path):
    with fake_engine(reply(200, b"<html>not results</html>", "text/html")) as url:
        with pytest.raises(EngineUnavailable, match=f"the SPARQL engine at {url} answered something peerkg cannot read") as garbage:
            RemoteSparql(url, data_dir=tmp_path).version()
    assert garbage.value.status == 502
    with fake_engine(reply(500, b"Internal error: out of transaction log space", "text/plain")) as url:
        with pytest.raises(EngineUnavailable) as failed:
            RemoteSparql(url, data_dir=tmp_path).version()
    assert (failed.value.status, failed.value.message) == (
        502, f"the SPARQL engine at {url} failed the query (500): Internal error: out of transaction log space")
    with fake_engine(reply(400, b"SPARQL compiler: unknown function", "text/plain")) as url:
        engine = RemoteSparql(url, data_dir=tmp_path)
        engine._published = lambda: ("v", "", ())
        with pytest.raises(UserInputError, match=r"refused the query \(400\): SPARQL compiler: unknown function"):
            engine.query(Query("SELECT * WHERE { ?s ?p ?o }", "json"), LIMITS)


def test_a_slow_engine_is_a_504_at_the_time_limit_never_a_hang(tmp_path):
    def slow(request):
        time.sleep(5)
        reply(200, b'{"head":{"vars":[]},"results":{"bindings":[]}}')(request)

    with fake_engine(slow) as url:
        started = time.monotonic()
        with pytest.raises(EngineTimeout) as late:
            engine = RemoteSparql(url, data_dir=tmp_path)
            engine._published = lambda: ("v", "", ())
            engine.query(Query("SELECT * WHERE { ?s ?p ?o }", "json"), Limits(1, 1000))
        assert time.monotonic() - started < 4
    assert (late.value.status, late.value.message) == (504, f"the SPARQL engine at {url} gave no answer to the query within 1 s")


def test_basic_authentication_is_answered_when_the_engine_asks_for_it(tmp_path):
    seen = []

    def guarded(request):
        seen.append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") != "Basic YWxpY2U6czNjcmV0":  # alice:s3cret
            request.send_response(401)
            request.send_header("WWW-Authenticate", 'Basic realm="engine"')
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        reply(200, b'{"head":{"vars":["version","fingerprint","graph"]},"results":{"bindings":[]}}')(request)

    with fake_engine(guarded) as url:
        assert RemoteSparql(url, user="alice", password="s3cret", data_dir=tmp_path).version() is None
        with pytest.raises(EngineUnavailable, match=r"refused peerkg's credentials for the query \(401\): check --backend-user"):
            RemoteSparql(url, user="alice", password="guess", data_dir=tmp_path).version()
    assert seen[:2] == [None, "Basic YWxpY2U6czNjcmV0"]


def test_a_failed_publish_leaves_the_previous_version_in_place(remote, tmp_path):
    before, quads = remote.version(), set(backends.quads(remote))
    with fake_engine(reply(500, b"disk full", "text/plain")) as broken_update:
        failing = replace_update(remote, broken_update)
        with failing.writer(), pytest.raises(EngineUnavailable, match=r"failed the update \(500\): disk full"):
            failing.publish([ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"),
                                     ox.NamedNode("https://w3id.org/peerkg/graph/links"))], "x")
    assert (remote.version(), set(backends.quads(remote))) == (before, quads)


def replace_update(engine: RemoteSparql, update_url: str) -> RemoteSparql:
    return RemoteSparql(engine.query_url, update_url, data_dir=engine.data_dir)


def test_a_read_only_engine_serves_and_queries_but_refuses_writes(built, remote, tmp_path):
    read_only = RemoteSparql(remote.query_url, data_dir=tmp_path)
    assert not read_only.writable and read_only.version() == remote.version()
    with pytest.raises(ReadOnly, match="is read-only here: give its update endpoint"):
        read_only.writer()
    settings = replace(built, data_dir=tmp_path, backend=remote.query_url)
    runner = CliRunner()
    options = ["--data-dir", str(tmp_path), "--backend", remote.query_url, "-q"]
    listed = runner.invoke(cli.main, [*options, "query", "ASK { ?s ?p ?o }", "-f", "csv"])
    assert (listed.exit_code, listed.output.splitlines()) == (0, ["_askResult", "true"])
    for command in (["build"], ["ingest", str(PROJECT_ROOT / "examples" / "curated-study.ttl"), "--graph", "x"], ["revert", "x"]):
        refused = runner.invoke(cli.main, [*options, *command])
        assert refused.exit_code == 1, command
        assert f"the SPARQL engine at {remote.query_url} is read-only here: give its update endpoint" in refused.output, command
    from peerkg.web import create_app

    from peerkg.curation import tokens

    client = create_app({"TESTING": True, **app_config(settings), "TOKENS": tokens.load({"PEERKG_TOKENS": "alice:s3cret"})}).test_client()
    assert client.get("/queries/table3.json").status_code == 200
    put = client.put("/store?graph=https://w3id.org/peerkg/graph/curated/x", data=b"<urn:a> <urn:b> <urn:c> .",
                     headers={"Authorization": "Bearer s3cret", "Content-Type": "application/n-triples"})
    assert (put.status_code, put.json["detail"]) == (403, f"this server writes nothing: it serves the SPARQL engine at "
                                                           f"{remote.query_url} read-only (a fixed --store directory, or an "
                                                           "engine without --backend-update)")


def test_readers_see_a_build_before_or_after_never_half(built, oxigraph_scratch, tmp_path):
    settings = on_engine(built, oxigraph_scratch, tmp_path / "data")
    engine = backends.open(settings)
    before = int(engine.query(Query(COUNT, "csv"), LIMITS).split()[1])
    extra = [ox.Quad(ox.NamedNode(f"https://w3id.org/peerkg/id/thing/{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)),
                     ox.NamedNode("https://w3id.org/peerkg/graph/curated/bulk")) for i in range(30000)]
    everything = [*backends.quads(engine), *extra]
    counts, stop = [], threading.Event()

    def read():
        reader = backends.open(settings)
        while not stop.is_set():
            counts.append(int(reader.query(Query(COUNT, "csv"), LIMITS).split()[1]))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        with engine.writer():
            engine.publish(everything, "fingerprint")
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert set(counts) <= {before, before + 30000} and before + 30000 in counts

"""The real engines of tests/engines.py, and what each does with the requests peerkg's backends will send.

Oxigraph is `oxigraph serve` 0.5 (PyPI oxigraph); Virtuoso is Debian's virtuoso-opensource 7.2.5 with the
package's virtuoso.ini. The findings below are asserted, except those marked (measured).

- Dataset: with no dataset, Oxigraph queries its own default graph (empty here: named graphs are not in
  it); Virtuoso queries the union of ALL its graphs, its five system graphs included. default-graph-uri
  (several allowed) and named-graph-uri work on both. A FROM in the query is replaced by the protocol's
  graphs on Oxigraph (as the SPARQL 1.1 Protocol says) but merged with them on Virtuoso. `GRAPH ?g {}` is
  wrong on Virtuoso (no solution with named-graph-uri, one unbound solution without): use
  `GRAPH ?g { ?s ?p ?o }`.
- Updates: Virtuoso writes only with HTTP digest authentication (/sparql-auth); it has no writable default
  graph (INSERT DATA without GRAPH, CLEAR/DROP DEFAULT: 400 SP031); CLEAR ALL, DROP ALL and CLEAR NAMED
  answer 200 and do nothing; DROP GRAPH fails on a graph that was not made by CREATE GRAPH (DROP SILENT
  GRAPH and CLEAR GRAPH remove its triples). A request of several operations is atomic on Oxigraph; on
  Virtuoso an operation that fails at run time leaves the earlier ones applied (a syntax error anywhere
  applies nothing, on both).
- Size on Virtuoso: one INSERT DATA of 1,400 triples works, 1,500 fails (SP031 "exceeded 10000 lines of
  code"), 5,000 fails in the parser (SP030 "memory exhausted"); the operations of ONE request are compiled
  together: 20 x 100 triples work, 40 x 100 fail (SQ199 "Maximum size (32767) of a code vector exceeded"),
  after seconds of compiling (measured: 4 x 1,000 6 s, 10 x 1,000 73 s, 50 x 1,000 no answer within
  300 s). With Virtuoso's pragma `define sql:big-data-const 1` before the request, 4,900 triples per
  INSERT DATA work and 50 of them (50,000 triples) go in one request in about 1-2 s (measured); a triples
  block still fails past about 4,990 statements (SP030), several GRAPH blocks of 4,000 in one INSERT DATA
  work. With the pragma a run-time error is reported as 400 SP031 "... not translated to an accurate SQL
  text". The Graph Store Protocol loads 50,000 triples in one POST on both, atomically on Oxigraph only.
- Readers during a 50,000-triple update of 50 operations: Oxigraph's never see part of it (asserted).
  Virtuoso's sometimes do (measured: counts 46,000 and 49,000 in 3 runs of 8): not asserted, only printed.
- Virtuoso's ini caps results (ResultSetMaxRows = 10,000): SELECT gives 10,000 rows with the header
  X-SPARQL-MaxRows: 10000, CONSTRUCT and Graph Store GET 10,001 triples without it; ORDER BY with
  OFFSET + LIMIT over 10,000 fails (SR353); the sort in a subquery with the page outside works.
- CONSTRUCT as N-Triples: both give application/n-triples (Virtuoso with "; charset=UTF-8", tabs between
  terms and non-ASCII escaped as \\u00E9); Virtuoso has no N-Quads (406). Oxigraph's text/turtle has no
  charset parameter (requests then decodes it as ISO-8859-1: decode as UTF-8).
"""

from __future__ import annotations

import configparser
import re
import threading
import time

import pyoxigraph
import pytest
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from engines import Engine, oxigraph_server, virtuoso, virtuoso_ini

SPARQL_JSON = "application/sparql-results+json"
BIG_DATA = "define sql:big-data-const 1 "  # Virtuoso's pragma: INSERT DATA's triples as one constant
LITERAL = 'é"x\n'
LITERAL_SPARQL = '"\u00e9\\"x\\n"'
ENGINES = ("oxigraph", "virtuoso")


@pytest.fixture(scope="module")
def oxigraph_engine(tmp_path_factory) -> Engine:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as engine:
        yield engine


@pytest.fixture(scope="module")
def virtuoso_engine(tmp_path_factory) -> Engine:
    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as engine:
        yield engine


@pytest.fixture(params=ENGINES)
def engine(request) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def ns(request) -> str:
    """IRIs of this test's own graphs (the engines are shared by the module's tests)."""
    return f"http://example.org/{re.sub(r'[^A-Za-z0-9]+', '-', request.node.name)}/"


def query(engine: Engine, text: str, params=(), accept: str = SPARQL_JSON) -> requests.Response:
    return requests.post(engine.query, data=[("query", text), *params], headers={"Accept": accept}, timeout=60)


def update(engine: Engine, text: str, timeout: float = 120) -> requests.Response:
    return requests.post(engine.update, data={"update": text}, auth=engine.auth, timeout=timeout)


def select(engine: Engine, text: str, params=()) -> list[dict[str, str]]:
    response = query(engine, text, params)
    assert response.status_code == 200, response.text[:2000]
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def count(engine: Engine, graphs=None, params=()) -> int:
    """Triples of the default graph: the graphs given as default-graph-uri, or the engine's own."""
    params = [*(("default-graph-uri", g) for g in graphs or ()), *params]
    return int(select(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", params)[0]["n"])


def graphs(engine: Engine, ns: str) -> dict[str, int]:
    """Triples in each named graph under ns, by the graph's name after ns."""
    rows = select(engine, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                          f'FILTER(STRSTARTS(STR(?g), "{ns}")) }} GROUP BY ?g')
    return {row["g"].removeprefix(ns): int(row["n"]) for row in rows}


def ok(engine: Engine, response: requests.Response) -> None:
    expected = {"oxigraph": 204, "virtuoso": 200}[engine.name]
    assert response.status_code == expected, response.text[:2000]


def triples(n: int, start: int = 0) -> str:
    return " ".join(f'<http://example.org/s{i}> <http://example.org/p> "v {i}" .' for i in range(start, start + n))


def insert(graph: str, n: int, start: int = 0) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {triples(n, start)} }} }}"


def three_triples(ns: str) -> str:
    """g1: the literal with a non-ASCII letter, a quote and a newline; g2: two more triples. Two operations."""
    return (f"INSERT DATA {{ GRAPH <{ns}g1> {{ <{ns}a> <{ns}p> {LITERAL_SPARQL} }} }} ;\n"
            f'INSERT DATA {{ GRAPH <{ns}g2> {{ <{ns}b> <{ns}p> "two" . <{ns}c> <{ns}p> "three" }} }}')


def test_engine_answers_ask(engine):
    response = requests.post(engine.query, data={"query": "ASK {}"}, headers={"Accept": SPARQL_JSON}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == SPARQL_JSON
    assert response.json()["boolean"] is True


def test_several_operations_in_one_update(engine, ns):
    response = update(engine, three_triples(ns))
    ok(engine, response)
    if engine.name == "oxigraph":
        assert response.text == ""
    else:  # a SPARQL XML result whose one literal reports each operation
        assert response.headers["Content-Type"] == "application/sparql-results+xml; charset=UTF-8"
        assert (f"Insert into &lt;{ns}g1&gt;, 1 (or less) triples -- done\n"
                f"Insert into &lt;{ns}g2&gt;, 2 (or less) triples -- done\nCommit -- done\n") in response.text
    assert select(engine, f"SELECT ?o WHERE {{ GRAPH <{ns}g1> {{ ?s ?p ?o }} }}") == [{"o": LITERAL}]
    assert graphs(engine, ns) == {"g1": 1, "g2": 2}


def test_virtuoso_big_data_pragma_round_trips_the_literal(virtuoso_engine, ns):
    ok(virtuoso_engine, update(virtuoso_engine, BIG_DATA + three_triples(ns)))
    assert select(virtuoso_engine, f"SELECT ?o WHERE {{ GRAPH <{ns}g1> {{ ?s ?p ?o }} }}") == [{"o": LITERAL}]
    ok(virtuoso_engine, update(virtuoso_engine, f"{BIG_DATA}DELETE DATA {{ GRAPH <{ns}g1> {{ <{ns}a> <{ns}p> "
                                                f"{LITERAL_SPARQL} }} }}"))
    assert graphs(virtuoso_engine, ns) == {"g2": 2}


def test_dataset_parameters(engine, ns):
    ok(engine, update(engine, three_triples(ns)))
    g1, g2 = f"{ns}g1", f"{ns}g2"
    assert count(engine, [g1, g2]) == 3
    assert count(engine, [g1]) == 1
    named = [("named-graph-uri", g1), ("named-graph-uri", g2)]
    listed = select(engine, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", named)
    assert listed == [{"g": g1}, {"g": g2}]
    # GRAPH ?g {} is no way to list graphs on Virtuoso
    empty_pattern = select(engine, "SELECT ?g WHERE { GRAPH ?g {} } ORDER BY ?g", named)
    assert empty_pattern == {"oxigraph": [{"g": g1}, {"g": g2}], "virtuoso": []}[engine.name]
    # a default graph and a named graph together
    assert count(engine, [g1], [("named-graph-uri", g2)]) == 1
    assert select(engine, "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s",
                  [("default-graph-uri", g1), ("named-graph-uri", g2)]) == [{"s": f"{ns}b"}, {"s": f"{ns}c"}]
    # the protocol's default-graph-uri with a FROM in the query: replaces it on Oxigraph, adds to it on Virtuoso
    with_from = select(engine, f"SELECT (COUNT(*) AS ?n) FROM <{g2}> WHERE {{ ?s ?p ?o }}",
                       [("default-graph-uri", g1)])
    assert int(with_from[0]["n"]) == {"oxigraph": 1, "virtuoso": 3}[engine.name]


def test_no_dataset_oxigraph(oxigraph_engine, ns):
    """Oxigraph without a dataset: its own default graph, which no named graph is part of."""
    ok(oxigraph_engine, update(oxigraph_engine, three_triples(ns)))
    assert count(oxigraph_engine) == 0
    listed = select(oxigraph_engine, "SELECT ?g WHERE { GRAPH ?g {} }")
    assert {"g": f"{ns}g1"} in listed and {"g": f"{ns}g2"} in listed


def test_no_dataset_virtuoso(virtuoso_engine, ns):
    """Virtuoso without a dataset: the union of all its graphs, its own five system graphs included."""
    ok(virtuoso_engine, update(virtuoso_engine, three_triples(ns)))
    rows = select(virtuoso_engine, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    per_graph = {row["g"]: int(row["n"]) for row in rows}
    base = virtuoso_engine.query.removesuffix("/sparql")
    system = {k: v for k, v in per_graph.items() if not k.startswith("http://example.org/")}
    assert system == {
        "http://www.openlinksw.com/schemas/virtrdf#": 2479,
        f"{base}/DAV/": 2955,
        f"{base}/sparql": 14,  # the endpoint's service description
        "http://www.w3.org/2002/07/owl#": 160,
        "http://www.w3.org/ns/ldp#": 3,
    }
    assert count(virtuoso_engine) == sum(per_graph.values())
    assert per_graph[f"{ns}g1"] == 1 and per_graph[f"{ns}g2"] == 2
    assert select(virtuoso_engine, "SELECT ?g WHERE { GRAPH ?g {} }") == [{}]  # one solution, ?g unbound


CONSTRUCT_TYPES = {  # Accept: (status, Content-Type) for oxigraph, for virtuoso
    "application/n-triples": ((200, "application/n-triples"), (200, "application/n-triples; charset=UTF-8")),
    "text/turtle": ((200, "text/turtle"), (200, "text/turtle; charset=UTF-8")),
    "application/rdf+xml": ((200, "application/rdf+xml"), (200, "application/rdf+xml; charset=UTF-8")),
    "application/n-quads": ((200, "application/n-quads"), (406, "text/html; charset=UTF-8")),
    "text/plain": ((200, "application/n-triples"), (200, "text/plain; charset=UTF-8")),
    "application/ld+json": ((200, "application/ld+json"), (200, "application/ld+json")),
    "*/*": ((200, "application/n-quads"), (200, "text/turtle; charset=UTF-8")),
    "application/n-triples, text/turtle;q=0.5": ((200, "application/n-triples"),
                                                 (200, "application/n-triples; charset=UTF-8")),
}


def test_construct_media_types(engine, ns):
    ok(engine, update(engine, three_triples(ns)))
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ns}g1> {{ ?s ?p ?o }} }}"
    response = query(engine, construct, accept="application/n-triples")
    assert response.status_code == 200
    assert response.content.decode("utf-8") == {
        "oxigraph": f'<{ns}a> <{ns}p> "é\\"x\\n" .\n',
        "virtuoso": f'<{ns}a>\t<{ns}p>\t"\\u00E9\\"x\\n" .\n',
    }[engine.name]
    parsed = [quad.triple for quad in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES)]
    assert parsed == [pyoxigraph.Triple(pyoxigraph.NamedNode(f"{ns}a"), pyoxigraph.NamedNode(f"{ns}p"),
                                        pyoxigraph.Literal(LITERAL))]
    index = ENGINES.index(engine.name)
    seen = {accept: (r.status_code, r.headers["Content-Type"])
            for accept in CONSTRUCT_TYPES for r in [query(engine, construct, accept=accept)]}
    assert seen == {accept: types[index] for accept, types in CONSTRUCT_TYPES.items()}


def test_insert_data_sizes_oxigraph(oxigraph_engine, ns):
    ok(oxigraph_engine, update(oxigraph_engine, insert(f"{ns}one", 50_000)))
    ok(oxigraph_engine, update(oxigraph_engine, " ;\n".join(insert(f"{ns}split", 1000, k * 1000) for k in range(50))))
    assert graphs(oxigraph_engine, ns) == {"one": 50_000, "split": 50_000}


def test_insert_data_sizes_virtuoso(virtuoso_engine, ns):
    def attempt(graph: str, text: str) -> tuple[int, str]:
        response = update(virtuoso_engine, text)
        first = response.text.splitlines()[0] if response.status_code != 200 else ""
        return response.status_code, first

    lines = "Virtuoso 37000 Error SP031: SPARQL: Internal error: The length of generated SQL text has exceeded " \
            "10000 lines of code"
    # one INSERT DATA
    assert attempt("1400", insert(f"{ns}1400", 1400)) == (200, "")
    assert attempt("1500", insert(f"{ns}1500", 1500)) == (400, lines)
    assert attempt("5000", insert(f"{ns}5000", 5000)) == (
        400, "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: memory exhausted at '\"v 4990\"' before '.'")
    # several in one request: compiled together
    assert attempt("20x100", " ;\n".join(insert(f"{ns}20x100", 100, k * 100) for k in range(20))) == (200, "")
    status, message = attempt("40x100", " ;\n".join(insert(f"{ns}40x100", 100, k * 100) for k in range(40)))
    assert status == 500
    assert re.fullmatch(r"Virtuoso 42000 Error SQ199: Maximum size \(32767\) of a code vector exceeded by \d+ "
                        r"bytes\. Please split the code in smaller units\.", message), message
    # with the pragma
    assert attempt("b4900", BIG_DATA + insert(f"{ns}b4900", 4900)) == (200, "")
    status, message = attempt("b5000", BIG_DATA + insert(f"{ns}b5000", 5000))
    assert (status, message.split(":")[0]) == (400, "Virtuoso 37000 Error SP030")
    assert "memory exhausted" in message
    started = time.monotonic()
    assert attempt("b50x1000", BIG_DATA + " ;\n".join(insert(f"{ns}b50x1000", 1000, k * 1000) for k in range(50))) \
        == (200, "")
    print(f"Virtuoso, 50 x 1,000 triples in one request with {BIG_DATA!r}: {time.monotonic() - started:.1f} s")
    blocks = " ".join(f"GRAPH <{ns}blocks> {{ {triples(4000, k * 4000)} }}" for k in range(5))
    assert attempt("blocks", f"{BIG_DATA}INSERT DATA {{ {blocks} }}") == (200, "")
    assert graphs(virtuoso_engine, ns) == {"1400": 1400, "20x100": 2000, "b4900": 4900, "b50x1000": 50_000,
                                           "blocks": 20_000}


def test_failing_operation_in_a_request(engine, ns):
    """A run-time failure after an INSERT DATA: Oxigraph applies nothing, Virtuoso keeps the insert."""
    first = f'INSERT DATA {{ GRAPH <{ns}ga> {{ <{ns}x> <{ns}p> "x" }} }}'
    response = update(engine, f"{first} ;\nDROP GRAPH <{ns}never>")
    assert response.status_code == 500
    assert response.text.splitlines()[0] == {
        "oxigraph": f"The graph <{ns}never> does not exist",
        "virtuoso": f"Virtuoso 22023 Error SPARUL_DROP() failed: graph <{ns}never> has not been explicitly "
                    "created before",
    }[engine.name]
    assert graphs(engine, ns) == {"oxigraph": {}, "virtuoso": {"ga": 1}}[engine.name]
    # a syntax error anywhere: nothing is applied
    response = update(engine, f'{first.replace("ga", "gb")} ;\nINSERT DATA {{ GRAPH <{ns}gc> {{ <{ns}x> <{ns}p> }} }}')
    assert response.status_code == 400
    assert "gb" not in graphs(engine, ns)


def test_virtuoso_failing_operation_with_the_pragma(virtuoso_engine, ns):
    response = update(virtuoso_engine, f"{BIG_DATA}{insert(f'{ns}ga', 2000)} ;\nCREATE GRAPH <{ns}ga>")
    assert (response.status_code, response.text.splitlines()[0]) == (
        400, "Virtuoso 37000 Error SP031: SPARQL compiler: The query can be compiled and executed but not translated "
             "to an accurate SQL text, add 'define sql:big-data-const 0' for workaround")
    assert graphs(virtuoso_engine, ns) == {"ga": 2000}


# Graph management, from g1 (1 triple) and g2 (2 triples): {operation: (oxigraph's, virtuoso's)}, each a
# status and the graphs after, or the status and the first line of the error
FAIL = "fail"
GRAPH_OPERATIONS = {
    "DROP SILENT GRAPH <g1>": ((204, {"g2": 2}), (200, {"g2": 2})),
    "DROP SILENT GRAPH <never>": ((204, {"g1": 1, "g2": 2}), (200, {"g1": 1, "g2": 2})),
    "DROP GRAPH <g1>": ((204, {"g2": 2}), (500, "Virtuoso 22023 Error SPARUL_DROP() failed: graph <g1> has not been "
                                               "explicitly created before")),
    "CREATE GRAPH <g3> ; INSERT DATA { GRAPH <g3> { <x> <p> <o> } } ; DROP GRAPH <g3>":
        ((204, {"g1": 1, "g2": 2}), (200, {"g1": 1, "g2": 2})),
    "DROP GRAPH <never>": ((500, "The graph <never> does not exist"),
                           (500, "Virtuoso 22023 Error SPARUL_DROP() failed: graph <never> has not been explicitly "
                                 "created before")),
    "CLEAR GRAPH <g1>": ((204, {"g2": 2}), (200, {"g2": 2})),
    "CLEAR GRAPH <never>": ((500, "The graph <never> does not exist"), (200, {"g1": 1, "g2": 2})),
    "CREATE GRAPH <g1>": ((500, "The graph <g1> already exists"),
                          (500, "Virtuoso 22023 Error SPARUL_CREATE() failed: graph <g1> contains triples already")),
    "COPY <g1> TO <g2>": ((204, {"g1": 1, "g2": 1}), (200, {"g1": 1, "g2": 1})),
    "COPY GRAPH <g1> TO GRAPH <g3>": ((204, {"g1": 1, "g2": 2, "g3": 1}), (200, {"g1": 1, "g2": 2, "g3": 1})),
    "MOVE <g1> TO <g2>": ((204, {"g2": 1}), (200, {"g2": 1})),
    "ADD <g1> TO <g2>": ((204, {"g1": 1, "g2": 3}), (200, {"g1": 1, "g2": 3})),
    "ADD <never> TO <g1>": ((204, {"g1": 1, "g2": 2}), (200, {"g1": 1, "g2": 2})),  # the spec says: an error
    "COPY SILENT <never> TO <g2>": ((204, {"g1": 1}), (200, {"g1": 1})),
    "DELETE DATA { GRAPH <g2> { <b> <p> \"2\" } }": ((204, {"g1": 1, "g2": 1}), (200, {"g1": 1, "g2": 1})),
    "WITH <g2> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }": ((204, {"g1": 1}), (200, {"g1": 1})),
    "DELETE { GRAPH <g2> { ?s ?p ?o } } INSERT { GRAPH <g3> { ?s ?p ?o } } WHERE { GRAPH <g2> { ?s ?p ?o } }":
        ((204, {"g1": 1, "g3": 2}), (200, {"g1": 1, "g3": 2})),
    "CLEAR DEFAULT": ((204, {"g1": 1, "g2": 2}),
                      (400, "Virtuoso 37000 Error SP031: SPARQL compiler: SPARQL 1.1 CLEAR DEFAULT operator requires "
                            "declaration of a plain default graph")),
    "DROP DEFAULT": ((204, {"g1": 1, "g2": 2}),
                     (400, "Virtuoso 37000 Error SP031: SPARQL compiler: SPARQL 1.1 CLEAR DEFAULT operator requires "
                           "declaration of a plain default graph")),
}


def test_graph_operations(engine, ns):
    index = ENGINES.index(engine.name)
    seen, expected = {}, {}
    for operation, outcomes in GRAPH_OPERATIONS.items():
        ok(engine, update(engine, " ; ".join(f"DROP SILENT GRAPH <{ns}{g}>" for g in ("g1", "g2", "g3"))))
        ok(engine, update(engine, f'INSERT DATA {{ GRAPH <{ns}g1> {{ <{ns}a> <{ns}p> "1" }} '
                                  f'GRAPH <{ns}g2> {{ <{ns}b> <{ns}p> "2" . <{ns}c> <{ns}p> "3" }} }}'))
        response = update(engine, re.sub(r"<(\w+)>", rf"<{ns}\1>", operation))
        if response.status_code in (200, 204):
            seen[operation] = (response.status_code, graphs(engine, ns))
        else:
            seen[operation] = (response.status_code, response.text.splitlines()[0].replace(ns, ""))
        expected[operation] = outcomes[index]
    assert seen == expected


def test_insert_into_the_default_graph(engine, ns):
    response = update(engine, f'INSERT DATA {{ <{ns}x> <{ns}p> "default" }}')
    if engine.name == "oxigraph":
        assert response.status_code == 204
        assert count(engine) == 1
        ok(engine, update(engine, "CLEAR DEFAULT"))
        assert count(engine) == 0
    else:
        assert (response.status_code, response.text.splitlines()[0]) == (
            400, "Virtuoso 37000 Error SP031: SPARQL compiler: No plain default graph specified in the preamble, but "
                 "it is needed for triple in INSERT DATA {...} without GRAPH {...}")


def test_all_graphs_operations_oxigraph(tmp_path, ns):
    """CLEAR NAMED, CLEAR ALL and DROP ALL empty Oxigraph (on an engine of their own)."""
    with oxigraph_server(tmp_path) as engine:
        for operation in ("CLEAR NAMED", "CLEAR ALL", "DROP ALL"):
            ok(engine, update(engine, three_triples(ns) + f' ; INSERT DATA {{ <{ns}x> <{ns}p> "d" }}'))
            assert (graphs(engine, ns), count(engine)) == ({"g1": 1, "g2": 2}, 1)
            ok(engine, update(engine, operation))
            assert (graphs(engine, ns), count(engine)) == ({}, {"CLEAR NAMED": 1}.get(operation, 0)), operation
            ok(engine, update(engine, "CLEAR DEFAULT"))


def test_all_graphs_operations_virtuoso(virtuoso_engine, ns):
    """CLEAR NAMED, CLEAR ALL and DROP ALL answer 200 on Virtuoso and remove nothing, not even its own graphs."""
    ok(virtuoso_engine, update(virtuoso_engine, three_triples(ns)))
    before = count(virtuoso_engine)
    for operation in ("CLEAR NAMED", "CLEAR ALL", "DROP ALL"):
        response = update(virtuoso_engine, operation)
        assert response.status_code == 200
        assert '<binding name="callret-0"><literal></literal></binding>' in response.text
        assert graphs(virtuoso_engine, ns) == {"g1": 1, "g2": 2}
        assert count(virtuoso_engine) == before


def test_readers_during_a_large_update(engine, ns):
    """A reader counting the graph while 50 INSERT DATA of 1,000 triples run in one request."""
    graph = f"{ns}g"
    prefix = BIG_DATA if engine.name == "virtuoso" else ""
    text = prefix + " ;\n".join(insert(graph, 1000, k * 1000) for k in range(50))
    reads: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def reader():
        with requests.Session() as session:
            while not stop.is_set():
                began = time.monotonic()
                response = session.post(engine.query, timeout=60, headers={"Accept": SPARQL_JSON}, data={
                    "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
                reads.append((began, time.monotonic(), int(response.json()["results"]["bindings"][0]["n"]["value"])))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        time.sleep(0.2)
        began = time.monotonic()
        response = update(engine, text)
        ended = time.monotonic()
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    ok(engine, response)
    during = [n for start, end, n in reads if start > began and end < ended]
    print(f"{engine.name}: update {ended - began:.1f} s, {len(during)} reads during it, counts seen "
          f"{sorted(set(during))}")
    assert len(during) >= 5
    assert all(0 <= n <= 50_000 for *_, n in reads)
    assert count(engine, [graph]) == 50_000
    if engine.name == "oxigraph":
        assert set(n for *_, n in reads) == {0, 50_000}
        assert set(during) <= {0, 50_000}


def test_result_size_cap(engine, ns):
    """Virtuoso's ResultSetMaxRows (10,000): SELECT says so in a header, CONSTRUCT and the Graph Store do not."""
    graph = f"{ns}g"
    body = "\n".join(f'<{ns}s{i}> <{ns}p> "{i}" .' for i in range(10_100)).encode()
    response = requests.post(engine.store, params={"graph": graph}, data=body, auth=engine.auth,
                             headers={"Content-Type": "application/n-triples"}, timeout=60)
    assert response.status_code == 201
    capped = engine.name == "virtuoso"
    response = query(engine, f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert len(response.json()["results"]["bindings"]) == (10_000 if capped else 10_100)
    assert response.headers.get("X-SPARQL-MaxRows") == ("10000" if capped else None)
    # pages: without ORDER BY any offset; with it, Virtuoso sorts at most 10,000 rows (OFFSET + LIMIT)
    pattern = f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert len(select(engine, f"{pattern} OFFSET 10000 LIMIT 10000")) == 100
    assert len(select(engine, f"{pattern} ORDER BY ?s OFFSET 9900 LIMIT 100")) == 100
    response = query(engine, f"{pattern} ORDER BY ?s OFFSET 10000 LIMIT 100")
    if capped:
        assert (response.status_code, response.text.splitlines()[0]) == (
            500, "Virtuoso 22023 Error SR353: Sorted TOP clause specifies more then 10100 rows to sort. Only 10000 "
                 "are allowed. Either decrease the offset and/or row count or use a scrollable cursor")
    else:
        assert len(response.json()["results"]["bindings"]) == 100
    # the sort in a subquery, the page outside it: works on both
    ordered = sorted(f"{ns}s{i}" for i in range(10_100))
    page = select(engine, f"SELECT ?s WHERE {{ {{ {pattern} ORDER BY ?s }} }} OFFSET 10000 LIMIT 100")
    assert [row["s"] for row in page] == ordered[10_000:]
    response = query(engine, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                     accept="application/n-triples")
    assert len(set(response.text.splitlines())) == (10_001 if capped else 10_100)
    assert "X-SPARQL-MaxRows" not in response.headers
    response = requests.get(engine.store, params={"graph": graph}, headers={"Accept": "application/n-triples"},
                            auth=engine.auth, timeout=60)
    assert response.status_code == 200
    assert len(set(response.text.splitlines())) == (10_001 if capped else 10_100)


def test_graph_store_protocol(engine, ns):
    """Bulk loads through the Graph Store: 50,000 triples at once; a bad line is atomic on Oxigraph only."""
    graph, bad = f"{ns}g", f"{ns}bad"
    lines = [f'<{ns}s{i}> <{ns}p> "v {i} é" .' for i in range(50_000)]

    def send(method: str, target: str, text: str) -> requests.Response:
        return requests.request(method, engine.store, params={"graph": target}, data=text.encode(),
                                headers={"Content-Type": "application/n-triples"}, auth=engine.auth, timeout=120)

    assert send("POST", graph, "\n".join(lines)).status_code == 201
    assert count(engine, [graph]) == 50_000
    assert send("POST", graph, "\n".join(lines[:10])).status_code == {"oxigraph": 204, "virtuoso": 200}[engine.name]
    assert send("PUT", graph, f'<{ns}a> <{ns}p> {LITERAL_SPARQL} .\n').status_code \
        == {"oxigraph": 204, "virtuoso": 200}[engine.name]
    assert select(engine, "SELECT ?o WHERE { ?s ?p ?o }", [("default-graph-uri", graph)]) == [{"o": LITERAL}]
    response = requests.get(engine.store, params={"graph": graph}, headers={"Accept": "application/n-triples"},
                            auth=engine.auth, timeout=60)
    assert response.headers["Content-Type"] == {"oxigraph": "application/n-triples",
                                                "virtuoso": "application/n-triples; charset=UTF-8"}[engine.name]
    lines[40_000] = f'<{ns}s40000> <{ns}p> "unterminated .'
    response = send("POST", bad, "\n".join(lines))
    if engine.name == "oxigraph":
        assert response.status_code == 400
        assert response.text.startswith("Parser error at line 40001 column ")
        assert count(engine, [bad]) == 0
    else:
        assert response.status_code == 500
        assert "SP029: TURTLE RDF loader, line 40001: End-of-line in a short" in response.text
        assert count(engine, [bad]) == 40_000
    deleted = requests.delete(engine.store, params={"graph": graph}, auth=engine.auth, timeout=60)
    assert deleted.status_code == {"oxigraph": 204, "virtuoso": 200}[engine.name]
    assert requests.delete(engine.store, params={"graph": graph}, auth=engine.auth, timeout=60).status_code == 404


def test_virtuoso_updates_need_digest_authentication(virtuoso_engine, ns):
    text = f'INSERT DATA {{ GRAPH <{ns}g> {{ <{ns}x> <{ns}p> "x" }} }}'
    response = requests.post(virtuoso_engine.query, data={"update": text}, timeout=30)
    assert (response.status_code, response.text.splitlines()[0]) == (
        500, "Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure "
             "DB.DBA.SPARQL_INSERT_DICT_CONTENT with user ID 107, group ID 107")
    response = requests.post(virtuoso_engine.update, data={"update": text}, timeout=30)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Digest realm="SPARQL", domain="/sparql-auth", ')
    for auth in (HTTPBasicAuth("dba", "dba"), HTTPDigestAuth("dba", "wrong")):
        assert requests.post(virtuoso_engine.update, data={"update": text}, auth=auth, timeout=30).status_code == 401
    assert graphs(virtuoso_engine, ns) == {}
    ok(virtuoso_engine, update(virtuoso_engine, text))
    assert graphs(virtuoso_engine, ns) == {"g": 1}


def test_virtuoso_ini(tmp_path):
    parser = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";",))
    parser.optionxform = str
    parser.read_string(virtuoso_ini(tmp_path, 4001, 4002, {"SPARQL": {"ResultSetMaxRows": "100000"}}))
    ini = {section: dict(parser[section]) for section in parser.sections()}
    assert {k: v for k, v in ini["Database"].items() if "/" in v} == {
        "DatabaseFile": f"{tmp_path}/virtuoso.db", "ErrorLogFile": f"{tmp_path}/virtuoso.log",
        "LockFile": f"{tmp_path}/virtuoso.lck", "TransactionFile": f"{tmp_path}/virtuoso.trx",
        "xa_persistent_file": f"{tmp_path}/virtuoso.pxa"}
    assert ini["TempDatabase"]["DatabaseFile"] == f"{tmp_path}/virtuoso-temp.db"
    assert ini["Parameters"]["ServerPort"] == "4001" and ini["HTTPServer"]["ServerPort"] == "4002"
    assert ini["Parameters"]["DirsAllowed"] == f"., /usr/share/virtuoso-opensource-7/vad, {tmp_path}"
    # the package's read-only files stay where the package put them
    assert ini["Parameters"]["VADInstallDir"] == "/usr/share/virtuoso-opensource-7/vad/"
    assert ini["Plugins"]["LoadPath"] == "/usr/lib/x86_64-linux-gnu/virtuoso-opensource-7/hosting"
    assert ini["HTTPServer"]["ServerRoot"] == "/var/lib/virtuoso-opensource-7/vsp"
    assert ini["URIQA"]["DefaultHost"] == "127.0.0.1:4002"
    assert ini["SPARQL"]["ResultSetMaxRows"] == "100000"


def test_engine_that_exits_fails_with_its_log(tmp_path):
    (tmp_path / "store").write_text("not a directory")
    with pytest.raises(RuntimeError, match=r"(?s)oxigraph exited with code \d+ before answering; log tail:\n.+"):
        with oxigraph_server(tmp_path):
            pass

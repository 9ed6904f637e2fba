"""peerkg.executor: results over the size cap fail loudly; a query past the time limit is killed."""

from __future__ import annotations


import pytest

from peerkg.errors import QueryTimeout, ResultTooLarge
from peerkg.backends import Query
from peerkg.executor import Executor, Job, Limits, execute
from peerkg.web import create_app

ALL = "SELECT * WHERE { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def job(kg, query, fmt="json"):
    return Job(str(kg.path), Query(query, fmt))


def test_a_result_over_the_cap_is_an_error_not_a_short_result(kg):
    full = execute(kg._store, job(kg, ALL).query, max_bytes=10**9)
    assert len(full) > 100_000
    with pytest.raises(ResultTooLarge, match="larger than the 100,000-byte limit"):
        execute(kg._store, job(kg, ALL).query, max_bytes=100_000)


THEMES = "SELECT (COUNT(DISTINCT ?t) AS ?n) { ?t a <https://w3id.org/peerkg/ontology#Theme> }"


def test_the_child_is_killed_at_the_time_limit_and_replaced(kg):
    executor = Executor(Limits(timeout=3.0, max_bytes=10**8), size=1)
    try:
        assert b'"value":"20"' in executor.run(job(kg, THEMES))
        (first,) = executor._idle
        with pytest.raises(QueryTimeout, match="ran past the 3-second limit"):
            executor.run(job(kg, HEAVY))
        assert not first.process.is_alive() and executor._idle == []
        assert b'"value":"20"' in executor.run(job(kg, THEMES))
        assert executor._idle[0] is not first
    finally:
        executor.close()


def test_the_endpoint_answers_422_when_the_cap_cuts(built):
    app = create_app({"TESTING": True, "DATA_DIR": str(built.data_dir), "MAX_RESULT_BYTES": 5000})
    response = app.test_client().get("/sparql", query_string={"query": ALL})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "larger than the 5,000-byte limit" in response.get_json()["detail"]


def test_only_named_graphs_given_leaves_the_default_graph_empty():
    """SPARQL 1.1 Protocol 2.1.4: named-graph-uri without default-graph-uri gives an empty default graph,
    even in a store whose own default graph holds triples."""
    import pyoxigraph as ox

    held = ox.Store()
    a, b = ox.NamedNode("urn:a"), ox.NamedNode("urn:b")
    held.add(ox.Quad(a, b, a))
    held.add(ox.Quad(a, b, b, ox.NamedNode("urn:g1")))
    only_named = Job("", Query("ASK { ?s ?p ?o }", "json", named_graphs=("urn:g1",), union_default=False))
    assert execute(held, only_named.query, 10**6) == b'{"head":{},"boolean":false}'
    in_named = Job("", Query("ASK { GRAPH <urn:g1> { ?s ?p ?o } }", "json", named_graphs=("urn:g1",), union_default=False))
    assert execute(held, in_named.query, 10**6) == b'{"head":{},"boolean":true}'

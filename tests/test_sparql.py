"""/sparql over real HTTP: a live ``peerkg serve`` queried with SPARQLWrapper, rdflib and plain requests."""

from __future__ import annotations

import gzip

import pytest
import requests
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper

from peerkg.iris import SD, VOID

from conftest import serving

THEMES = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a <https://w3id.org/peerkg/ontology#Theme> }"
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT_THEMES = (
    "CONSTRUCT { ?t ?p ?o } WHERE { GRAPH <https://w3id.org/peerkg/graph/umbrella_table6> "
    "{ ?t a <https://w3id.org/peerkg/ontology#Theme> ; ?p ?o } }"
)
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def count(url, query, **params) -> int:
    response = requests.get(url + "/sparql", params={"query": query, **params}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("method", ["GET", POST, POSTDIRECTLY])
def test_sparqlwrapper_in_all_three_ways(server, method):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(THEMES)
    client.setReturnFormat(JSON)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    else:
        client.setMethod(method)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == "20"


def test_rdflib_sparqlstore_select_and_construct(server):
    as_json = Graph(store=SPARQLStore(server + "/sparql", returnFormat="json"))
    assert int(list(as_json.query(THEMES))[0][0]) == 20
    # rdflib's default asks for SPARQL XML results or RDF/XML, whichever the query gives.
    graph = Graph(store=SPARQLStore(server + "/sparql"))
    assert int(list(graph.query(THEMES))[0][0]) == 20
    constructed = graph.query(CONSTRUCT_THEMES).graph
    assert len(set(constructed.subjects(RDF.type, URIRef("https://w3id.org/peerkg/ontology#Theme")))) == 20


@pytest.mark.parametrize("accept, expected", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
    ("text/html;q=0.1, */*", "application/sparql-results+json"),
    ("text/plain", "text/plain; charset=utf-8"),
    ("application/json", "application/json"),
])
def test_select_negotiation(server, accept, expected):
    response = requests.get(server + "/sparql", params={"query": THEMES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected
    assert "Accept" in response.headers["Vary"]


def test_csv_and_tsv_bodies(server):
    csv = requests.get(server + "/sparql", params={"query": THEMES}, headers={"Accept": "text/csv"})
    assert csv.text == "n\r\n20\r\n"
    tsv = requests.get(server + "/sparql", params={"query": THEMES, "format": "tsv"})
    assert tsv.text.splitlines() == ["?n", "20"]


@pytest.mark.parametrize("accept, content_type, rdflib_format", [
    ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml; charset=utf-8", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_construct_negotiation(server, accept, content_type, rdflib_format):
    response = requests.get(server + "/sparql", params={"query": CONSTRUCT_THEMES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert len(set(graph.subjects(RDF.type, URIRef("https://w3id.org/peerkg/ontology#Theme")))) == 20


def test_turtle_uses_the_ontology_prefixes(server):
    response = requests.get(server + "/sparql", params={"query": CONSTRUCT_THEMES, "format": "turtle"})
    assert "@prefix pkg: <https://w3id.org/peerkg/ontology#> ." in response.text
    assert "pkg:Theme" in response.text and "<https://w3id.org/peerkg/ontology#Theme>" not in response.text


@pytest.mark.parametrize("fmt, content_type", [("nquads", "application/n-quads"), ("trig", "application/trig")])
def test_construct_as_dataset_formats(server, fmt, content_type):
    response = requests.get(server + "/sparql", params={"query": CONSTRUCT_THEMES, "format": fmt})
    assert response.headers["Content-Type"] == content_type
    parsed = Dataset()
    parsed.parse(data=response.content, format=fmt)
    assert len(parsed) == len(Graph().parse(data=requests.get(server + "/sparql", params={"query": CONSTRUCT_THEMES, "format": "nt"}).content, format="nt"))


def test_nothing_acceptable_is_406(server):
    response = requests.get(server + "/sparql", params={"query": THEMES}, headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "application/sparql-results+json" in response.json()["detail"]
    # A format that cannot hold a SELECT is passed over, and then nothing in Accept fits either.
    unfit = requests.get(server + "/sparql", params={"query": THEMES, "format": "turtle"}, headers={"Accept": "text/turtle"})
    assert unfit.status_code == 406


def test_format_parameter_wins_over_accept(server):
    response = requests.get(server + "/sparql", params={"query": THEMES, "format": "csv"}, headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("query, params, accept, expected", [
    # SPARQLWrapper's repeated values: the first one peerkg knows that fits the result wins
    (CONSTRUCT_THEMES, [("format", "rdf+xml"), ("format", "application/rdf+xml")], "*/*", "application/rdf+xml; charset=utf-8"),
    (CONSTRUCT_THEMES, [("format", "n3"), ("output", "n3")], "text/turtle", "text/turtle; charset=utf-8"),
    (CONSTRUCT_THEMES, [("format", "json-ld"), ("format", "application/ld+json,application/x-json+ld")], "*/*", "application/ld+json"),
    # Fuseki's output=
    (THEMES, [("output", "csv")], "*/*", "text/csv; charset=utf-8"),
    (THEMES, [("output", "tsv")], "*/*", "text/tab-separated-values; charset=utf-8"),
    (THEMES, [("output", "xml")], "*/*", "application/sparql-results+xml; charset=utf-8"),
    (THEMES, [("output", "json")], "text/csv", "application/sparql-results+json"),
    (THEMES, [("output", "text")], "*/*", "text/plain; charset=utf-8"),
    (CONSTRUCT_THEMES, [("output", "ttl")], "*/*", "text/turtle; charset=utf-8"),
    (CONSTRUCT_THEMES, [("output", "json")], "text/turtle", "application/ld+json"),
    # format= before output=; an unknown value falls back to Accept
    (THEMES, [("output", "csv"), ("format", "tsv")], "*/*", "text/tab-separated-values; charset=utf-8"),
    (THEMES, [("format", "sparql-results-in-excel")], "text/csv", "text/csv; charset=utf-8"),
    (CONSTRUCT_THEMES, [("format", "")], "application/n-triples", "application/n-triples"),
])
def test_format_and_output_parameters(server, query, params, accept, expected):
    response = requests.get(server + "/sparql", params=[("query", query), *params], headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == expected


def test_output_text_is_a_table_for_people(server):
    table = requests.get(server + "/sparql", params={"query": THEMES, "output": "text"})
    assert table.text == "n\n--\n20\n(1 rows)\n"
    ask = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }", "output": "text"})
    assert ask.text == "true\n"
    json_tag = requests.get(server + "/sparql", params={"query": THEMES, "output": "json"}).headers["ETag"]
    assert requests.get(server + "/sparql", params={"query": THEMES, "output": "text"}).headers["ETag"] != json_tag


def test_default_graph_is_the_union_and_dataset_parameters_replace_it(server, kg):
    assert count(server, TRIPLES) == len(list(kg.quads()))
    assert count(server, TRIPLES, **{"default-graph-uri": "https://w3id.org/peerkg/graph/review_table3"}) == 314
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(server, named, **{"named-graph-uri": "https://w3id.org/peerkg/graph/links"}) == 24
    assert count(server, TRIPLES, **{"named-graph-uri": "https://w3id.org/peerkg/graph/links"}) == 0


def test_only_named_graph_uri_gives_an_empty_default_graph(tmp_path):
    """SPARQL 1.1 Protocol 2.1.4, against ``peerkg serve --store`` over a store whose own default graph is not empty."""
    import subprocess
    import sys

    store_dir = tmp_path / "store"
    subprocess.run([sys.executable, "-c", (
        "import pyoxigraph as ox, sys; s = ox.Store(sys.argv[1]); a, b = ox.NamedNode('urn:a'), ox.NamedNode('urn:b'); "
        "s.add(ox.Quad(a, b, a)); s.add(ox.Quad(a, b, b, ox.NamedNode('urn:g1'))); s.flush()"), str(store_dir)], check=True)
    with serving(tmp_path, "--store", str(store_dir)) as url:
        def ask(query, **params):
            response = requests.get(url + "/sparql", params={"query": query, **params}, headers={"Accept": "application/sparql-results+json"})
            assert response.status_code == 200, response.text
            return response.json()["boolean"]

        assert ask("ASK { ?s ?p ?o }") is True
        assert ask("ASK { ?s ?p ?o }", **{"named-graph-uri": "urn:g1"}) is False
        assert ask("ASK { GRAPH <urn:g1> { ?s ?p ?o } }", **{"named-graph-uri": "urn:g1"}) is True
        assert ask("ASK { ?s ?p <urn:b> }", **{"default-graph-uri": "urn:g1"}) is True


def test_malformed_query_is_400_with_position(server):
    response = requests.get(server + "/sparql", params={"query": "SELECT ?x WHERE { ?x "})
    assert response.status_code == 400
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] == "Bad Request"
    assert problem["detail"].startswith("SPARQL syntax error at line 1, column 19")
    assert (problem["line"], problem["column"]) == (1, 19)


def test_errors_in_plain_text_when_asked(server):
    response = requests.get(server + "/sparql", params={"query": "SELEC"}, headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("400 Bad Request: SPARQL syntax error at line 1, column 1")


@pytest.mark.parametrize("request_kwargs, status, detail", [
    ({"method": "GET", "params": [("query", THEMES), ("query", THEMES)]}, 400, "exactly one 'query' parameter"),
    ({"method": "POST", "data": {"format": "json"}}, 400, "needs a 'query' parameter"),
    ({"method": "POST", "data": "SELECT * {}", "headers": {"Content-Type": "text/plain"}}, 415, "not text/plain"),
    ({"method": "POST", "data": b"", "headers": {"Content-Type": "application/sparql-query"}}, 400, "body is empty"),
    ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 403, "updates are not accepted"),
    ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 403, "updates are not accepted"),
    ({"method": "POST", "data": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403, "updates are not accepted"),
    ({"method": "GET", "params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 403, "updates (INSERT, DELETE, LOAD"),
    ({"method": "GET", "params": {"query": "LOAD <http://example.org/data.ttl>"}}, 403, "updates (INSERT, DELETE, LOAD"),
    ({"method": "GET", "params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}}, 403, "SERVICE"),
    ({"method": "GET", "params": {"query": "SELECT * WHERE { { SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://x.invalid/> { ?s ?p ?o } } } } }"}}, 403, "SERVICE"),
    ({"method": "PUT", "data": "x"}, 405, ""),
])
def test_bad_requests_are_refused_and_change_nothing(server, request_kwargs, status, detail):
    before = count(server, TRIPLES)
    kwargs = dict(request_kwargs)
    response = requests.request(kwargs.pop("method"), server + "/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert count(server, TRIPLES) == before


def test_a_query_past_the_time_limit_is_stopped_with_503_or_504(server, published):
    """503 when the embedded store's query process is killed; 504 naming the engine that did not answer."""
    response = requests.get(server + "/sparql", params={"query": HEAVY}, timeout=60)
    if published.backend is None:
        assert response.status_code == 503
        assert "ran past the 5-second limit and was stopped" in response.json()["detail"]
    else:
        assert response.status_code == 504
        assert response.json()["detail"] == f"the SPARQL engine at {published.backend} gave no answer to the query within 5 s"
    # The stopped worker serves the next query at once.
    for _ in range(4):
        assert count(server, THEMES) == 20


def test_gzip_etag_and_304(server):
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"}
    response = requests.get(server + "/sparql", params=params, headers={"Accept-Encoding": "gzip"}, stream=True)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.raw.read()).startswith(b'{"head":{"vars":["o","p","s"]}')
    tag = response.headers["ETag"]
    again = requests.get(server + "/sparql", params=params, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["Cache-Control"] == "public, no-cache"
    other_format = requests.get(server + "/sparql", params={**params, "format": "csv"}, headers={"If-None-Match": tag})
    assert other_format.status_code == 200


def test_cors_for_reads_without_credentials(server):
    response = requests.get(server + "/sparql", params={"query": THEMES}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = requests.options(server + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type",
    })
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_head_has_the_headers_and_no_body(server):
    response = requests.head(server + "/sparql", params={"query": THEMES, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content == b""


def test_service_description(server, kg):
    response = requests.get(server + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef(server + "/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert len(list(graph.objects(endpoint, SD.resultFormat))) == 10
    default = graph.value(graph.value(endpoint, SD.defaultDataset), SD.defaultGraph)
    # VoID counts distinct triples: the 8 that two graphs both state count once (12 in 0.1.0, when the role
    # "Peer support workers" was minted in both the review_table3 and the metasynthesis_page graphs).
    assert int(graph.value(default, VOID.triples)) == len({(q.subject, q.predicate, q.object) for q in kg.quads()}) == len(list(kg.quads())) - 8
    assert len(list(graph.objects(None, SD.namedGraph))) == 8
    assert (endpoint, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(server + "/queries/table3")) in graph
    as_jsonld = requests.get(server + "/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["Content-Type"] == "application/ld+json"
    assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(graph)


def test_service_description_gives_each_canned_query_with_its_text_and_parameters(server):
    """In SHACL's terms for SPARQL executables and parameters."""
    from rdflib.namespace import SKOS, XSD

    from peerkg import guard, queries
    from peerkg.config import PROJECT_ROOT
    from peerkg.iris import SH

    graph = Graph().parse(data=requests.get(server + "/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    canned = queries.load_all(PROJECT_ROOT / "queries")
    texts = {"select": SH.select, "construct": SH.construct, "ask": SH.ask}
    kinds = {"select": SH.SPARQLSelectExecutable, "construct": SH.SPARQLConstructExecutable, "ask": SH.SPARQLAskExecutable}
    values = {"iri": (SH.nodeKind, SH.IRI), "string": (SH.datatype, XSD.string), "integer": (SH.datatype, XSD.integer),
              "boolean": (SH.datatype, XSD.boolean), "date": (SH.datatype, XSD.date)}
    assert len(canned) > 30
    for name, query in canned.items():
        node = URIRef(f"{server}/queries/{name}")
        form = guard.check(query.text).form
        assert {kinds[form], SH.Parameterizable} <= set(graph.objects(node, RDF.type)), name
        assert str(graph.value(node, texts[form])) == query.text, name
        parameters = {str(graph.value(p, SH.name)): p for p in graph.objects(node, SH.parameter)}
        assert sorted(parameters) == sorted(param.name for param in query.params), name
        for param in query.params:
            described = parameters[param.name]
            assert graph.value(described, SH.path) == URIRef(f"{server}/queries/{name}#{param.name}")
            assert (described, *values[param.type]) in graph
            assert str(graph.value(described, SH.description)) == param.description
            assert graph.value(described, SH.optional).toPython() is True
            default = graph.value(described, SH.defaultValue)
            assert (default is None) == (param.default is None)
            if default is not None:
                assert str(default) == param.term(param.default).value
            assert str(graph.value(described, SKOS.example)) == param.example


def test_service_description_names_the_url_the_client_used(server):
    response = requests.get(server + "/sparql", headers={"Accept": "application/n-triples", "Host": "kg.example.org"})
    assert "<http://kg.example.org/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint> <http://kg.example.org/sparql> ." in response.text


def test_the_query_from_clause_names_the_default_graph(server):
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/peerkg/graph/review_table3> WHERE { ?s ?p ?o }"
    assert count(server, query) == 314  # 364 in 0.1.0: the role concepts are in the vocabularies graph now
    assert count(server, "SELECT (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/peerkg/graph/links> WHERE { GRAPH ?g { ?s ?p ?o } }") == 24


@pytest.mark.parametrize("params, status, detail", [
    ({"query": THEMES, "default-graph-uri": "not an iri"}, 400, "default-graph-uri must be an absolute IRI"),
    ({"query": "SELECT * WHERE { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }"}, 400, "nested too deeply"),
])
def test_odd_input_is_400_not_500(server, params, status, detail):
    response = requests.get(server + "/sparql", params=params)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_ask_in_csv_and_tsv(server):
    assert requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "csv"}).content == b"_askResult\r\ntrue\r\n"
    assert requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "tsv"}).content == b"?_askResult\ntrue\n"


@pytest.mark.parametrize("media", ["application/n-quads", "application/trig"])
def test_service_description_in_dataset_formats(server, media):
    response = requests.get(server + "/sparql", headers={"Accept": media})
    assert response.status_code == 200 and response.headers["Content-Type"] == media
    assert b"http://www.w3.org/ns/sparql-service-description#Service" in response.content or b"a sd:Service" in response.content

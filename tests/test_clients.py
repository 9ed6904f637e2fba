"""Clients peerkg's users already have, none written here, against a live ``peerkg serve``.

SPARQLWrapper in each of its return formats for each query form, rdflib's SPARQLStore, Comunica 4 (from npm,
run by node from node_modules/) and Redland's rapper (Debian raptor2-utils, installed by ``make test``).
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper import RDF as RDF_FORMAT

from conftest import PROJECT_ROOT
from peerkg import queries

PKG = "https://w3id.org/peerkg/ontology#"
STUDY = "https://w3id.org/peerkg/id/study/mowbray-1996"
QUERIES = {
    "SELECT": f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t a <{PKG}Theme> }}",
    "ASK": f"ASK {{ ?t a <{PKG}Theme> }}",
    "CONSTRUCT": f"CONSTRUCT {{ ?t a <{PKG}Theme> }} WHERE {{ ?t a <{PKG}Theme> }}",
    "DESCRIBE": f"DESCRIBE <{STUDY}>",
}
# What peerkg answers for each SPARQLWrapper return format; a format that cannot hold the result is passed
# over and Accept decides (SPARQLWrapper then sends */*: JSON results, or Turtle for a graph).
TABLE_TYPES = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml", CSV: "text/csv",
               TSV: "text/tab-separated-values"}
GRAPH_TYPES = {TURTLE: "text/turtle", N3: "text/turtle", XML: "application/rdf+xml", RDF_FORMAT: "application/rdf+xml",
               RDFXML: "application/rdf+xml", JSONLD: "application/ld+json", JSON: "application/ld+json"}
RETURN_FORMATS = [JSON, XML, TURTLE, N3, RDF_FORMAT, RDFXML, CSV, TSV, JSONLD]


def described(kg) -> Graph:
    """What the store holds for the DESCRIBE (Oxigraph's: the study's own statements)."""
    return Graph().parse(data="".join(f"{t}\n" for t in _ntriples(kg.query(QUERIES["DESCRIBE"]))), format="nt")


def _ntriples(triples) -> list[str]:
    return [f"{t.subject} {t.predicate} {t.object} ." for t in triples]


@pytest.mark.parametrize("return_format", RETURN_FORMATS)
@pytest.mark.parametrize("form", list(QUERIES))
def test_sparqlwrapper_in_every_return_format(server, kg, form, return_format):
    graph_result = form in ("CONSTRUCT", "DESCRIBE")
    types = GRAPH_TYPES if graph_result else TABLE_TYPES
    expected = types.get(return_format, "text/turtle" if graph_result else "application/sparql-results+json")
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(QUERIES[form])
    client.setReturnFormat(return_format)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = client.query()
        media = result.info()["content-type"].split(";")[0]
        converted = result.convert()
    assert media == expected
    # SPARQLWrapper's own warnings: it sends */* for a format it has no media type for, and says so when
    # the answer is not the format asked for; nothing else.
    said = {str(w.message).split(" because")[0].split(", but")[0] for w in caught if w.category is RuntimeWarning}
    assert said <= {"Sending Accept header '*/*'", f"Format requested was {return_format.upper()}"}
    assert (f"Format requested was {return_format.upper()}" in said) == (return_format not in types)
    if form == "SELECT":
        assert _first_value(converted, media) == "20"
    elif form == "ASK":
        assert _first_value(converted, media) == "true"
    else:
        graph = Graph().parse(data=converted, format="turtle") if isinstance(converted, bytes) else Graph() + converted
        if form == "CONSTRUCT":
            assert len(graph) == 20 and set(graph.predicates()) == {RDF.type}
        else:
            assert isomorphic(graph, described(kg)) and len(graph) > 5


def _first_value(converted, media: str) -> str:
    """The one value of a one-row SELECT or of an ASK, from what SPARQLWrapper converted."""
    if media == "application/sparql-results+json":
        return str(converted.get("boolean", "")).lower() or converted["results"]["bindings"][0]["n"]["value"]
    if media == "application/sparql-results+xml":
        node = (converted.getElementsByTagName("boolean") or converted.getElementsByTagName("literal"))[0]
        return node.firstChild.data
    return converted.decode().split()[1]  # CSV / TSV: the header, then the value


def test_rdflib_sparqlstore_ask_and_describe(server, kg):
    graph = Graph(store=SPARQLStore(server + "/sparql"))
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    assert graph.query(f"ASK {{ <{STUDY}> a <{PKG}Theme> }}").askAnswer is False
    assert isomorphic(graph.query(QUERIES["DESCRIBE"]).graph, described(kg))
    as_json = Graph(store=SPARQLStore(server + "/sparql", returnFormat="json"))
    assert [row.n for row in as_json.query(QUERIES["SELECT"])] == [Literal(20)]


# --- Comunica 4, the npm package, run by node -------------------------------------------------------------

COMUNICA = PROJECT_ROOT / "node_modules" / "@comunica" / "query-sparql" / "bin" / "query.js"


def comunica(source: str, query: str, media: str) -> str:
    done = subprocess.run(["node", str(COMUNICA), source, "-q", query, "-t", media],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_comunica_select_construct_ask_and_a_dereferenced_iri(server, published, kg):
    endpoint = server + "/sparql"  # no "sparql@": Comunica finds the endpoint in the service description
    jobs = {
        "select": (endpoint, QUERIES["SELECT"], "application/sparql-results+json"),
        "construct": (endpoint, QUERIES["CONSTRUCT"], "application/n-triples"),
        "ask": (endpoint, QUERIES["ASK"], "application/sparql-results+json"),
        "iri": (server + "/id/study/mowbray-1996", f"SELECT ?p ?o WHERE {{ <{STUDY}> ?p ?o }}", "application/sparql-results+json"),
    }
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = dict(zip(jobs, pool.map(lambda job: comunica(*job), jobs.values())))
    assert json.loads(answers["select"])["results"]["bindings"][0]["n"]["value"] == "20"
    constructed = Graph().parse(data=answers["construct"], format="nt")
    assert len(constructed) == 20 and set(constructed.objects()) == {URIRef(PKG + "Theme")}
    assert json.loads(answers["ask"])["boolean"] is True
    served = {(row["p"]["value"], row["o"]["value"]) for row in json.loads(answers["iri"])["results"]["bindings"]}
    held = {(str(p), str(o)) for _, p, o in described(kg)}
    assert served == held
    # Comunica asks for N-Quads first: the thing's IRI answered 303 to its N-Quads document.
    log = (published.data_dir / f"serve-{urlsplit(server).port}.log").read_text()
    assert re.search(r'"GET /id/study/mowbray-1996 HTTP/1.1" 303 .*\n(?:.*\n)*?.*"GET /id/study/mowbray-1996.nq HTTP/1.1" 200', log)


# --- Redland's rapper -------------------------------------------------------------------------------------


def rapper_count(*arguments: str) -> int:
    done = subprocess.run(["rapper", "--count", *arguments], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return int(re.search(r"Parsing returned (\d+) triples", done.stderr)[1])


@pytest.mark.parametrize("parser", ["rdfxml", "turtle", "ntriples"])
def test_rapper_dereferences_an_iri_by_content_negotiation(server, kg, parser):
    # rapper's Accept is its parser's media type; the 303 leads to the document in that syntax.
    held = queries.get(PROJECT_ROOT / "queries", "describe").run(kg, {"resource": STUDY})
    assert rapper_count("--input", parser, server + "/id/study/mowbray-1996") == len(list(held))


def test_rapper_counts_the_dump(server, kg):
    distinct = {(q.subject, q.predicate, q.object) for q in kg.quads()}
    assert rapper_count("--input", "ntriples", server + "/download/peerkg.nt") == len(distinct)
    assert rapper_count("--input", "turtle", server + "/download/peerkg.ttl") == len(distinct)

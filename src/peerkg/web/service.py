"""The SPARQL 1.1 Service Description of the endpoint, with the dataset's VoID statistics."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app, url_for
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..executor import Job
from ..iris import PREFIXES, SD, VOID
from . import kg

STATIC = Path(__file__).with_name("service.ttl")
VOID_FIELDS = ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties")


def describe(endpoint: str) -> Graph:
    """The description for ``endpoint`` (the URL as the client reached it), cached per store version."""
    key = (kg.version(), endpoint)
    cache = current_app.extensions.setdefault("peerkg.service", {})
    if key not in cache:
        cache.clear()
        cache[key] = _build(endpoint)
    return cache[key]


def _build(endpoint: str) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(STATIC, format="turtle", publicID=endpoint)
    default = URIRef(endpoint + "#default-graph")
    stats = _select("void_stats")[0]
    for name in VOID_FIELDS:
        graph.add((default, VOID[name], Literal(int(stats[name]), datatype=XSD.integer)))
    dataset = URIRef(endpoint + "#dataset")
    graph.add((dataset, RDFS.seeAlso, URIRef(url_for("dataset.describe", _external=True))))
    for row in _select("stats_graphs"):
        name = URIRef(row["graph"])
        short = str(name).rstrip("/").rsplit("/", 1)[-1]
        node, described = URIRef(f"{endpoint}#named-graph-{short}"), URIRef(f"{endpoint}#graph-{short}")
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, name))
        graph.add((node, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(int(row["triples"]), datatype=XSD.integer)))
    service = URIRef(endpoint)
    for query in kg.canned().values():
        page = URIRef(url_for("queries.run", name=query.name, _external=True))
        graph.add((service, RDFS.seeAlso, page))
        graph.add((page, DCTERMS.title, Literal(query.title)))
        graph.add((page, DCTERMS.description, Literal(query.question)))
    return graph


def _select(name: str) -> list[dict[str, str]]:
    """Run a canned SELECT through the executor and read its SPARQL JSON."""
    query = kg.canned()[name]
    body = kg.run(Job(str(kg.store_path()), query.text, "json"))
    data = json.loads(body)
    return [{k: v["value"] for k, v in binding.items()} for binding in data["results"]["bindings"]]


"""The SPARQL 1.1 Service Description of the endpoint, with the dataset's VoID statistics and the canned queries.

Each canned query is given with its text and parameters in SHACL's vocabulary for SPARQL executables
(W3C SHACL, section 5 and 6, with the parameter model of SHACL Advanced Features): a
``sh:SPARQLSelectExecutable`` (``sh:select``), ``sh:SPARQLConstructExecutable`` (``sh:construct``) or
``sh:SPARQLAskExecutable`` (``sh:ask``) that is ``sh:Parameterizable``, with one ``sh:parameter`` per
parameter: ``sh:path`` (an IRI whose local name is the variable's), ``sh:name``, ``sh:description``,
``sh:datatype`` or ``sh:nodeKind sh:IRI``, ``sh:defaultValue`` and ``sh:optional``. SHACL is a W3C
Recommendation the project already uses for its shapes, its terms cover every query form the canned queries
use and typed, optional parameters with defaults; ``spex`` is one project's vocabulary with fewer users.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import url_for
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .. import formats, guard
from ..backends import Query
from ..iris import PREFIXES, SD, SH, VOID
from ..queries import CannedQuery
from . import kg

STATIC = Path(__file__).with_name("service.ttl")
VOID_FIELDS = ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties")
# query form → (SHACL class, property holding the text); SHACL has no DESCRIBE executable.
EXECUTABLES = {"select": (SH.SPARQLSelectExecutable, SH.select), "construct": (SH.SPARQLConstructExecutable, SH.construct),
               "ask": (SH.SPARQLAskExecutable, SH.ask)}
# parameter type → what SHACL says of its values
PARAMETER_VALUES = {"iri": (SH.nodeKind, SH.IRI), "string": (SH.datatype, XSD.string), "integer": (SH.datatype, XSD.integer),
                    "boolean": (SH.datatype, XSD.boolean), "date": (SH.datatype, XSD.date)}


def describe(endpoint: str) -> Graph:
    """The description for ``endpoint`` (the URL as the client reached it), cached per store version."""
    return kg.per_version(("service", endpoint), lambda: _build(endpoint))


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
        _executable(graph, page, query)
    return graph


def _executable(graph: Graph, page: URIRef, query: CannedQuery) -> None:
    """The query's text and parameters, in SHACL's terms."""
    form = guard.check(query.text).form
    if form not in EXECUTABLES:
        return
    kind, text = EXECUTABLES[form]
    graph.add((page, RDF.type, kind))
    graph.add((page, RDF.type, SH.Parameterizable))
    graph.add((page, text, Literal(query.text)))
    graph.add((page, RDFS.comment, Literal(query.description)))
    for param in query.params:
        node = URIRef(f"{page}#parameter-{param.name}")
        graph.add((page, SH.parameter, node))
        graph.add((node, RDF.type, SH.Parameter))
        graph.add((node, SH.path, URIRef(f"{page}#{param.name}")))  # the local name is the variable's
        graph.add((node, SH.name, Literal(param.name)))
        graph.add((node, SH.description, Literal(param.description)))
        graph.add((node, *PARAMETER_VALUES[param.type]))
        # Every parameter may be left out: the query then runs with it bound to its default, or unbound.
        graph.add((node, SH.optional, Literal(True)))
        if param.default is not None:
            graph.add((node, SH.defaultValue, formats.to_rdflib(param.term(param.default))))
        if param.example is not None:
            graph.add((node, SKOS.example, Literal(param.example)))


def _select(name: str) -> list[dict[str, str]]:
    """Run a canned SELECT on the backend and read its SPARQL JSON."""
    query = kg.canned()[name]
    body = kg.run(Query(query.text, "json"))
    data = json.loads(body)
    return [{k: v["value"] for k, v in binding.items()} for binding in data["results"]["bindings"]]


"""HTML pages of resources: the description graph turned into what a template shows."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from .. import iris
from ..iris import FABIO, PKG, PREFIXES, PRISM
from . import ontology_docs

LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name, DCTERMS.identifier)


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None  # a link for IRIs
    note: str | None = None  # language or datatype of a literal


def graph_with_prefixes() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def label(graph: Graph, node) -> str | None:
    for predicate in LABELS:
        value = graph.value(node, predicate)
        if value is not None:
            return str(value)
    return None


SAFE_SCHEMES = ("http", "https", "mailto", "ftp", "urn", "doi", "info")


def href(iri: str) -> str | None:
    """Where an IRI is served by this app: the base's IRIs at their paths, ontology terms at /ontology;
    other IRIs as themselves if their scheme is safe to follow, else None: a curated ``javascript:`` or
    ``data:`` IRI is shown as text, never made a link."""
    base = iris.base()
    if iri.startswith(base):
        return "/" + iri[len(base):]
    if iri.startswith(iris.ONTOLOGY_IRI):
        return "/ontology"
    scheme, colon, _ = iri.partition(":")
    return iri if colon and scheme.lower() in SAFE_SCHEMES else None


def script_json(text: str) -> str:
    """JSON to embed in a ``<script>`` element: ``<``, ``>`` and ``&`` as JSON escapes, so that no literal
    (``</script>``, ``<!--``) can end the element or change how the HTML parser reads it."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri.removeprefix(iris.base())


def sources(graph: Graph) -> list[dict]:
    """The source articles (canned query ``source_articles``) as the pages list them, with their identifiers
    and the seed files of their excerpts."""
    return [
        {
            "href": href(str(work)),
            "title": graph.value(work, DCTERMS.title) or graph.value(work, RDFS.label) or short(str(work)),
            "seeds": sorted(str(graph.value(document, DCTERMS.identifier)) for document in graph.subjects(DCTERMS.isPartOf, work)),
            "authors": graph.value(work, PKG.authorsAsWritten),
            "year": graph.value(work, FABIO.hasPublicationYear),
            "doi": graph.value(work, PRISM.doi),
            "pmid": graph.value(work, FABIO.hasPubMedId),
            "pmcid": graph.value(work, FABIO.hasPubMedCentralId),
        }
        for work in sorted(set(graph.objects(None, DCTERMS.isPartOf)))
    ]


def resource(graph: Graph, iri: URIRef, title: str, alternates: list[tuple[str, str, str]],
             totals: dict[str, int] | None = None) -> str:
    """The page of a resource; ``totals``: how many statements and incoming links it has in all (the
    description shows a bounded number of each)."""
    vocabulary = ontology_docs.graph()

    def value(node) -> Value:
        if isinstance(node, Literal):
            note = node.language or (short(str(node.datatype)) if node.datatype else None)
            return Value(str(node), note=note)
        return Value(label(graph, node) or label(vocabulary, node) or short(str(node)), href(str(node)))

    def term(predicate) -> Value:
        return Value(label(vocabulary, predicate) or short(str(predicate)), href(str(predicate)), short(str(predicate)))

    properties = {}
    for predicate, obj in sorted(graph.predicate_objects(iri), key=lambda po: (str(po[0]), str(po[1]))):
        if predicate != RDF.type:
            properties.setdefault(term(predicate), []).append(value(obj))
    incoming = sorted(
        ((value(subject), term(predicate)) for subject, predicate in graph.subject_predicates(iri)),
        key=lambda pair: (pair[1].text, pair[0].text),
    )
    passages = sorted(
        (
            {
                "href": href(str(passage)),
                "document": str(graph.value(graph.value(passage, DCTERMS.isPartOf), DCTERMS.identifier) or ""),
                "document_href": href(str(graph.value(passage, DCTERMS.isPartOf))),
                "locator": str(graph.value(passage, PKG.locator) or ""),
                "line": graph.value(passage, PKG.line),
                "text": str(graph.value(passage, PROV.value) or ""),
            }
            for passage in graph.objects(iri, PROV.wasDerivedFrom)
        ),
        key=lambda p: (p["document"], int(p["line"] or 0)),
    )
    jsonld = script_json(graph.serialize(format="json-ld", auto_compact=True))
    return render_template(
        "resource.html",
        title=title,
        iri=str(iri),
        types=[value(t) for t in sorted(graph.objects(iri, RDF.type))],
        properties=properties,
        incoming=incoming,
        totals=totals or {},
        shown={"statements": sum(1 for _ in graph.predicate_objects(iri)), "incoming": len(incoming)},
        passages=passages,
        alternates=[a for a in alternates if a[2] != "html"],
        jsonld=jsonld,
    )

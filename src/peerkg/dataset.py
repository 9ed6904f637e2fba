"""The dataset's own description in VoID and DCAT: what it is, where it comes from, how big, where to get it.

``gather(run, queries_dir, version)`` asks the store for the facts, through ``run`` so that the web app can
use its killable query processes (``backend_runner`` runs them on a backend directly);
``describe(facts, exports, urls)`` turns them into an rdflib graph. The facts of a version are gathered
when it is published and kept beside its downloads (``save``, ``load``): counting every class and
property of a large graph takes seconds, too long for a request. The static part (title, description,
licence, creator) is Turtle in ``web/dataset.ttl``, read with the description's URL as base. Every node has
an IRI: the dataset, its class and property partitions, its distributions and their checksums are
fragments of the description's URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, XSD

from . import formats, iris, queries
from .exports import GZIP, Export
from .backends import Query
from .iris import DCAT, IANA_MEDIA_TYPES, PREFIXES, SPDX, VOID

STATIC = Path(__file__).parent / "web" / "dataset.ttl"
VOID_FIELDS = ("triples", "entities", "distinctSubjects", "distinctObjects", "classes", "properties")
FACTS = "dataset.json"  # in the version's export directory
FORMAT_LABELS = {
    "turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG", "jsonld": "JSON-LD", "rdfxml": "RDF/XML",
}

#: Runs a query: (SPARQL text, result format "json" or "ntriples", substitutions as ((name, term), …)) → bytes.
Runner = Callable[[str, str, tuple], bytes]


@dataclass(frozen=True)
class Facts:
    version: str
    stats: dict[str, int]
    classes: tuple[tuple[str, int], ...]  # (class IRI, entities)
    properties: tuple[tuple[str, int], ...]  # (property IRI, triples)
    modified: Literal | None
    examples: tuple[str, ...]
    sources: Graph = field(compare=False)  # the source articles, with their identifiers as the store holds them


@dataclass(frozen=True)
class Urls:
    """Where the description, the site, the endpoint and the downloads are, as the client reached them."""

    description: str  # http://host/dataset
    landing_page: str  # http://host/
    sparql: str  # http://host/sparql
    downloads: str  # http://host/download/ (a file's URL is this + its path)


def backend_runner(backend, limits) -> Runner:
    """Run queries on a backend directly; the web app runs them through its cache."""

    def run(query: str, result_format: str, substitutions: tuple = ()) -> bytes:
        return backend.query(Query(query, result_format, substitutions), limits)

    return run


def gather(run: Runner, queries_dir: Path, version: str) -> Facts:
    """Everything the description states about the store's content."""
    def text(name: str) -> str:
        return queries.get(queries_dir, name).text

    stats = _select(run, text("void_stats"))[0]
    modified = _select(run, text("last_modified"), (("graph", ox.NamedNode(str(iris.graph("build")))),))
    sources = Graph().parse(data=run(text("source_articles"), "ntriples", ()), format="nt")
    return Facts(
        version=version,
        stats={name: int(stats[name]) for name in VOID_FIELDS},
        classes=tuple((row["class"], int(row["entities"])) for row in _select(run, text("void_class_partitions"))),
        properties=tuple((row["property"], int(row["triples"])) for row in _select(run, text("void_property_partitions"))),
        modified=Literal(modified[0]["ended"], datatype=XSD.dateTime) if modified else None,
        examples=tuple(row["example"] for row in _select(run, text("example_resources"))),
        sources=sources,
    )


def save(facts: Facts, directory: Path) -> None:
    """Keep ``facts`` in ``directory`` (JSON, the source articles as N-Triples)."""
    kept = {
        "version": facts.version, "stats": facts.stats, "classes": facts.classes, "properties": facts.properties,
        "modified": None if facts.modified is None else str(facts.modified), "examples": facts.examples,
        "sources": facts.sources.serialize(format="nt"),
    }
    (Path(directory) / FACTS).write_text(json.dumps(kept, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load(directory: Path) -> Facts | None:
    """The facts kept in ``directory``; None when its version was published without them."""
    try:
        kept = json.loads((Path(directory) / FACTS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Facts(
        version=kept["version"],
        stats=kept["stats"],
        classes=tuple((iri, n) for iri, n in kept["classes"]),
        properties=tuple((iri, n) for iri, n in kept["properties"]),
        modified=None if kept["modified"] is None else Literal(kept["modified"], datatype=XSD.dateTime),
        examples=tuple(kept["examples"]),
        sources=Graph().parse(data=kept["sources"], format="nt"),
    )


def describe(facts: Facts, exports: list[Export], urls: Urls) -> Graph:
    """The VoID and DCAT description of the dataset."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(STATIC, format="turtle", publicID=urls.description)
    dataset = node(urls, "dataset")
    graph.add((dataset, OWL.versionInfo, Literal(facts.version)))
    graph.add((dataset, DCAT.version, Literal(facts.version)))
    if facts.modified is not None:
        graph.add((dataset, DCTERMS.modified, facts.modified))
    for name in VOID_FIELDS:
        graph.add((dataset, VOID[name], Literal(facts.stats[name], datatype=XSD.integer)))
    for cls, entities in facts.classes:
        partition = node(urls, "class-" + _fragment(cls))
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for prop, triples in facts.properties:
        partition = node(urls, "property-" + _fragment(prop))
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, Literal(triples, datatype=XSD.integer)))
    for vocabulary in sorted({_namespace(iri) for iri, _ in facts.classes + facts.properties}):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    graph.add((dataset, VOID.uriSpace, Literal(iris.uri_space())))
    for example in facts.examples:
        graph.add((dataset, VOID.exampleResource, URIRef(example)))
    # The source articles are what the dataset was derived from (PROV), not dcterms:source: DCAT-AP 3.0
    # gives that the range dcat:Dataset, and a journal article is not one.
    for work in source_works(facts.sources):
        graph.add((dataset, PROV.wasDerivedFrom, work))
    graph += facts.sources
    endpoint = URIRef(urls.sparql)
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add((endpoint, DCTERMS.title, Literal("SPARQL 1.1 endpoint of the Peer Support Knowledge Graph", lang="en")))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, DCAT.servesDataset, dataset))
    graph.add((dataset, DCAT.landingPage, URIRef(urls.landing_page)))
    graph.add((URIRef(urls.landing_page), RDF.type, FOAF.Document))
    for export in exports:
        if export.dump:
            _distribution(graph, dataset, export, urls)
    return graph


def source_works(sources: Graph) -> list[URIRef]:
    """The source articles of the ``source_articles`` graph: what its seed documents are part of."""
    return sorted(set(sources.objects(None, DCTERMS.isPartOf)))


def node(urls: Urls, fragment: str) -> URIRef:
    return URIRef(f"{urls.description}#{fragment}")


def download_url(urls: Urls, export: Export) -> str:
    return urls.downloads + export.path


def _distribution(graph: Graph, dataset: URIRef, export: Export, urls: Urls) -> None:
    distribution, checksum = node(urls, "dump-" + export.path), node(urls, f"dump-{export.path}-sha256")
    url = URIRef(download_url(urls, export))
    compressed = export.media_type == GZIP
    label = FORMAT_LABELS[formats.BY_SUFFIX[export.path.removesuffix(".gz").rpartition(".")[2]].name]
    graph.add((dataset, DCAT.distribution, distribution))
    if not compressed:
        graph.add((dataset, VOID.dataDump, url))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(f"The whole dataset as {label}" + (", gzipped" if compressed else ""), lang="en")))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add((distribution, DCAT.accessURL, url))
    for predicate, media_type in ((DCAT.mediaType, export.content_media_type), (DCAT.compressFormat, GZIP if compressed else None)):
        if media_type is not None:
            graph.add((distribution, predicate, URIRef(IANA_MEDIA_TYPES + media_type)))
            graph.add((URIRef(IANA_MEDIA_TYPES + media_type), RDF.type, DCTERMS.MediaType))
    graph.add((distribution, DCAT.byteSize, Literal(export.size, datatype=XSD.nonNegativeInteger)))
    for licence in graph.objects(dataset, DCTERMS.license):
        graph.add((distribution, DCTERMS.license, licence))
    graph.add((distribution, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(export.sha256, datatype=XSD.hexBinary)))


def _select(run: Runner, query: str, substitutions: tuple = ()) -> list[dict[str, str]]:
    data = json.loads(run(query, "json", substitutions))
    return [{name: value["value"] for name, value in binding.items()} for binding in data["results"]["bindings"]]


def _fragment(iri: str) -> str:
    """A readable fragment for a class or property: ``pkg-Finding``, ``dcterms-title``; else the IRI's letters."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return re.sub(r"[^A-Za-z0-9._~-]", "-", f"{prefix}-{iri[len(namespace):]}")
    return re.sub(r"[^A-Za-z0-9._~-]", "-", iri)


def _namespace(iri: str) -> str:
    """The namespace of a term: its IRI up to the last ``#`` or ``/``."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]

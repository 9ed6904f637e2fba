"""RDF and SPARQL-results formats: names, media types, file suffixes, reading and writing."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from . import iris
from .errors import UserInputError


@dataclass(frozen=True)
class RdfFormat:
    name: str
    media_type: str
    suffix: str
    oxigraph: ox.RdfFormat
    rdflib: str
    datasets: bool  # can hold named graphs


RDF: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE, "turtle", False),
        RdfFormat("ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, "nt", False),
        RdfFormat("nquads", "application/n-quads", "nq", ox.RdfFormat.N_QUADS, "nquads", True),
        RdfFormat("trig", "application/trig", "trig", ox.RdfFormat.TRIG, "trig", True),
        RdfFormat("jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, "json-ld", True),
        RdfFormat("rdfxml", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, "xml", False),
    )
}
BY_SUFFIX = {f.suffix: f for f in RDF.values()} | {"json": RDF["jsonld"], "owl": RDF["rdfxml"], "xml": RDF["rdfxml"]}



@dataclass(frozen=True)
class ResultsFormat:
    name: str
    media_type: str
    suffix: str
    oxigraph: ox.QueryResultsFormat


# SELECT / ASK results; the first of each table is the default for "*/*".
RESULTS: dict[str, ResultsFormat] = {
    f.name: f
    for f in (
        ResultsFormat("json", "application/sparql-results+json", "srj", ox.QueryResultsFormat.JSON),
        ResultsFormat("xml", "application/sparql-results+xml", "srx", ox.QueryResultsFormat.XML),
        ResultsFormat("csv", "text/csv", "csv", ox.QueryResultsFormat.CSV),
        ResultsFormat("tsv", "text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
    )
}
MEDIA_TYPES = [f.media_type for f in (*RESULTS.values(), *RDF.values())]


def dump(backend, name: str) -> bytes:
    """The whole dataset in format ``name``; triple-only formats get the union of the named graphs."""
    return next(dumps(backend, [name]))[1]


def dumps(backend, names: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """The whole dataset in each format of ``names``, in turn. The union of the named graphs that the
    triple-only formats hold is gathered once for all of them: reading every quad costs more than writing."""
    union, triples = None, None
    for name in names:
        fmt = RDF[name]
        if fmt.datasets:
            yield name, backend.dump(fmt.oxigraph, prefixes=iris.PREFIXES)
            continue
        if union is None:
            union = backend.dump(ox.RdfFormat.N_TRIPLES)
        if name == "ntriples":
            yield name, union
            continue
        if triples is None:
            triples = ox.Store()
            triples.bulk_load(union, format=ox.RdfFormat.N_TRIPLES)
        yield name, triples.dump(format=fmt.oxigraph, from_graph=ox.DefaultGraph(), **_prefixes(fmt))


def graph_document(backend, graph: str | None, name: str) -> bytes | None:
    """One named graph's triples (the union for None) of what ``backend`` publishes, in format ``name``;
    None when there is no such graph. Run in a query process (the web worker opens no store)."""
    if graph is None:
        return dump(backend, name)
    node = ox.NamedNode(graph)
    if node not in backend.named_graphs():
        return None
    return serialize_triples((q.triple for q in backend.quads_for_pattern(None, None, None, node)), name)


def serialize_triples(triples: Iterable[ox.Triple], name: str) -> bytes:
    fmt = RDF[name]
    return ox.serialize(triples, format=fmt.oxigraph, **_prefixes(fmt))


def serialize_graph(graph: Graph, name: str) -> bytes:
    """A small rdflib graph in format ``name``: rdflib's grouped, prefixed output for the triple formats,
    pyoxigraph for the dataset formats (the graph becomes the default graph)."""
    fmt = RDF[name]
    if not fmt.datasets or fmt.name == "jsonld":
        options = {"auto_compact": True} if fmt.name == "jsonld" else {}
        return graph.serialize(format=fmt.rdflib, encoding="utf-8", **options)
    triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    quads = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return ox.serialize(quads, format=fmt.oxigraph, **_prefixes(fmt))


def _prefixes(fmt: RdfFormat) -> dict:
    return {"prefixes": iris.PREFIXES} if fmt.name in ("turtle", "trig", "rdfxml") else {}


def read_files(paths: Iterable[Path]) -> Graph:
    """Parse RDF files into one graph; the format comes from the suffix. Errors name file and line."""
    graph = Graph()
    for path in paths:
        fmt = BY_SUFFIX.get(path.suffix.lstrip(".").lower())
        if fmt is None:
            raise UserInputError(f"{path}: unknown RDF suffix (use one of .{', .'.join(sorted(BY_SUFFIX))})")
        try:
            for quad in ox.parse(path=str(path), format=fmt.oxigraph, base_iri=iris.base()):
                graph.add(tuple(to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object)))
        except SyntaxError as problem:
            raise UserInputError(f"{path}: {problem}") from None
    return graph


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term (a plain string stays an untyped literal, as rdflib keeps it)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # a plain literal in RDF 1.1; rdflib keeps it untyped
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def render(results, name: str) -> str:
    """Query results as text: a table, or a standard results / RDF format."""
    if isinstance(results, ox.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    if isinstance(results, ox.QueryTriples):
        if name in ("table", "turtle"):
            name = "turtle"
        if name not in RDF:
            raise UserInputError(f"a CONSTRUCT or DESCRIBE result cannot be written as {name}; use turtle or ntriples")
        return serialize_triples(results, name).decode()
    if name == "table":
        return table(results)
    if name not in RESULTS:
        raise UserInputError(f"a SELECT result cannot be written as {name}; use table, csv, tsv, json or xml")
    return results.serialize(format=RESULTS[name].oxigraph).decode()


def table(solutions) -> str:
    """A plain-text table of SELECT solutions, for terminals."""
    names = [variable.value for variable in solutions.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in solutions]
    widths = [max([len(name)] + [len(row[i]) for row in rows]) for i, name in enumerate(names)]
    widths = [min(width, 60) for width in widths]
    out = io.StringIO()
    out.write("  ".join(name.ljust(widths[i]) for i, name in enumerate(names)).rstrip() + "\n")
    out.write("  ".join("-" * width for width in widths) + "\n")
    for row in rows:
        out.write("  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(row)).rstrip() + "\n")
    out.write(f"({len(rows)} rows)\n")
    return out.getvalue()


def _cell(term) -> str:
    if term is None:
        return ""
    return term.value.replace("\n", " ")

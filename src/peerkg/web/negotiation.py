"""Content negotiation: ``Accept`` with q-values (werkzeug's parser), or a ``format=`` parameter."""

from __future__ import annotations

from flask import request

from ..errors import PeerkgError, UserInputError

# The first entry of each table is the default for */*.
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/json": "jsonld",  # what rdflib's SPARQLStore and others ask for a graph in JSON
}
# format= values, and the file suffixes of /queries/<name>.<suffix>
FORMAT_NAMES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "nquads": "nquads", "nq": "nquads",
    "trig": "trig", "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml",
}
GRAPH_FORMATS = set(RDF_TYPES.values())


class NotAcceptable(PeerkgError):
    status = 406
    title = "Not Acceptable"


def media_type(name: str, graph_result: bool) -> str:
    table = RDF_TYPES if graph_result else RESULT_TYPES
    return next(media for media, fmt in table.items() if fmt == name)


def choose(graph_result: bool, requested: str | None = None) -> tuple[str, str]:
    """(media type, format name) for a result; ``requested`` is a ``format=`` value or suffix, if any."""
    table = RDF_TYPES if graph_result else RESULT_TYPES
    if requested:
        name = FORMAT_NAMES.get(requested.lower()) or table.get(requested.lower())
        if name is None:
            raise UserInputError(f"unknown format {requested!r}; use one of {', '.join(sorted(set(FORMAT_NAMES)))}")
        if graph_result:  # the plain names mean the RDF serialisation for a graph
            name = {"xml": "rdfxml", "json": "jsonld"}.get(name, name)
        if name not in table.values():
            kind = "a CONSTRUCT or DESCRIBE (an RDF graph)" if graph_result else "a SELECT or ASK (a results table)"
            raise NotAcceptable(f"format {requested!r} cannot represent the result of {kind}; use one of {', '.join(sorted(set(table.values())))}")
        return media_type(name, graph_result), name
    best = request.accept_mimetypes.best_match(list(table)) if request.accept_mimetypes else next(iter(table))
    if best is None:
        raise NotAcceptable(
            f"none of the media types in Accept ({request.headers.get('Accept')}) can represent this result; "
            f"offered: {', '.join(table)}"
        )
    return best, table[best]


def prefers(*offers: str) -> str | None:
    """The best of ``offers`` for this request's Accept header (the first offer when there is none)."""
    if not request.accept_mimetypes:
        return offers[0]
    return request.accept_mimetypes.best_match(offers)

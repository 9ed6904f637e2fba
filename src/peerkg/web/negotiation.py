"""Content negotiation: ``Accept`` with q-values (werkzeug's parser), or a ``format=`` parameter."""

from __future__ import annotations

from flask import request

from .. import formats
from ..errors import NotAcceptable, UserInputError

# Media type → format name; the first entry of each table is the default for */*. Plain JSON and XML are
# what some clients ask for: the results formats for a table, JSON-LD for a graph.
RESULT_TYPES = {f.media_type: f.name for f in formats.RESULTS.values()} | {"application/json": "json", "application/xml": "xml"}
RDF_TYPES = {f.media_type: f.name for f in formats.RDF.values()} | {"application/json": "jsonld"}
# format= values, and the file suffixes of /queries/<name>.<suffix>: names, suffixes and common aliases.
FORMAT_NAMES = (
    {f.name: f.name for f in (*formats.RESULTS.values(), *formats.RDF.values())}
    | {f.suffix: f.name for f in (*formats.RESULTS.values(), *formats.RDF.values())}
    | {"json-ld": "jsonld", "rdf": "rdfxml"}
)



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

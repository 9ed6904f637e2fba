"""Content negotiation: ``Accept`` with q-values (werkzeug's parser), or the format parameters clients send.

Clients name formats in several ways: ``format=`` (Virtuoso, SPARQLWrapper, which repeats it with media
types: ``format=rdf+xml&format=application/rdf+xml``), ``output=`` (Fuseki), or a file suffix. The first value
that names a format able to represent the result wins; values that name nothing known, or a format that
cannot hold this kind of result, are passed over and ``Accept`` decides, as the large servers do. Only a
suffix (``/queries/table3.ttl``) is taken at its word: a suffix that cannot fit is a 406.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from flask import request
from werkzeug.datastructures import MIMEAccept

from .. import formats
from ..errors import NotAcceptable

# The request parameters that name a format, read in this order.
FORMAT_PARAMETERS = ("format", "output")
# Media type → format name; the first entry of each table is the default for */*. Plain JSON and XML are
# what some clients ask for: the results formats for a table, JSON-LD for a graph. Plain text is a table
# for people (Fuseki's output=text).
RESULT_TYPES = {f.media_type: f.name for f in formats.RESULTS.values()} | {
    "application/json": "json", "application/xml": "xml", "text/plain": "text",
}
RDF_TYPES = {f.media_type: f.name for f in formats.RDF.values()} | {"application/json": "jsonld"}
PAGE_TYPES = ("text/html", "application/xhtml+xml")
PAGE = "page"  # negotiate's answer when the result is to be shown as an HTML page
# format= values, and the file suffixes of /queries/<name>.<suffix>: names, suffixes and common aliases.
FORMAT_NAMES = (
    {f.name: f.name for f in (*formats.RESULTS.values(), *formats.RDF.values())}
    | {f.suffix: f.name for f in (*formats.RESULTS.values(), *formats.RDF.values())}
    | {"json-ld": "jsonld", "rdf": "rdfxml", "n-triples": "ntriples", "n-quads": "nquads", "text": "text", "txt": "text"}
)


def media_type(name: str, graph_result: bool) -> str:
    table = RDF_TYPES if graph_result else RESULT_TYPES
    return next(media for media, fmt in table.items() if fmt == name)


def requested(params) -> list[str]:
    """The format values of a request's parameters, in order: every ``format=``, then every ``output=``."""
    return [value for name in FORMAT_PARAMETERS for value in params.getlist(name)]


def choose(graph_result: bool, requested: str | Iterable[str] | None = None, *, suffix: str | None = None) -> tuple[str, str]:
    """(media type, format name) for a result: by ``suffix`` if given, else the first fitting ``requested``
    value (a ``format=`` or ``output=`` value, or several), else ``Accept``."""
    table = RDF_TYPES if graph_result else RESULT_TYPES
    if suffix is not None:
        name = _fitting(suffix, graph_result)
        if name is None:
            kind = "a CONSTRUCT or DESCRIBE (an RDF graph)" if graph_result else "a SELECT or ASK (a results table)"
            raise NotAcceptable(f"format {suffix!r} cannot represent the result of {kind}; use one of {', '.join(sorted(set(table.values())))}")
        return media_type(name, graph_result), name
    for value in _values(requested):
        name = _fitting(value, graph_result)
        if name is not None:
            return media_type(name, graph_result), name
    best = best_match(request.accept_mimetypes, table) if request.accept_mimetypes else next(iter(table))
    if best is None:
        raise _not_acceptable(table)
    return best, table[best]


def wants_page(graph_result: bool, requested: Iterable[str] = ()) -> bool:
    """Whether to answer with an HTML page: ``format=html``, or no fitting format value and HTML preferred
    to every data type by ``Accept`` (a browser); ``*/*`` alone still gets the data."""
    return negotiate(graph_result, requested) == PAGE


def negotiate(graph_result: bool, requested: str | Iterable[str] | None = None, *,
              suffix: str | None = None) -> str | tuple[str, str] | NotAcceptable:
    """``wants_page`` and then ``choose`` in one reading of ``Accept`` (werkzeug's matching is most of a small
    query's negotiation): ``PAGE``, the (media type, format name) ``choose`` gives, or the ``NotAcceptable``
    it would raise, returned for the caller to raise where it would have called ``choose``."""
    if suffix is not None:
        try:
            return choose(graph_result, suffix=suffix)
        except NotAcceptable as refusal:
            return refusal
    table = RDF_TYPES if graph_result else RESULT_TYPES
    for value in _values(requested):
        if value == "html" or value in PAGE_TYPES:
            return PAGE
        name = _fitting(value, graph_result)
        if name is not None:
            return media_type(name, graph_result), name
    # The best of the data types and the pages: a data type that wins is the one choose's match of the
    # data types alone gives (werkzeug keeps the first best offer, and the data types come first).
    best = prefers(*table, *PAGE_TYPES)
    if best in PAGE_TYPES:
        return PAGE
    if best is None:
        return _not_acceptable(table)
    return best, table[best]


def _not_acceptable(table: dict) -> NotAcceptable:
    return NotAcceptable(
        f"none of the media types in Accept ({request.headers.get('Accept')}) can represent this result; "
        f"offered: {', '.join(table)}"
    )


def prefers(*offers: str) -> str | None:
    """The best of ``offers`` for this request's Accept header (the first offer when there is none)."""
    if not request.accept_mimetypes:
        return offers[0]
    return best_match(request.accept_mimetypes, offers)


# werkzeug's split of a media type into type, subtype and parameters.
_MEDIA_SPLIT = re.compile(r"/|(?:[ \t]*;[ \t]*)")


def best_match(accept: MIMEAccept, offers: Iterable[str]) -> str | None:
    """``accept.best_match(offers)``, decided by werkzeug's rules (its ``MIMEAccept`` of 3.1), with each media
    type split once: werkzeug splits the offer and the client's type again at every comparison, and the
    two reads of Accept of a /sparql request took 40 us so (tests/test_negotiation.py holds the two equal)."""
    items = []  # the client's types as werkzeug sorted them (specificity, then quality): those that can match
    for item, quality in accept:
        if "/" not in item:
            continue
        kind, subtype, parameters = _split(item)
        if kind == "*" and subtype != "*":
            continue
        items.append((kind, subtype, parameters, quality, tuple(x != "*" for x in _MEDIA_SPLIT.split(item))))
    result, best_quality, best_specificity = None, -1, (-1,)
    for offer in offers:
        kind, subtype, parameters = _offered(offer)
        for item_kind, item_subtype, item_parameters, quality, specificity in items:
            if ((item_kind == "*" and item_subtype == "*") or (kind == "*" and subtype == "*")
                    or (item_kind == kind and (item_subtype == "*" or subtype == "*"
                                               or (item_subtype == subtype and item_parameters == parameters)))):
                break  # the first of the client's types that matches decides, as in werkzeug
        else:
            continue
        if quality <= 0 or quality < best_quality:
            continue
        if quality > best_quality or specificity > best_specificity:
            result, best_quality, best_specificity = offer, quality, specificity
    return result


def _split(media: str) -> tuple[str, str, list[str]]:
    parts = _MEDIA_SPLIT.split(media.lower())
    return parts[0], parts[1], sorted(parts[2:])


@functools.cache
def _offered(offer: str) -> tuple[str, str, list[str]]:
    """An offer split (the app's own media types, a few dozen)."""
    if "/" not in offer:
        raise ValueError(f"invalid mimetype {offer!r}")
    kind, subtype, parameters = _split(offer)
    if kind == "*" and subtype != "*":
        raise ValueError(f"invalid mimetype {offer!r}")
    return kind, subtype, parameters


def _values(requested: str | Iterable[str] | None) -> list[str]:
    """Each value, lower-cased; a value may list media types separated by commas (SPARQLWrapper's do)."""
    if requested is None:
        return []
    if isinstance(requested, str):
        requested = [requested]
    return [part.split(";")[0].strip().lower() for value in requested for part in value.split(",") if part.strip()]


def _fitting(value: str, graph_result: bool) -> str | None:
    """The format ``value`` names, if it can represent this kind of result."""
    table = RDF_TYPES if graph_result else RESULT_TYPES
    name = FORMAT_NAMES.get(value.lower()) or table.get(value.lower())
    if graph_result:  # the plain names mean the RDF serialisation for a graph
        name = {"xml": "rdfxml", "json": "jsonld"}.get(name, name)
    return name if name in table.values() else None

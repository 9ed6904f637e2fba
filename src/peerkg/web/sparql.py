"""``/sparql``: the SPARQL 1.1 Protocol query operation, and the service description without a query."""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from .. import guard
from ..errors import PeerkgError, UserInputError
from .negotiation import choose
from . import results, service

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


class UnsupportedMediaType(PeerkgError):
    status = 415
    title = "Unsupported Media Type"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    query, params = _read()
    if query is None:
        return _description()
    checked = guard.check(query)
    dataset = (
        tuple(params.getlist("default-graph-uri")) or None,
        tuple(params.getlist("named-graph-uri")) or None,
    )
    if dataset == (None, None):
        dataset = None
    return results.answer(query, checked.graph_result, dataset=dataset, requested=params.get("format"))


def _read():
    """The query text and the parameters it came with, per the protocol's three ways of sending it."""
    if request.method in ("GET", "HEAD"):
        params = request.args
        if "update" in params:
            raise guard.Refused("this endpoint answers queries only; updates are not accepted")
        return _single(params), params
    media = request.mimetype
    if media == FORM:
        params = request.form
        if "update" in params:
            raise guard.Refused("this endpoint answers queries only; updates are not accepted")
        query = _single(params)
        if query is None:
            raise UserInputError("a form-encoded POST needs a 'query' parameter")
        return query, _merged(request.args, params)
    if media == QUERY_BODY:
        if "query" in request.args:
            raise UserInputError("send the query either in the body or in the URL, not both")
        query = request.get_data(as_text=True)
        if not query.strip():
            raise UserInputError("the request body is empty: it should hold the query")
        return query, request.args
    if media == UPDATE_BODY:
        raise guard.Refused("this endpoint answers queries only; SPARQL updates are not accepted")
    raise UnsupportedMediaType(
        f"a POST to /sparql takes {FORM} or {QUERY_BODY}, not {media or 'a body without Content-Type'}"
    )


def _single(params) -> str | None:
    values = params.getlist("query")
    if len(values) > 1:
        raise UserInputError(f"exactly one 'query' parameter is allowed, got {len(values)}")
    return values[0] if values else None


def _merged(*sources) -> MultiDict:
    merged = MultiDict()
    for source in sources:
        for key, value in source.items(multi=True):
            merged.add(key, value)
    return merged


def _description() -> Response:
    if request.method == "POST":
        raise UserInputError("a POST to /sparql needs a query")
    media, name = choose(graph_result=True, requested=request.args.get("format"))
    graph = service.describe(request.base_url)
    fmt = {"jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}.get(name, name)
    response = Response(graph.serialize(format=fmt, encoding="utf-8"), mimetype=media)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    return response


"""``/sparql``: the SPARQL 1.1 Protocol query operation, and the service description without a query."""

from __future__ import annotations

import re

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.datastructures import MultiDict

import pyoxigraph as ox

from .. import formats, guard
from ..errors import NotAcceptable, Refused, UnsupportedMediaType, UserInputError
from .negotiation import PAGE, choose, negotiate, requested, wants_page
from . import kg, results, service, sparql_page

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
UPDATES_REFUSED = "this endpoint answers queries only; SPARQL updates are not accepted"
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")



@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    query, params = _read()
    if query is None:
        return _description()
    dataset = (_graph_iris(params, "default-graph-uri"), _graph_iris(params, "named-graph-uri"))
    if dataset == (None, None):
        dataset = None
    values = requested(params)
    chosen = (negotiate(False, values), negotiate(True, values))  # for a table, for a graph
    checked = kg.check(query, (_format(False, chosen[False]), _format(True, chosen[True])), dataset)
    if chosen[checked.graph_result] == PAGE:
        return sparql_page.render(query, checked, dataset)
    return results.answer(checked, dataset=dataset, chosen=chosen[checked.graph_result])


def _format(graph_result: bool, chosen) -> str | None:
    """What the answer below runs a table's (or a graph's) query in, so that a new text is checked and run
    in one trip; None when this request gets no result of that kind (a 406)."""
    if chosen == PAGE:
        return sparql_page.result_format(graph_result)
    if isinstance(chosen, NotAcceptable):
        return None
    return results.result_format(chosen[1])


def _read():
    """The query text and the parameters it came with, per the protocol's three ways of sending it."""
    if request.method in ("GET", "HEAD"):
        params = request.args
        if "update" in params:
            raise Refused(UPDATES_REFUSED)
        return _single(params), params
    media = request.mimetype
    if media == FORM:
        params = request.form
        if "update" in params:
            raise Refused(UPDATES_REFUSED)
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
        raise Refused(UPDATES_REFUSED)
    raise UnsupportedMediaType(
        f"a POST to /sparql takes {FORM} or {QUERY_BODY}, not {media or 'a body without Content-Type'}"
    )


def _graph_iris(params, name: str) -> tuple[str, ...] | None:
    """The graph IRIs of a dataset parameter; one that is not an absolute IRI is a 400 naming it."""
    values = tuple(params.getlist(name))
    for value in values:
        if not ABSOLUTE_IRI.fullmatch(value) or not _parses(value):
            raise UserInputError(f"{name} must be an absolute IRI, got {guard.excerpt(value, 100)!r}", details={"parameter": name})
    return values or None


def _parses(iri: str) -> bool:
    """Whether Oxigraph reads ``iri`` as an IRI (``http://[::1`` and ``a:%zz`` pass the pattern, not this)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


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
    if wants_page(True, requested(request.args)):
        # A browser (text/html before any RDF type) lands on the query editor; other clients get the description.
        response = redirect(url_for("editor.page"), code=303)
        response.vary.add("Accept")
        return response
    media, name = choose(graph_result=True, requested=requested(request.args))
    graph = service.describe(request.base_url)
    response = Response(formats.serialize_graph(graph, name), mimetype=media)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    return response


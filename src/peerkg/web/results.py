"""Answering a query over HTTP: negotiate, check the validator, run (or reuse) the result, set the headers."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request

from .. import formats
from ..backends import Query
from ..guard import Checked
from . import kg
from .negotiation import choose


def answer(query: str, checked: Checked, *, substitutions: tuple = (), dataset=None, requested=None,
           suffix: str | None = None) -> Response:
    media, name = choose(checked.graph_result, requested, suffix=suffix)
    # The text table (Fuseki's output=text) is drawn here from the JSON results.
    job = make_query(query, checked, "json" if name == "text" else name, substitutions=substitutions, dataset=dataset)
    tag = kg.etag(job) + ("-text" if name == "text" else "")
    if _not_modified(tag):
        response = Response(status=304)
    else:
        body = kg.run(job)
        if name == "text":
            body = formats.render(ox.parse_query_results(body, ox.QueryResultsFormat.JSON), "table").encode()
        response = Response(body, mimetype=media)  # text/* types get "; charset=utf-8"
    response.set_etag(tag)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    return response


def make_query(query: str, checked: Checked, result_format: str, *, substitutions: tuple = (), dataset=None) -> Query:
    """The backend's query, with the protocol's dataset (default and named graph IRIs) if any."""
    default_graphs, named_graphs = dataset or (None, None)
    return Query(checked.text or query, result_format, substitutions, default_graphs, named_graphs, not checked.has_dataset)


def _not_modified(tag: str) -> bool:
    """If-None-Match, also with the ':gzip' suffix the compressor puts on the validator of a gzipped body."""
    if request.method not in ("GET", "HEAD"):
        return False
    candidates = request.if_none_match
    return candidates.contains(tag) or any(str(c).startswith(f"{tag}:") for c in candidates.as_set()) or candidates.star_tag

"""Answering a query over HTTP: negotiate, check the validator, run (or reuse) the result, set the headers."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request
from werkzeug.http import quote_etag

from .. import formats
from ..backends import Query
from ..errors import NotAcceptable
from ..guard import Checked
from . import kg
from .negotiation import choose


def answer(checked: Checked, *, substitutions: tuple = (), dataset=None, requested=None,
           suffix: str | None = None, chosen: tuple[str, str] | NotAcceptable | None = None) -> Response:
    """``chosen``: what ``negotiate`` gave for this result, when the caller has read the request for it."""
    if chosen is None:
        chosen = choose(checked.graph_result, requested, suffix=suffix)
    if isinstance(chosen, NotAcceptable):
        raise chosen
    media, name = chosen
    job = Query.checked(checked, result_format(name), substitutions, dataset)
    tag = kg.etag(job) + ("-text" if name == "text" else "")
    # Given whole to the response (werkzeug's set_etag, vary.add and item assignment each scan the headers).
    headers = [("ETag", quote_etag(tag)), ("Vary", "Accept"), ("Cache-Control", "public, no-cache")]
    if _not_modified(tag):
        return Response(status=304, headers=headers)
    body = kg.run(job)
    if name == "text":
        body = formats.render(ox.parse_query_results(body, ox.QueryResultsFormat.JSON), "table").encode()
    return Response(body, mimetype=media, headers=headers)  # text/* types get "; charset=utf-8"


def result_format(name: str) -> str:
    """The format a query is run in to answer in format ``name``: the text table (Fuseki's output=text) is
    drawn here from the JSON results."""
    return "json" if name == "text" else name


def _not_modified(tag: str) -> bool:
    """If-None-Match, also with the ':gzip' suffix the compressor puts on the validator of a gzipped body."""
    if request.method not in ("GET", "HEAD") or "HTTP_IF_NONE_MATCH" not in request.environ:
        return False
    candidates = request.if_none_match
    return candidates.contains(tag) or any(str(c).startswith(f"{tag}:") for c in candidates.as_set()) or candidates.star_tag

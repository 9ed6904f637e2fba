"""Answering a query over HTTP: negotiate, check the validator, run (or reuse) the result, set the headers."""

from __future__ import annotations

from flask import Response, request

from ..executor import Job
from ..guard import Checked
from . import kg
from .negotiation import choose


def answer(query: str, checked: Checked, *, substitutions: tuple = (), dataset=None, requested: str | None = None) -> Response:
    media, name = choose(checked.graph_result, requested)
    default_graphs, named_graphs = dataset or (None, None)
    job = Job(str(kg.store_path()), checked.text or query, name, substitutions, default_graphs, named_graphs, not checked.has_dataset)
    tag = kg.etag(job)
    if _not_modified(tag):
        response = Response(status=304)
    else:
        response = Response(kg.run(job), mimetype=media)  # text/* types get "; charset=utf-8"
    response.set_etag(tag)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    return response


def _not_modified(tag: str) -> bool:
    """If-None-Match, also with the ':gzip' suffix the compressor puts on the validator of a gzipped body."""
    if request.method not in ("GET", "HEAD"):
        return False
    candidates = request.if_none_match
    return candidates.contains(tag) or any(str(c).startswith(f"{tag}:") for c in candidates.as_set()) or candidates.star_tag

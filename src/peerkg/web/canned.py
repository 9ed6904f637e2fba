"""``/queries``: the canned queries, listed (JSON or HTML) and run with parameters from the URL."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from .. import guard
from ..errors import NotFound, UserInputError
from . import kg, query_page, results
from .negotiation import FORMAT_NAMES, FORMAT_PARAMETERS, PAGE, negotiate, prefers, requested

bp = Blueprint("queries", __name__)


@bp.get("/queries")
def index() -> Response:
    """The canned queries (``?tag=`` for those with one tag), with an index by tag on the page."""
    every = kg.canned().values()
    tags = sorted({tag for query in every for tag in query.tags})
    tag = request.args.get("tag")
    if tag is not None and tag not in tags:
        raise NotFound(f"no canned query has the tag {tag!r} (the tags: {', '.join(tags)})")
    listing = [_summary(query) for query in every if tag is None or tag in query.tags]
    if prefers("application/json", "text/html") == "text/html":
        downloads = {q.name: query_page.DOWNLOADS[guard.check(q.text).graph_result] for q in every}
        by_tag = {t: [q for q in listing if t in q["tags"]] for t in tags if tag is None or t == tag}
        response = Response(render_template("queries.html", queries=listing, downloads=downloads, by_tag=by_tag, tag=tag))
    else:
        response = jsonify(queries=listing)
    response.vary.add("Accept")
    return response


@bp.get("/queries/<name>")
def run(name: str) -> Response:
    suffix = None
    if "." in name:
        name, suffix = name.rsplit(".", 1)
        if suffix not in FORMAT_NAMES:
            raise NotFound(f"no format with suffix .{suffix} (use .{', .'.join(sorted(FORMAT_NAMES))})")
    query = kg.canned().get(name)
    if query is None:
        raise NotFound(f"no canned query named '{name}' (see /queries)")
    values = {key: value for key, value in request.args.items() if key not in FORMAT_PARAMETERS}
    duplicated = [key for key in values if len(request.args.getlist(key)) > 1]
    if duplicated:
        raise UserInputError(f"parameter '{duplicated[0]}' is given more than once", details={"parameter": duplicated[0]})
    checked = guard.check(query.text)
    chosen = negotiate(checked.graph_result, requested(request.args), suffix=suffix)
    if chosen == PAGE:
        return query_page.render(query, checked, values)
    bindings = tuple(sorted((variable.value, term) for variable, term in query.substitutions(values).items()))
    return results.answer(checked, substitutions=bindings, chosen=chosen)


def _summary(query) -> dict:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "question": query.question,
        "tags": list(query.tags),
        "params": [param.__dict__ for param in query.params],
        "url": url_for("queries.run", name=query.name, _external=True),
        "sparql": query.text,
    }

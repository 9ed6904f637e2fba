"""``/editor``: the query editor, YASGUI pointed at ``/sparql``, with the project's prefixes and the canned queries.

YASGUI comes from the npm registry (``package.json``, installed by ``npm ci`` under ``node_modules/``) and is
served from there by this app, never from a CDN; a missing install is a 503 that says how to make it.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory, url_for

from ..config import PROJECT_ROOT
from ..errors import NotFound, PeerkgError
from ..iris import PREFIXES
from . import kg

bp = Blueprint("editor", __name__)

YASGUI = PROJECT_ROOT / "node_modules" / "@triply" / "yasgui" / "build"
FILES = ("yasgui.min.js", "yasgui.min.css")


@bp.get("/editor")
def page() -> str:
    return render_template("editor.html", queries=list(kg.canned().values()), config={
        "endpoint": url_for("sparql.endpoint"),
        "prefixes": PREFIXES,
        "queries": [
            {"name": q.name, "title": q.title, "sparql": q.text, "params": [p.name for p in q.params],
             "page": url_for("queries.run", name=q.name)}
            for q in kg.canned().values()
        ],
    })


@bp.get("/editor/yasgui/<name>")
def yasgui(name: str) -> Response:
    if name not in FILES:
        raise NotFound(f"no editor file named {name!r} (there are {', '.join(FILES)})")
    if not (YASGUI / name).is_file():
        raise PeerkgError(f"the query editor is not installed: run 'npm ci' in {PROJECT_ROOT} (make serve does)",
                          status=503, title="Service Unavailable")
    response = send_from_directory(YASGUI, name, max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response

"""``/import`` on the web: the form, and ``POST /import`` (a curator's token), doing what ``peerkg import``
does: a body is one file, a multipart form may carry several (fields ``file``), which go into one graph (and
so need a ``graph`` name, as on the command line). The upload is read, matched, validated and committed in a
confined worker process (``curation.imports.import_documents``); the web worker only decodes the request."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from .. import readers
from ..curation import imports
from ..errors import SeedError, UnsupportedMediaType, UserInputError
from . import kg, negotiation

bp = Blueprint("imports", __name__)

DETECT = "detect"
YES = ("1", "true", "yes", "on")


@bp.get("/import")
def form() -> str:
    return render_template("import.html", kinds=readers.KINDS.values(), outcome=None)


@bp.post("/import")
def upload() -> Response:
    from_form = request.mimetype == "multipart/form-data"
    fields = request.form if from_form else request.args
    curator = current_app.config["TOKENS"].curator(_authorization(from_form))
    kg.require_writable()
    files = _form_files() if from_form else [_body_file()]
    kind = fields.get("kind") or DETECT
    if kind != DETECT and kind not in readers.KINDS:
        raise UnsupportedMediaType(f"unknown kind {kind[:40]!r}: use one of {', '.join(readers.KINDS)}, or {DETECT}")
    graph_name = fields.get("graph") or None
    imports.graph_for(files, graph_name)  # several files need a graph name: refused before any work
    dry_run = fields.get("dry_run", "").lower() in YES
    media_type, fmt = negotiation.choose(True, negotiation.requested(request.args)) if dry_run else (None, "turtle")
    try:
        outcome = kg.call("peerkg.curation.imports:import_documents", kg.settings(), files,
                          None if kind == DETECT else kind, graph_name, dry_run, fmt,
                          curator, what="import", timeout=current_app.config["VALIDATE_TIMEOUT"])
    except SeedError as unreadable:  # the reader's complaint about the file, naming its line, row or record
        raise UserInputError(unreadable.message, details=unreadable.details) from None
    if dry_run:
        response = Response(outcome.data, mimetype=media_type)
        response.vary.add("Accept")
    elif from_form and negotiation.prefers("application/json", "text/html") == "text/html":
        response = Response(render_template("import.html", kinds=readers.KINDS.values(), outcome=outcome),
                            mimetype="text/html")
    else:
        response = jsonify(summary(outcome))
    if outcome.created:
        response.status_code = 201
        response.headers["Location"] = url_for("curation.graph_store", graph=outcome.graph)
    response.headers["Cache-Control"] = "no-store"
    return response


def summary(outcome: imports.Outcome) -> dict:
    return {
        "graph": outcome.graph,
        "result": "dry run" if outcome.data is not None else "unchanged" if outcome.unchanged else
                  "created" if outcome.created else "replaced",
        "commit": "unchanged" if outcome.unchanged else outcome.commit,
        "triples": outcome.triples,
        "documents": [{"file": d.name, "kind": d.kind, "triples": d.triples, "sha256": d.sha256} for d in outcome.documents],
        "matches": outcome.decisions,
    }


def _authorization(from_form: bool) -> str | None:
    """The ``Authorization`` header; a browser's form cannot send one, so the multipart form may carry the
    token as its ``token`` field instead (never the query string, which ends up in logs and histories)."""
    header = request.headers.get("Authorization")
    if header is None and from_form and request.form.get("token", "").strip():
        return f"Bearer {request.form['token'].strip()}"
    return header


def _form_files() -> list[tuple[str, bytes]]:
    """Every file of the form's ``file`` fields (a browser sends one field per file chosen), in order."""
    uploads = [upload for upload in request.files.getlist("file") if upload.filename]
    if not uploads:
        raise UserInputError("nothing to import: choose a file (form field 'file')")
    return [(upload.filename[:200], upload.read()) for upload in uploads]


def _body_file() -> tuple[str, bytes]:
    if not request.content_type:
        raise UnsupportedMediaType("say what the body is with a Content-Type header, and name the file with a Slug "
                                   "header or ?name= (its kind is read from its content, or ?kind=)")
    name = request.headers.get("Slug") or request.args.get("name") or "request body"
    return name[:200], request.get_data()

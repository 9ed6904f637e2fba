"""``/import`` on the web: the form, and ``POST /import`` (a curator's token), doing what ``peerkg import``
does: a body is one file, a multipart form may carry several (fields ``file``), which go into one graph (and
so need a ``graph`` name, as on the command line). The upload is read, matched, validated and committed in a
confined worker process (``curation.imports.import_documents``); the web worker only decodes the request."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from .. import readers
from ..curation import imports
from ..errors import SeedError, UnsupportedMediaType, UserInputError
from . import jobs, kg, negotiation

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
    as_job = jobs.wanted()  # a large body, or Prefer: respond-async
    files = _form_files(as_job) if from_form else [_body_file(as_job)]
    kind = fields.get("kind") or DETECT
    if kind != DETECT and kind not in readers.KINDS:
        raise UnsupportedMediaType(f"unknown kind {kind[:40]!r}: use one of {', '.join(readers.KINDS)}, or {DETECT}")
    graph_name = fields.get("graph") or None
    imports.graph_for(files, graph_name)  # several files need a graph name: refused before any work
    dry_run = fields.get("dry_run", "").lower() in YES
    media_type, fmt = negotiation.choose(True, negotiation.requested(request.args)) if dry_run else (None, "turtle")
    if as_job:
        args = {"kind": None if kind == DETECT else kind, "graph": graph_name, "dry_run": dry_run, "format": fmt,
                "media_type": media_type}
        # A browser's form sent the token as a field, and its status page cannot send one: a capability URL.
        return jobs.submit("import", args, files, curator=curator, token_needed="Authorization" in request.headers)
    publisher = None if dry_run else jobs.publisher()  # writes the new version's downloads, off this request
    try:
        outcome = kg.call("peerkg.curation.imports:import_documents", kg.settings(), files,
                          None if kind == DETECT else kind, graph_name, dry_run, fmt,
                          curator, jobs.announce(publisher), what="import", timeout=current_app.config["VALIDATE_TIMEOUT"])
    except SeedError as unreadable:  # the reader's complaint about the file, naming its line, row or record
        jobs.discard(publisher)
        raise UserInputError(unreadable.message, details=unreadable.details) from None
    except BaseException:
        jobs.discard(publisher)
        raise
    if outcome.version is None:
        jobs.discard(publisher)
    else:
        jobs.launch(publisher)
    if dry_run:
        response = Response(outcome.data, mimetype=media_type)
        response.vary.add("Accept")
    elif from_form and negotiation.prefers("application/json", "text/html") == "text/html":
        response = Response(render_template("import.html", kinds=readers.KINDS.values(), outcome=outcome),
                            mimetype="text/html")
    else:
        response = jsonify(imports.summary(outcome))
    if outcome.created:
        response.status_code = 201
        response.headers["Location"] = url_for("curation.graph_store", graph=outcome.graph)
    response.headers["Cache-Control"] = "no-store"
    return response


def _authorization(from_form: bool) -> str | None:
    """The ``Authorization`` header; a browser's form cannot send one, so the multipart form may carry the
    token as its ``token`` field instead (never the query string, which ends up in logs and histories)."""
    header = request.headers.get("Authorization")
    if header is None and from_form and request.form.get("token", "").strip():
        return f"Bearer {request.form['token'].strip()}"
    return header


def _form_files(kept: bool = False) -> list[tuple[str, bytes]]:
    """Every file of the form's ``file`` fields (a browser sends one field per file chosen), in order;
    ``kept``: each as the form parser kept it (for a job to save), not read into memory."""
    uploads = [upload for upload in request.files.getlist("file") if upload.filename]
    if not uploads:
        raise UserInputError("nothing to import: choose a file (form field 'file')")
    return [(upload.filename[:200], upload if kept else upload.read()) for upload in uploads]


def _body_file(kept: bool = False) -> tuple[str, bytes]:
    if not request.content_type:
        raise UnsupportedMediaType("say what the body is with a Content-Type header, and name the file with a Slug "
                                   "header or ?name= (its kind is read from its content, or ?kind=)")
    name = request.headers.get("Slug") or request.args.get("name") or "request body"
    return name[:200], jobs.body() if kept else request.get_data()

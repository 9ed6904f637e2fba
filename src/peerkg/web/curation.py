"""The curator's path on the web: ``/validate`` (a page and an API) and the SPARQL 1.1 Graph Store HTTP
Protocol at ``/store``. Writes need a curator's bearer token; a rejected request changes nothing."""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from .. import formats, iris
from ..errors import NotFound, Refused, SubmissionSyntaxError, UnsupportedMediaType, UserInputError
from ..formats import RdfFormat
from ..curation import commit, report, submission, tokens
from . import jobs, kg, negotiation

bp = Blueprint("curation", __name__)

REPORT_TYPES = ("application/json", "text/html", "text/turtle", "text/plain")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


# --- Validation -----------------------------------------------------------------------------------------


@bp.get("/validate")
def validate_form() -> str:
    return render_template("validate.html", formats=formats.RDF.values(), summary=None, problem=None, text="", base=iris.base())


@bp.post("/validate")
def validate() -> Response:
    from_form = request.mimetype in FORM_TYPES
    wanted = negotiation.prefers(*(("text/html", *REPORT_TYPES) if from_form else REPORT_TYPES))
    text = request.form.get("text", "") if from_form else ""
    if jobs.wanted():  # a large body, or Prefer: respond-async
        data, fmt, name = _form_document(kept=True) if from_form else _body_document(kept=True)
        return jobs.submit("validation", {"format": fmt.name, "name": name}, [(name, data)])
    data, fmt, name = _form_document() if from_form else _body_document()
    try:
        summary, w3c_report = _in_worker("peerkg.curation.check:validate_document", data, fmt.name, name, kg.settings())
    except SubmissionSyntaxError as problem:
        if wanted != "text/html":
            raise
        return _page(None, problem.details | {"detail": problem.message}, text, 400)
    if wanted == "text/html":
        return _page(summary, None, text, 200)
    if wanted == "text/turtle":
        return _no_store(Response(w3c_report, mimetype="text/turtle"))
    if wanted == "text/plain":
        return _no_store(Response(report.text(summary), mimetype="text/plain"))
    return _no_store(Response(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", mimetype="application/json"))


def _in_worker(function: str, *args):
    """Untrusted documents are parsed and checked in a confined query process, within the validation
    time limit: a crash, a memory blow-up or a slow check there is an error answer, never a dead worker."""
    return kg.call(function, *args, what="validation", timeout=current_app.config["VALIDATE_TIMEOUT"])


def _page(summary: dict | None, problem: dict | None, text: str, status: int) -> Response:
    html = render_template("validate.html", formats=formats.RDF.values(), summary=summary, problem=problem, text=text,
                           base=iris.base())
    response = Response(html, status, mimetype="text/html")
    response.vary.add("Accept")
    return _no_store(response)


def _form_document(kept: bool = False) -> tuple[bytes, RdfFormat, str]:
    """The form's upload, else its text box; the format from the form's choice, else the file suffix;
    ``kept``: the upload as the form parser kept it (for a job to save), not read into memory."""
    upload = request.files.get("file")
    chosen = request.form.get("format") or None
    if upload is not None and upload.filename:
        data, name = upload if kept else upload.read(), upload.filename[:200]
    elif request.form.get("text", "").strip():
        data, name = request.form["text"].encode("utf-8"), "pasted text"
    else:
        raise UserInputError("nothing to validate: choose a file or paste RDF into the text box")
    fmt = formats.RDF.get(chosen) if chosen else None
    if chosen and fmt is None:
        raise UserInputError(f"unknown format {chosen[:40]!r}; choose one of {', '.join(formats.RDF)}")
    if fmt is None:
        fmt = submission.format_for(file_name=name) if name != "pasted text" else formats.RDF["turtle"]
    return data, fmt, name


def _body_document(kept: bool = False) -> tuple[bytes, RdfFormat, str]:
    if not request.content_type:
        raise UnsupportedMediaType("say what the body is written in with a Content-Type header (text/turtle…)")
    return jobs.body() if kept else request.get_data(), submission.format_for(media_type=request.content_type), "request body"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Graph Store Protocol -------------------------------------------------------------------------------


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])  # Flask answers HEAD from GET
def graph_store() -> Response:
    # A POST to the graph store itself creates a graph the server names (Graph Store Protocol, section 5.5).
    creating = request.method == "POST" and not request.args
    target = None if creating else _target()
    if request.method in ("GET", "HEAD"):
        return _read(target)
    curator = current_app.config["TOKENS"].curator(request.headers.get("Authorization"))
    kg.require_writable()
    if creating:
        target = str(iris.posted_graph(request.headers.get("Slug"), sha256=jobs.body_sha256()))
    if target is None or not iris.is_curated_graph(target):
        raise Refused(f"only curated graphs can be written: use ?graph={iris.graph(iris.CURATED)}<name>; the seed "
                      "graphs are rebuilt from the seeds and the default graph is their union")
    graph = iris.curated_graph(target)
    data = fmt = None
    if request.method != "DELETE":
        if not request.content_type:
            raise UnsupportedMediaType("say what the body is written in with a Content-Type header (text/turtle…)")
        fmt = submission.format_for(media_type=request.content_type)
        if fmt.datasets and fmt.name != "jsonld":
            raise UnsupportedMediaType(f"{fmt.media_type} holds named graphs; send the graph's triples as "
                                                  "text/turtle, application/n-triples, application/ld+json or application/rdf+xml")
    name = request.headers.get("Slug", "request body")[:200]
    if jobs.wanted():  # a large body, or Prefer: respond-async
        args = {"operation": request.method, "graph": str(graph), "format": fmt.name if fmt else None, "name": name,
                "exclusive": creating}
        return jobs.submit("commit", args, [] if fmt is None else [(name, jobs.body())], curator=curator, token_needed=True)
    if fmt is not None:
        data = request.get_data()
    publisher = jobs.publisher()  # writes the new version's downloads once it is published, off this request
    try:
        done = _in_worker("peerkg.curation.commit:commit_document", kg.settings(), commit.Operation(request.method), str(graph),
                          data, fmt.name if fmt else None, name, curator, creating, jobs.announce(publisher))
    except BaseException:
        jobs.discard(publisher)
        raise
    jobs.launch(publisher)
    if done.created and request.method != "DELETE":
        response = Response(status=201)
        response.headers["Location"] = url_for("curation.graph_store", graph=done.graph, _external=False)
    else:
        response = Response(status=204)
    response.headers["X-Peerkg-Commit"] = done.iri
    return _no_store(response)


def _target() -> str | None:
    """``?graph=IRI`` or ``?default`` (the union of every graph), exactly one of the two."""
    has_default, graph = "default" in request.args, request.args.get("graph")
    if has_default == (graph is not None):
        raise UserInputError("name exactly one graph: ?graph=<IRI> or ?default")
    if graph is not None and not graph.strip():
        raise UserInputError("?graph= needs an IRI")
    return graph


def _read(target: str | None) -> Response:
    media_type, name = negotiation.choose(True, request.args.get("format"))
    if target is not None and not _is_iri(target):
        raise NotFound(f"the store has no graph {target[:200]}; GET /store?default for everything, or see /dataset")
    body = kg.call("peerkg.formats:graph_document", target, name, what="export", timeout=current_app.config["EXPORT_TIMEOUT"])
    if body is None:
        raise NotFound(f"the store has no graph {target}; GET /store?default for everything, or see /dataset")
    response = Response(body, mimetype=media_type)
    response.vary.add("Accept")
    return response


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return ":" in text


def install(app) -> None:
    """Register the blueprint and read the curator tokens once, at start-up."""
    app.config.setdefault("TOKENS", tokens.load())
    app.register_blueprint(bp)


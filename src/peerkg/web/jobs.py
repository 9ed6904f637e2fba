"""Work that outlasts a request, on the web: ``POST /validate``, ``POST /import`` and writes to ``/store``
become a job (``peerkg.jobs``) when the body is larger than ``PEERKG_JOB_BYTES`` or the client sends
``Prefer: respond-async`` (RFC 7240); the answer is ``202 Accepted`` with ``Location: /jobs/<id>``, and
``GET /jobs/<id>`` gives the state, the step and the time taken, then the answer the request would have
had: its status in the JSON, its report by negotiation.

A job started with a curator's ``Authorization`` header is read with the same curator's token. One started
from the browser's import form (the token in a form field: a page that refreshes cannot send a header) is
read by its URL alone, whose id is 256 random bits: a capability URL, like a password reset link.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from http import HTTPStatus
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from .. import formats, iris, jobs, readers
from ..errors import NotAcceptable, PeerkgError, Refused
from . import kg, negotiation, problems
from .request_body import SPOOLED

log = logging.getLogger(__name__)

bp = Blueprint("jobs", __name__)

REFRESH_SECONDS = 2  # how often a browser's status page reloads itself
# A document to save into a job: bytes read, a spooled body's path, a form's upload, or pasted text.
Source = bytes | Path | FileStorage | str


def wanted() -> bool:
    """Whether this request's work becomes a job: its body was too large to keep in memory (spooled to
    disk), or the client prefers an asynchronous answer."""
    return SPOOLED in request.environ or asked()


def asked() -> bool:
    """``Prefer: respond-async`` (RFC 7240: preferences are separated by commas, parameters by semicolons)."""
    return any(preference.split(";")[0].split("=")[0].strip().lower() == "respond-async"
               for header in request.headers.getlist("Prefer") for preference in header.split(","))


def body() -> Source:
    """The request body, as it was kept: its file on disk when spooled, else its bytes."""
    return Path(request.environ[SPOOLED]) if SPOOLED in request.environ else request.get_data()


def body_sha256() -> str:
    if SPOOLED not in request.environ:
        return hashlib.sha256(request.get_data()).hexdigest()
    digest = hashlib.sha256()
    with open(request.environ[SPOOLED], "rb") as spooled:
        while chunk := spooled.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def allow_large_bodies() -> None:
    """Before every request: a spooled body was bounded as it was read (``PEERKG_JOB_MAX_BYTES``), so the
    form parser must not refuse it by the smaller limit of bodies kept in memory."""
    if SPOOLED in request.environ:
        request.max_content_length = None


def store() -> jobs.Jobs:
    return store_of(current_app.config)


def store_of(config) -> jobs.Jobs:
    return jobs.Jobs(config["DATA_DIR"])


def limits() -> dict:
    config = current_app.config
    return {"timeout": config["JOB_TIMEOUT"], "max_bytes": config["MAX_RESULT_BYTES"], "memory_bytes": config["JOB_MEMORY_BYTES"]}


def submit(kind: str, args: dict, documents: list[tuple[str, Source]], *, curator: str | None = None,
           token_needed: bool = False) -> Response:
    """Start a job for this request's work and answer ``202 Accepted``: the job's status, in JSON or (for
    a browser) a page that reloads itself until the outcome is there."""
    config = current_app.config
    box = store()
    job = None
    try:
        box.prune(config["JOB_KEEP_SECONDS"])
        slot = box.take_slot(config["JOBS"])
        try:
            job = box.create(kind, args | {"path": request.path}, limits(), curator=curator,
                             documents=tuple(name for name, _ in documents), token_needed=token_needed)
            for index, (_, source) in enumerate(documents):
                _save(job.document(index), source)
            _start(job, slot)
        finally:
            os.close(slot)  # the job's process holds the slot's lock now
    except OSError as problem:  # a full disk, a data directory this server may not write
        failure = PeerkgError(f"the submission cannot be kept in {box.root} ({problem.strerror}); try again later",
                              status=503, title="Service Unavailable")
        if job is not None:
            shutil.rmtree(job.directory, ignore_errors=True)
        raise failure from None
    log.info("job %s… (%s) started", job.id[:8], kind)
    response = _render(job, job.state(), accepted=True)
    response.status_code = 202
    response.headers["Location"] = url_for("jobs.status", job_id=job.id)
    if asked():
        response.headers["Preference-Applied"] = "respond-async"
    return response


def publisher() -> jobs.Job | None:
    """A publish job for the version a commit in this request is about to make (not started: ``launch``
    it after the commit, ``discard`` it when there was none); None when jobs cannot be kept here."""
    try:
        box = store()
        box.prune(current_app.config["JOB_KEEP_SECONDS"])
        return box.create("publish", {}, limits())
    except OSError as problem:
        log.warning("no job can publish the next version (%s): its downloads are written on first request", problem)
        return None


def announce(job: jobs.Job | None) -> jobs.Announce | None:
    return None if job is None else jobs.Announce(current_app.config["DATA_DIR"], job.id)


def launch(job: jobs.Job | None) -> None:
    """Start the publish job of a commit made in this request; the commit's answer does not wait for it."""
    if job is None:
        return
    try:
        _start(job, None)
    except PeerkgError as problem:
        log.warning("%s", problem.message)


def discard(job: jobs.Job | None) -> None:
    """Remove the publish job of a request that committed nothing."""
    if job is not None:
        shutil.rmtree(job.directory, ignore_errors=True)


def _save(target: Path, source: Source) -> None:
    if isinstance(source, Path):
        os.replace(source, target)  # the spool is in the jobs directory: a rename, not a copy
    elif isinstance(source, FileStorage):
        source.save(target)
    elif isinstance(source, str):
        target.write_text(source, encoding="utf-8")
    else:
        target.write_bytes(source)


def _start(job: jobs.Job, slot: int | None) -> None:
    config = current_app.config
    # The job's process reads the same backend as this app (its credentials in its environment, not on disk).
    environment = os.environ | {"PEERKG_DATA": config["DATA_DIR"], "PEERKG_STORE": config.get("STORE") or ""}
    for key, name in kg.BACKEND_KEYS.items():
        environment[f"PEERKG_{key}"] = config.get(key) or ""
    try:
        jobs.launcher.start(job, environment, slot)
    except Exception as error:  # noqa: BLE001 - a process that cannot start is a 503, said once
        failure = PeerkgError(f"the job's process could not start ({str(error)[:200]}); try again", status=503,
                              title="Service Unavailable")
        job.fail(failure)
        raise failure from None


# --- GET /jobs/<id> -------------------------------------------------------------------------------------


@bp.get("/jobs/<job_id>")
def status(job_id: str) -> Response:
    job = store().get(job_id)
    spec = job.spec
    if spec["token_needed"]:
        curator = current_app.config["TOKENS"].curator(request.headers.get("Authorization"))
        if curator != spec["curator"]:
            raise Refused("this job was submitted with another curator's token: read it with the token that submitted it")
    return _render(job, job.state())


def _render(job: jobs.Job, state: dict, accepted: bool = False) -> Response:
    """The job by negotiation: its state while it runs; when done, the answer the request would have had."""
    spec, finished = job.spec, state["state"] in jobs.FINISHED
    result = job.result() if state["state"] == jobs.DONE else None
    files = (result or {}).get("files", {})
    offers = ("application/json", "text/html", *files, "text/plain")
    choice = negotiation.prefers(*offers)
    if choice is None and finished:
        raise NotAcceptable(f"none of the media types in Accept ({request.headers.get('Accept')}) can represent this "
                            f"job's outcome; offered: {', '.join(offers)}")
    if choice == "text/html" and "data" in files.values():
        choice = next(media for media, name in files.items() if name == "data")  # a dry run answers with its triples
    if choice == "text/html":
        response = _page(job, spec, state, result, accepted)
    elif choice in files:
        response = Response((job.directory / files[choice]).read_bytes(), mimetype=choice)
    elif choice == "text/plain":
        response = Response(_line(spec, state), mimetype="text/plain")
    else:
        response = Response(_json(document(job, state, result)), mimetype="application/json")
    if not finished:
        response.headers["Retry-After"] = str(REFRESH_SECONDS)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    return response


def document(job: jobs.Job, state: dict, result: dict | None) -> dict:
    """The job in JSON: what, its state and progress, and when done the synchronous answer's status,
    headers and body (``result``), or when failed its error in the one error shape (``error``)."""
    spec = job.spec
    out = {
        "id": job.id,
        "url": url_for("jobs.status", job_id=job.id, _external=True),
        "kind": spec["kind"],
        "state": state["state"],
        "progress": state["progress"],
        "documents": [{"name": name, "bytes": _size(job.document(index))} for index, name in enumerate(spec["documents"])],
        "submitted": state["submitted"],
        "started": state.get("started"),
        "finished": state.get("finished"),
        "elapsed": round(_elapsed(state), 3),
    }
    if result is not None:
        out["status"] = result["status"]
        out["headers"] = _headers(result)
        out["result"] = result["body"]
        for key in ("published", "unpublished"):
            if result.get(key):
                out[key] = result[key]
    elif state["state"] == jobs.FAILED:
        out["status"] = state["status"]
        out["error"] = problems.document(job.error(), spec["args"].get("path"))
    return out


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # a job pruned meanwhile
        return None


def _headers(result: dict) -> dict:
    """The headers the synchronous answer would have carried."""
    headers = {}
    if result.get("graph"):
        headers["Location"] = url_for("curation.graph_store", graph=result["graph"])
    if result.get("commit"):
        headers["X-Peerkg-Commit"] = result["commit"]
    return headers


def _elapsed(state: dict) -> float:
    end = state.get("finished")
    return jobs.seconds_since(state["submitted"]) - (jobs.seconds_since(end) if end else 0.0)


def _json(value: dict) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _line(spec: dict, state: dict) -> str:
    """The state for a terminal: ``running (2.1 s): validating 30,000 triples in context``."""
    step = state["progress"].get("step")
    line = f"{spec['kind']} {state['state']} ({_elapsed(state):.1f} s)" + (f": {step}" if step else "")
    if state["state"] == jobs.FAILED:
        line += f"\n{state['status']} {HTTPStatus(state['status']).phrase}: {state['error']['message']}"
    return line + "\n"


def _page(job: jobs.Job, spec: dict, state: dict, result: dict | None, accepted: bool) -> Response:
    """A browser's page: the form's own page with the outcome once there is one (the report of a
    validation, the summary of an import), else the job's page, which reloads itself until the job is over."""
    if result is not None and spec["kind"] == "validation":
        return Response(render_template("validate.html", formats=formats.RDF.values(), summary=result["body"], problem=None,
                                        text="", base=iris.base()), mimetype="text/html")
    if state["state"] == jobs.FAILED and spec["kind"] == "validation" and state["error"]["kind"] == "SubmissionSyntaxError":
        problem = state["error"]["details"] | {"detail": state["error"]["message"]}
        return Response(render_template("validate.html", formats=formats.RDF.values(), summary=None, problem=problem,
                                        text="", base=iris.base()), mimetype="text/html")
    if result is not None and spec["kind"] == "import":
        return Response(render_template("import.html", kinds=readers.KINDS.values(), outcome=_outcome(result["body"])),
                        mimetype="text/html")
    values = document(job, state, result)
    return Response(render_template("job.html", job=values, accepted=accepted, refresh=REFRESH_SECONDS,
                                    kept=f"{current_app.config['JOB_KEEP_SECONDS'] / 3600:g} hours",
                                    phrase=HTTPStatus(values["status"]).phrase if "status" in values else None),
                    mimetype="text/html")


def _outcome(summary: dict) -> dict:
    """What import.html shows, from the import's JSON summary."""
    return {"graph": summary["graph"], "unchanged": summary["result"] == "unchanged", "created": summary["result"] == "created",
            "triples": summary["triples"], "commit": None if summary["result"] == "unchanged" else summary["commit"],
            "documents": [{"name": d["file"], "kind": d["kind"], "triples": d["triples"], "sha256": d["sha256"]}
                          for d in summary["documents"]],
            "decisions": summary["matches"]}

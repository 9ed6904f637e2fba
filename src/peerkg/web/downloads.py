"""``/download/``: the dataset's files, written once per version and served with exact media types.

The files (``peerkg.exports``) are in ``<DATA_DIR>/downloads/<version>/``: whoever publishes a version
writes them (the CLI's build, ingest, import and revert; on the web, the job that commits, or the publish
job a commit in a request starts), and a request only reads their SHA256SUMS. While a job writes them, a
request waits for them a bounded time (``PUBLISH_WAIT``), then answers 503 with Retry-After; a version
nobody publishes (another program published it without them) gets them on its first request. They are
renamed into place whole: two workers racing both serve the complete set, and a half-written export is
never served. A file's ETag is its SHA-256.
"""

from __future__ import annotations

import time
from pathlib import Path
from threading import Lock

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for

from .. import exports, jobs
from ..errors import NotFound, NotReady, PeerkgError
from . import kg
from .negotiation import prefers

bp = Blueprint("downloads", __name__)

PUBLISH_WAIT = 15.0  # seconds a request waits for a publishing job (the seeds' version takes a few)
POLL_SECONDS = 0.25

_writing = Lock()


def listing() -> tuple[Path, list[exports.Export]]:
    """The export directory of the version served now, and its files; waited for while a job writes them
    (``NotReady`` past ``PUBLISH_WAIT``), written here when nobody does."""
    version = kg.version()
    cached = kg.cache().get(version, ("downloads",))
    if cached is None:
        directory = kg.products()
        if not (directory / exports.SUMS).is_file():
            _wait_for_publisher(directory, version)
        cached = (directory, exports.read(directory) if (directory / exports.SUMS).is_file() else _write(directory))
        kg.cache().put(version, ("downloads",), cached)
    return cached


def _wait_for_publisher(directory: Path, version: str) -> None:
    """Until the job publishing ``version`` has written its downloads, or is over, or ``PUBLISH_WAIT`` is
    up (then 503: writing them a second time in this request could take minutes). Once per request."""
    if g.get("peerkg_publishing") == version:
        raise NotReady(g.peerkg_publishing_message)
    box = jobs.Jobs(current_app.config["DATA_DIR"])
    deadline, checked = time.monotonic() + PUBLISH_WAIT, 0.0
    while not (directory / exports.SUMS).is_file():
        if time.monotonic() - checked >= 1.0:  # the job's state is a few files to read: not at every poll
            if box.publisher(version) is None:
                return
            checked = time.monotonic()
        if time.monotonic() >= deadline:
            g.peerkg_publishing, g.peerkg_publishing_message = version, (
                f"the downloads of version {version} are being written by the job that published it; they are "
                f"served as soon as they are complete: try again in {jobs.RETRY_AFTER} seconds")
            raise NotReady(g.peerkg_publishing_message, retry_after=jobs.RETRY_AFTER)
        time.sleep(POLL_SECONDS)


def _write(directory: Path) -> list[exports.Export]:
    """The export of a version published without one, by a program that did not write it."""
    try:
        with _writing:  # written in a query process: the web worker never opens a store itself
            files = kg.call("peerkg.exports:ensure", directory, kg.settings(), what="export",
                            timeout=current_app.config["EXPORT_TIMEOUT"])
    except OSError as error:
        raise PeerkgError(f"cannot write the downloads into {directory.parent}: {error.strerror}", status=503) from None
    exports.prune(Path(current_app.config["DATA_DIR"]), keep=kg.version())
    return files


def url(export: exports.Export) -> str:
    return url_for("downloads.file", path=export.path, _external=True)


@bp.get("/download/")
def index() -> Response:
    directory, files = listing()
    rows = [{"path": f.path, "url": url(f), "media_type": f.media_type, "size": f.size, "sha256": f.sha256} for f in files]
    if prefers("application/json", "text/html") == "text/html":
        response = Response(render_template("downloads.html", files=rows, version=directory.name))
    else:
        response = jsonify(version=directory.name, files=rows)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/download/<path:path>")
def file(path: str) -> Response:
    directory, files = listing()
    # Only names from the listing are served: "..", absolute paths and anything else are simply unknown.
    export = next((f for f in files if f.path == path), None)
    if export is None:
        raise NotFound(f"no file '{path}' in the downloads (see /download/)", details={"files": [f.path for f in files]})
    if _not_modified(export.sha256):
        response = Response(status=304)
    else:
        # Every text file of an export is UTF-8; other types take no charset parameter.
        charset = "; charset=utf-8" if export.media_type.startswith("text/") else ""
        response = Response((directory / export.path).read_bytes(), content_type=export.media_type + charset)
        if export.media_type == exports.GZIP:
            response.headers["Content-Disposition"] = f'attachment; filename="{export.path.rpartition("/")[2]}"'
    response.set_etag(export.sha256)
    response.headers["Cache-Control"] = "public, no-cache"
    return response


def _not_modified(tag: str) -> bool:
    """If-None-Match, also with the ':gzip' suffix the compressor puts on the validator of a gzipped body."""
    candidates = request.if_none_match
    return candidates.contains(tag) or any(str(c).startswith(f"{tag}:") for c in candidates.as_set()) or candidates.star_tag

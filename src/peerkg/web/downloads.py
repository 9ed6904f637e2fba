"""``/download/``: the dataset's files, written once per store version and served with exact media types.

The files (``peerkg.exports``) are written on the first request for a store version into
``<DATA_DIR>/downloads/<version>/``, renamed into place whole: two workers racing both serve the complete
set, and a half-written export is never served. Export directories of versions whose store is gone are
removed. A file's ETag is its SHA-256.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from threading import Lock

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from .. import exports, store
from ..errors import NotFound, PeerkgError
from . import kg
from .negotiation import prefers

bp = Blueprint("downloads", __name__)

DIRECTORY = "downloads"
STALE_STAGING_SECONDS = 3600  # a staging directory this old was left by a killed process
_writing = Lock()


def listing() -> tuple[Path, list[exports.Export]]:
    """The export directory of the version served now, and its files; written on first use."""
    version = kg.version()
    cached = kg.cache().get(version, ("downloads",))
    if cached is None:
        root = Path(current_app.config["DATA_DIR"]) / DIRECTORY
        try:
            with _writing:  # written in a query process: the web worker never opens a store itself
                files = kg.call("peerkg.exports:ensure", root / version, kg.settings(), what="export",
                                timeout=current_app.config["EXPORT_TIMEOUT"])
        except OSError as error:
            raise PeerkgError(f"cannot write the downloads into {root}: {error.strerror}", status=503) from None
        cached = (root / version, files)
        kg.cache().put(version, ("downloads",), cached)
        _prune(root, keep=version)
    return cached


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


def _prune(root: Path, keep: str) -> None:
    """Remove exports of versions no longer published, and staging left by killed processes (an
    embedded store keeps a few versions; of an engine's, only the current one is kept)."""
    stores = Path(current_app.config["DATA_DIR"]) / store.STORES
    for path in root.iterdir():
        if path.name.startswith("."):
            try:
                stale = time.time() - path.stat().st_mtime > STALE_STAGING_SECONDS
            except FileNotFoundError:  # renamed into place or removed by another worker meanwhile
                continue
            if stale:
                shutil.rmtree(path, ignore_errors=True)
        elif path.name != keep and not (stores / path.name).is_dir():
            shutil.rmtree(path, ignore_errors=True)

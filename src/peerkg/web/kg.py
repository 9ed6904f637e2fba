"""The store and the query executor of one app: opened on first use, closed with the app.

Like flaskr's ``db.py``. Each store version is a directory that is never written once published; the
``current`` link of the data directory names the version to read, and is looked up on every request so
that a new build or ingest is served at once, without restarting.
"""

from __future__ import annotations

import atexit
import hashlib
import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock

from flask import current_app, request

from .. import queries, store
from ..errors import PeerkgError
from ..executor import Executor, Job

CACHE_MAX_BODY = 512 * 1024


def store_path() -> Path:
    """The store directory to read now: ``--store DIR`` when given, else the data directory's current version."""
    path = path_for(current_app.config)
    if path is None:
        raise PeerkgError(
            f"no store in {current_app.config['DATA_DIR']}: run 'peerkg build' first", status=503, title="Service Unavailable"
        )
    return path


def path_for(config) -> Path | None:
    """The store directory an app with ``config`` reads now, or None when there is none yet."""
    fixed = config.get("STORE")
    if fixed:
        return Path(fixed)
    data_dir = Path(config["DATA_DIR"])
    try:
        # One readlink per request (the link is relative, "stores/<version>"): cheaper than resolve().
        return data_dir / os.readlink(store.current_path(data_dir))
    except OSError:
        return None


def version() -> str:
    return store_path().name


def per_version(name: str, build):
    """``build()``, made once per (store version, URL root) and kept in the app under ``name``: for
    descriptions and listings whose IRIs are the server's as the client reached it."""
    current = version()
    key = (current, request.url_root)
    cache = current_app.extensions.setdefault(name, {})
    if key not in cache:
        if any(cached_version != current for cached_version, _ in cache):
            cache.clear()
        cache[key] = build()
    return cache[key]


def executor() -> Executor:
    extensions = current_app.extensions
    if "peerkg.executor" not in extensions:
        config = current_app.config
        running = Executor(config["QUERY_TIMEOUT"], config["MAX_RESULT_BYTES"])
        atexit.register(running.close)
        extensions["peerkg.executor"] = running
    return extensions["peerkg.executor"]


class ResultCache:
    """Results by job: a store version never changes, so a job's bytes never go stale."""

    def __init__(self, entries: int):
        self.entries = entries
        self._entries: OrderedDict[Job, bytes] = OrderedDict()
        self._lock = Lock()

    def get(self, job: Job) -> bytes | None:
        with self._lock:
            body = self._entries.get(job)
            if body is not None:
                self._entries.move_to_end(job)
            return body

    def put(self, job: Job, body: bytes) -> None:
        if self.entries and len(body) <= CACHE_MAX_BODY:
            with self._lock:
                self._entries[job] = body
                if len(self._entries) > self.entries:
                    self._entries.popitem(last=False)


def run(job: Job) -> bytes:
    extensions = current_app.extensions
    if "peerkg.cache" not in extensions:
        extensions["peerkg.cache"] = ResultCache(current_app.config["RESULT_CACHE_ENTRIES"])
    cache = extensions["peerkg.cache"]
    body = cache.get(job)
    if body is None:
        body = executor().run(job)
        cache.put(job, body)
    return body


def etag(job: Job) -> str:
    """Derived from the store version, the query, its bindings, dataset and format."""
    return hashlib.sha256(repr(job).encode()).hexdigest()[:32]


def canned() -> dict[str, queries.CannedQuery]:
    extensions = current_app.extensions
    if "peerkg.queries" not in extensions:
        extensions["peerkg.queries"] = queries.load_all(Path(current_app.config["QUERIES_DIR"]))
    return extensions["peerkg.queries"]

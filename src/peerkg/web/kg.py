"""The store and the query executor of one app: opened on first use, closed with the app.

Like flaskr's ``db.py``. Each store version is a directory that is never written once published; the
``current`` link of the data directory names the version to read, and is looked up on every request so
that a new build or ingest is served at once, without restarting.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from threading import Lock

from flask import current_app, has_request_context, request

from .. import guard, queries, store
from ..errors import PeerkgError
from ..executor import Executor, Job, Limits
from .client_slots import ClientSlots

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
        running = Executor(Limits(config["QUERY_TIMEOUT"], config["MAX_RESULT_BYTES"], config["QUERY_MEMORY_BYTES"]),
                           size=config["QUERY_PROCESSES"])
        atexit.register(running.close)
        extensions["peerkg.executor"] = running
    return extensions["peerkg.executor"]


def warm(app) -> None:
    """Start a query process for ``app`` now, so that its first request does not wait for one."""
    with app.app_context():
        executor().warm()


def close(app) -> None:
    """Stop ``app``'s query processes (a worker that exits)."""
    running = getattr(app, "extensions", {}).get("peerkg.executor")
    if running is not None:
        running.close()


def slots() -> ClientSlots:
    extensions = current_app.extensions
    if "peerkg.slots" not in extensions:
        config = current_app.config
        directory = config["SLOTS_DIR"] or tempfile.mkdtemp(prefix="peerkg-slots-")
        extensions["peerkg.slots"] = ClientSlots(Path(directory), config["QUERIES_PER_CLIENT"])
    return extensions["peerkg.slots"]


class ResultCache:
    """Values by key, least recently used dropped first: a store version never changes, so a job's bytes
    (or a query's verdict) never go stale."""

    def __init__(self, entries: int, fits=lambda value: True):
        self.entries, self.fits = entries, fits
        self._entries: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        if self.entries and self.fits(value):
            with self._lock:
                self._entries[key] = value
                if len(self._entries) > self.entries:
                    self._entries.popitem(last=False)


def _cache(name: str, **options) -> ResultCache:
    extensions = current_app.extensions
    if name not in extensions:
        extensions[name] = ResultCache(current_app.config["RESULT_CACHE_ENTRIES"], **options)
    return extensions[name]


def run(job: Job) -> bytes:
    return _remembered("peerkg.cache", job, lambda: executor().run(job), fits=lambda body: len(body) <= CACHE_MAX_BODY)


def check(query: str) -> guard.Checked:
    """The guard's verdict on a client's query, read in a query process (bounded like the query itself)."""
    return _remembered("peerkg.verdicts", query, lambda: executor().check(query))


def _remembered(cache_name: str, key, compute, **options):
    """``compute()`` once per key (and store version: keys name it), run in one of the client's query slots."""
    cache = _cache(cache_name, **options)
    value = cache.get(key)
    if value is None:
        with slots().hold(_client()):
            value = compute()
        cache.put(key, value)
    return value


def _client() -> str | None:
    return request.remote_addr if has_request_context() else None


def etag(job: Job) -> str:
    """Derived from the store version, the query, its bindings, dataset and format."""
    return hashlib.sha256(repr(job).encode()).hexdigest()[:32]


def canned() -> dict[str, queries.CannedQuery]:
    extensions = current_app.extensions
    if "peerkg.queries" not in extensions:
        extensions["peerkg.queries"] = queries.load_all(Path(current_app.config["QUERIES_DIR"]))
    return extensions["peerkg.queries"]

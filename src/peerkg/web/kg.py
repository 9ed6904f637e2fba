"""The backend, the query processes and the cache of one app: made with the app, closed with it.

Like flaskr's ``db.py``. The app reads whatever backend its settings name (``backends.open``) and never a
path: views pass query text and bindings. The version served is read once per request (``Pinned``), so a
new build or commit is served at once, without restarting, and every query of one request sees the same
version.
"""

from __future__ import annotations

import atexit
import hashlib
import tempfile
from pathlib import Path

from flask import current_app, g, has_request_context, request

from .. import backends, exports, guard, queries
from ..backends import Limits, Query
from ..config import Settings
from ..errors import PeerkgError, Refused
from ..executor import Executor
from .cache import VersionCache
from .client_slots import ClientSlots

CACHE_MAX_BODY = 512 * 1024


def install(app) -> None:
    """Open the app's backend (nothing is read yet: gunicorn may fork after this) and its cache."""
    config = app.config
    # An embedded store is read in the confined query processes, never in the web worker itself.
    app.extensions["peerkg.backend"] = backends.open(settings_of(config), fixed_store=config.get("STORE"),
                                                     executor=lambda: executor_of(app))
    app.extensions["peerkg.cache"] = VersionCache(config["RESULT_CACHE_ENTRIES"], config["CACHE_BYTES"])


# The app's config keys for the backend settings of config.Settings.
BACKEND_KEYS = {"BACKEND": "backend", "BACKEND_UPDATE": "backend_update", "BACKEND_STORE": "backend_store",
                "BACKEND_USER": "backend_user", "BACKEND_PASSWORD": "backend_password"}


def backend_config(settings: Settings) -> dict:
    """The app config that names the backend of ``settings``."""
    return {key: getattr(settings, field) for key, field in BACKEND_KEYS.items()}


def settings_of(config) -> Settings:
    """The library's settings for an app's config (what its worker processes receive)."""
    return Settings(data_dir=Path(config["DATA_DIR"]), **{field: config.get(key) for key, field in BACKEND_KEYS.items()})


def settings() -> Settings:
    return settings_of(current_app.config)


def backend() -> backends.Backend:
    return current_app.extensions["peerkg.backend"]


def require_writable() -> None:
    if not backend().writable:
        raise Refused(f"this server writes nothing: it serves {backend().name} read-only (a fixed --store "
                      "directory, or an engine without --backend-update)")


def cache() -> VersionCache:
    return current_app.extensions["peerkg.cache"]


class Pinned:
    """WSGI middleware: each request reads one version throughout (the backend's pin)."""

    def __init__(self, app, backend: backends.Backend):
        self.app, self.backend = app, backend

    def __call__(self, environ, start_response):
        with self.backend.pinned():
            return self.app(environ, start_response)


def version() -> str:
    """The version this request reads; 503 when there is none yet."""
    current = backend().version()
    if current is None:
        raise PeerkgError(f"{backend().name} holds no graph yet: run 'peerkg build' first", status=503,
                          title="Service Unavailable")
    return current


def limits() -> Limits:
    config = current_app.config
    return Limits(config["QUERY_TIMEOUT"], config["MAX_RESULT_BYTES"], config["QUERY_MEMORY_BYTES"])


def per_version(name: str, build):
    """``build()``, made once per (version, URL root): for descriptions and listings whose IRIs are the
    server's as the client reached it."""
    current, key = version(), ("built", name, request.url_root)
    value = cache().get(current, key)
    if value is None:
        value = build()
        cache().put(current, key, value)
    return value


def products() -> Path:
    """Where what was made when this request's version was published lives: its download files, the
    dataset description's facts, the list of its resources."""
    return exports.location(Path(current_app.config["DATA_DIR"]), version())


def executor() -> Executor:
    return executor_of(current_app)


def executor_of(app) -> Executor:
    extensions = app.extensions
    if "peerkg.executor" not in extensions:
        config = app.config
        # A new process opens the published version before it says ready (an embedded store: the others
        # have no path), and takes the verdicts known before the fork (warmup.prepare).
        opens = getattr(extensions["peerkg.backend"], "path", None)
        running = Executor(Limits(config["QUERY_TIMEOUT"], config["MAX_RESULT_BYTES"], config["QUERY_MEMORY_BYTES"]),
                           size=config["QUERY_PROCESSES"], verdicts=extensions.get("peerkg.verdicts", ()), opens=opens)
        atexit.register(running.close)
        extensions["peerkg.executor"] = running
    return extensions["peerkg.executor"]


def call(function: str, *args, what: str, timeout: float | None = None):
    """``module:function(backend, *args)`` in a confined worker process (untrusted input)."""
    return executor().call(function, *args, what=what, timeout=timeout, backend=backend())


def warm(app) -> None:
    """Start a query process for ``app`` and wait until it is ready, so that its first request does not wait."""
    try:
        executor_of(app).start()
    except PeerkgError as error:  # the first request starts one instead
        app.logger.warning("%s", error.message)


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


def canned_query(name: str, result_format: str, bindings: tuple = ()) -> Query:
    return Query(canned()[name].text, result_format, bindings)


def run(query: Query) -> bytes:
    """The query's result in this request's version: kept in the cache, else run in one of the client's slots."""
    current, kept = version(), cache()
    body = kept.get(current, ("result", query))
    if body is None:
        body = _answered().pop(query, None)
        if body is None:
            with slots().hold(_client()):
                body = backend().query(query, limits())
        if len(body) <= CACHE_MAX_BODY:
            kept.put(current, ("result", query), body, len(body))
    return body


def check(text: str, formats: tuple[str | None, str | None] = (None, None), dataset=None) -> guard.Checked:
    """The guard's verdict on a client's query, read in a query process (bounded like the query itself).

    A text without a kept verdict is also run there, in the same trip, in ``formats[0]`` if it is a SELECT
    or ASK, ``formats[1]`` if a CONSTRUCT or DESCRIBE (None: not run): this request's ``run`` of that
    query (with ``dataset``) then takes the result instead of a second trip."""
    current, kept = version(), cache()
    verdict = kept.get(current, ("verdict", text))
    if verdict is None:
        with slots().hold(_client()):
            answered = backend().check_and_query(text, formats, dataset)
            verdict, body = answered if answered is not None else (executor().check(text), None)
        kept.put(current, ("verdict", text), verdict, len(text))
        if body is not None:
            _answered()[Query.checked(verdict, formats[verdict.graph_result], dataset=dataset)] = body
    return verdict


def _answered() -> dict:
    """Results this request's ``check`` brought back with a verdict, by query."""
    return g.setdefault("peerkg_answered", {}) if has_request_context() else {}


def _client() -> str | None:
    return request.remote_addr if has_request_context() else None


def etag(query: Query) -> str:
    """Derived from the version, the query, its bindings, dataset and format."""
    return hashlib.sha256(repr((version(), query)).encode()).hexdigest()[:32]


def canned() -> dict[str, queries.CannedQuery]:
    extensions = current_app.extensions
    if "peerkg.queries" not in extensions:
        extensions["peerkg.queries"] = queries.load_all(Path(current_app.config["QUERIES_DIR"]))
    return extensions["peerkg.queries"]

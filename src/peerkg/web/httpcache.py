"""Whole responses to repeated reads, kept per store version: a repeated query skips Flask entirely.

A store version never changes, so a response to the same request (method, path, query string and the
headers the response varies on) stays right until the version does. Measured in bench/: Python's
per-request overhead, not the engine, bounds small queries; this brings them to the bare-Flask ceiling.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from threading import Lock

CACHED_PREFIXES = ("/sparql", "/queries/", "/id/", "/graph/", "/ontology")
CACHED_STATUSES = ("200", "304")
# Request headers a response may vary on: Accept (negotiation), Accept-Encoding (gzip), If-None-Match
# (304), Host and the X-Forwarded-* headers a trusted proxy sets (absolute URLs in descriptions and listings).
KEY_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH", "HTTP_HOST", "HTTP_X_FORWARDED_PROTO",
               "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PREFIX")
MAX_BODY = 256 * 1024


class ResponseCache:
    def __init__(self, app: Callable, version: Callable[[], str | None], entries: int):
        self.app, self.version, self.entries = app, version, entries
        self._responses: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self._lock = Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.entries or environ["REQUEST_METHOD"] not in ("GET", "HEAD") or not environ.get("PATH_INFO", "").startswith(CACHED_PREFIXES):
            return self.app(environ, start_response)
        version = self.version()
        if version is None:
            return self.app(environ, start_response)
        key = (version, environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("QUERY_STRING", ""),
               *(environ.get(name) for name in KEY_HEADERS))
        with self._lock:
            hit = self._responses.get(key)
            if hit is not None:
                self._responses.move_to_end(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            return [body]
        return self._remember(key, environ, start_response)

    def _remember(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        if captured.get("status", "")[:3] in CACHED_STATUSES and len(body) <= MAX_BODY:
            with self._lock:
                self._responses[key] = (captured["status"], list(captured["headers"]), body)
                if len(self._responses) > self.entries:
                    self._responses.popitem(last=False)
        return [body]

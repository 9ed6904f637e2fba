"""Whole responses to repeated reads, kept per version in the app's cache: a repeated query skips Flask.

A store version never changes, so a response to the same request (method, path, query string and the
headers the response varies on) stays right until the version does. Measured in bench/: Python's
per-request overhead, not the engine, bounds small queries; this brings them to the bare-Flask ceiling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import PeerkgError
from .cache import VersionCache

CACHED_PREFIXES = ("/sparql", "/queries/", "/id/", "/graph/", "/ontology")
CACHED_STATUSES = ("200", "304")
# Request headers a response may vary on: Accept (negotiation), Accept-Encoding (gzip), If-None-Match
# (304), Host and the X-Forwarded-* headers a trusted proxy sets (absolute URLs in descriptions and listings).
KEY_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH", "HTTP_HOST", "HTTP_X_FORWARDED_PROTO",
               "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PREFIX")
MAX_BODY = 256 * 1024


class ResponseCache:
    def __init__(self, app: Callable, version: Callable[[], str | None], cache: VersionCache):
        self.app, self.version, self.cache = app, version, cache

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or not environ.get("PATH_INFO", "").startswith(CACHED_PREFIXES):
            return self.app(environ, start_response)
        try:
            version = self.version()
        except PeerkgError:  # the app answers with the backend's error
            version = None
        if version is None:
            return self.app(environ, start_response)
        key = ("response", environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("QUERY_STRING", ""),
               *(environ.get(name) for name in KEY_HEADERS))
        hit = self.cache.get(version, key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            return [body]
        return self._remember(version, key, environ, start_response)

    def _remember(self, version: str, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
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
            self.cache.put(version, key, (captured["status"], list(captured["headers"]), body), len(body))
        return [body]

"""CORS for reads: any origin may read, no origin may send credentials.

Written out rather than taken from flask-cors: its per-request matching cost a fifth of a small canned
query's time in the benchmark, and the policy here is a fixed handful of headers.
"""

from __future__ import annotations

from flask import Response, request

READ_PREFIXES = ("/sparql", "/queries", "/id/", "/graph/", "/ontology", "/download", "/dataset", "/.well-known/")
ALLOW_METHODS = "GET, HEAD, POST, OPTIONS"
ALLOW_HEADERS = "Accept, Content-Type, If-None-Match"
EXPOSE_HEADERS = "ETag, Content-Type, Link, Location"


def allow_reads(response: Response) -> Response:
    # Sent whether or not the request has an Origin: the response is the same for all, so no Vary: Origin.
    if not request.path.startswith(READ_PREFIXES):
        return response
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        headers["Access-Control-Max-Age"] = "86400"
    return response

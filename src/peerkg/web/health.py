"""``/health``: whether this server can answer, for load balancers and container orchestrators.

It names the version served and runs canned query ``health`` on the backend, past every cache,
so a ``200`` means a query ran just now. The body follows the IETF draft "Health Check Response Format for
HTTP APIs" (``application/health+json``: ``status`` is ``pass`` or ``fail``); a failure is a ``503``, which
is what load balancers act on.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response

from .. import __version__
from ..errors import PeerkgError
from ..backends import Query
from . import kg

bp = Blueprint("health", __name__)

MEDIA_TYPE = "application/health+json"


@bp.get("/health")
def check() -> Response:
    body = {"status": "pass", "version": __version__, "store": None, "queries": False}
    try:
        body["store"] = kg.version()
        kg.backend().query(Query(kg.canned()["health"].text, "json"), kg.limits())  # the backend, not the cache
        body["queries"] = True
    except PeerkgError as problem:
        body["status"], body["output"] = "fail", problem.message
    response = Response(json.dumps(body, indent=2) + "\n", 200 if body["queries"] else 503, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response

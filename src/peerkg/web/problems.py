"""One error shape: RFC 9457 ``application/problem+json``, or plain text for clients that ask for it."""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Response, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import PeerkgError
from . import pages


def from_http(error: HTTPException) -> Response:
    """Flask's own errors (404 for an unknown path, 405…) in the same shape."""
    response = render(PeerkgError(error.description or error.name, status=error.code, title=error.name))
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def document(error: PeerkgError, instance: str | None = None) -> dict:
    """The error as an RFC 9457 problem document (a job's failure is answered in it too, with the path it
    was submitted to as ``instance``)."""
    return {
        "type": "about:blank",
        # With type about:blank, RFC 9457 asks for the status's own phrase as title.
        "title": HTTPStatus(error.status).phrase,
        "status": error.status,
        "detail": error.message,
        "instance": instance or request.path,
        **error.details,
    }


def render(error: PeerkgError) -> Response:
    body = document(error)
    accept = request.accept_mimetypes
    choice = accept.best_match(["application/problem+json", "application/json", "text/plain", "text/html"]) if accept else None
    if choice == "text/html":
        response = Response(render_template("problem.html", problem=body, href=pages.href), error.status, mimetype="text/html")
    elif choice == "text/plain":
        response = Response(f"{body['status']} {body['title']}: {body['detail']}\n", error.status, mimetype="text/plain")
    else:
        response = Response(json.dumps(body, ensure_ascii=False, indent=2) + "\n", error.status, mimetype="application/problem+json")
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(getattr(error, "headers", {}))  # WWW-Authenticate on a 401
    response.vary.add("Accept")
    return response

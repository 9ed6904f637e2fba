"""The project's one exception family. Core modules raise these; the app and the CLI render them."""

from __future__ import annotations

import re


class PeerkgError(Exception):
    """An error a person can act on. ``status`` is the HTTP status it maps to."""

    status = 500
    title = "Internal error"

    def __init__(self, message: str, *, status: int | None = None, title: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title
        self.details = details or {}

    def with_details(self, **details) -> "PeerkgError":
        """This error with more members for its problem document."""
        self.details = {**self.details, **details}
        return self


class SeedError(PeerkgError):
    """A seed document does not read as its parser expects; names the file and line."""

    status = 422
    title = "Seed document not understood"

    def __init__(self, message: str, *, file: str, line: int | None = None):
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}", details={"file": file, "line": line})


class ValidationFailed(PeerkgError):
    """Triples violate the shapes; ``report`` holds the per-result details."""

    status = 422
    title = "SHACL validation failed"

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class UserInputError(PeerkgError):
    """Bad input from a user: an unreadable file, a bad option, a malformed query."""

    status = 400
    title = "Bad request"


class NotFound(PeerkgError):
    status = 404
    title = "Not found"


class Refused(PeerkgError):
    """A request the server will not carry out, whoever asks: an update at the query endpoint, SERVICE."""

    status = 403
    title = "Forbidden"


class NotAcceptable(PeerkgError):
    """Nothing the client accepts can represent the result."""

    status = 406
    title = "Not Acceptable"


class UnsupportedMediaType(PeerkgError):
    status = 415
    title = "Unsupported Media Type"


class ResultTooLarge(PeerkgError):
    """A result past the size cap: an error, never a result cut short."""

    status = 422
    title = "Result too large"


class QueryTimeout(PeerkgError):
    """A query stopped at the time limit."""

    status = 503
    title = "Query time limit reached"


class Unauthorized(PeerkgError):
    """No credentials, or credentials that match no token (RFC 6750: both are 401)."""

    status = 401
    title = "Unauthorized"

    def __init__(self, message: str, error: str | None = None):
        super().__init__(message)
        challenge = 'Bearer realm="peerkg"' + (f', error="{error}"' if error else "")
        self.headers = {"WWW-Authenticate": challenge}


class Conflict(PeerkgError):
    """A change that would break what is already there: removing a graph another graph depends on."""

    status = 409
    title = "Conflict"


_MESSAGE_PLACE = re.compile(r"(?:Parser error )?at line (\d+) column (\d+):?\s*")


class SubmissionSyntaxError(UserInputError):
    """The submitted text is not well-formed; ``details`` carry the file, line and column."""

    title = "RDF syntax error"

    def __init__(self, name: str, problem: SyntaxError):
        line, column = problem.lineno, problem.offset
        if line is None:
            place = _MESSAGE_PLACE.search(problem.msg or "")
            line, column = (int(place[1]), int(place[2])) if place else (None, None)
        reason = _MESSAGE_PLACE.sub("", problem.msg or str(problem)).strip()
        where = name + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason}", details={"file": name, "line": line, "column": column})


class LimitExceeded(PeerkgError):
    """Work stopped by a server limit other than time: memory, busy query processes, a parser's depth."""

    status = 503
    title = "Service Unavailable"


class TooManyRequests(PeerkgError):
    """A client with more queries in flight than its share."""

    status = 429
    title = "Too Many Requests"

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class NotReady(PeerkgError):
    """What is asked for is being made: a new version's downloads while the job that publishes it writes them."""

    status = 503
    title = "Service Unavailable"

    def __init__(self, message: str, retry_after: int = 10):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


def revive(kind: str, status: int, title: str, message: str, details: dict) -> PeerkgError:
    """An error raised in a worker process, rebuilt in the caller as its own class (they do not all pickle:
    their constructors take other arguments)."""
    cls = next((c for c in _all(PeerkgError) if c.__name__ == kind), PeerkgError)
    error = cls.__new__(cls)
    PeerkgError.__init__(error, message, status=status, title=title, details=details)
    return error


def _all(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _all(sub)


class EngineUnavailable(PeerkgError):
    """The SPARQL engine behind the app is down, refused the work, or answered something unreadable."""

    status = 502
    title = "Bad Gateway"


class EngineTimeout(PeerkgError):
    """The SPARQL engine behind the app gave no answer within the time limit."""

    status = 504
    title = "Gateway Timeout"


class ReadOnly(PeerkgError):
    """A write asked of a backend that takes none (a remote engine without an update URL)."""

    status = 405
    title = "Method Not Allowed"

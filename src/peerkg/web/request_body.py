"""Every request body read whole, within a size and a time limit, before any route sees it.

One reader for every route and every transfer encoding: a ``Content-Length`` over the limit is refused
unread; a chunked body is counted as it arrives and refused once it passes the limit; a body that stops
arriving (a ``Content-Length`` larger than what is sent, a client that drips) is refused when its time
is up. The route then reads an in-memory copy, so no handler can block on a client.
Refusals are raised in the app (``reject``), so they come in the one error shape.

The routes whose work may become a job (``JOB_ROUTES``, ``web/jobs.py``) take larger bodies, up to
``job_max_bytes``: past ``job_bytes`` a body is written to a file in the jobs' spool as it arrives (never
held in memory), named in the environ (``SPOOLED``) and removed after the request unless a job took it.
Such a body has ``seconds`` for each ``max_bytes`` it holds: the pace the limits of other bodies ask for.
"""

from __future__ import annotations

import io
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout

ERROR = "peerkg.body_error"
SPOOLED = "peerkg.spooled"  # in the environ: the path of a body kept on disk
CHUNK = 64 * 1024
# The routes whose work may become a job: their bodies may be large.
JOB_ROUTES = {("POST", "/validate"), ("POST", "/import"), ("PUT", "/store"), ("POST", "/store")}


class BodyReader:
    def __init__(self, app: Callable, max_bytes: int, seconds: float, *, job_bytes: int | None = None,
                 job_max_bytes: int | None = None, spool: Callable[[], Path] | None = None):
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds
        self.job_bytes, self.job_max_bytes, self.spool = job_bytes, job_max_bytes, spool

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = environ.get("CONTENT_LENGTH") or ""
        spooled = None
        if chunked or declared not in ("", "0"):
            for_job = self.spool is not None and (environ["REQUEST_METHOD"], environ.get("PATH_INFO")) in JOB_ROUTES
            try:
                body, size = self._read(environ, chunked, declared, for_job)
            except (BadRequest, RequestEntityTooLarge, RequestTimeout) as problem:
                environ[ERROR] = problem
                body, size = io.BytesIO(), 0
            if not isinstance(body, io.BytesIO):
                spooled = environ[SPOOLED] = body.name
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(size)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = True
        try:
            return self.app(environ, start_response)
        finally:
            if spooled is not None:  # the route has read the body, or moved it into a job
                environ["wsgi.input"].close()
                Path(spooled).unlink(missing_ok=True)

    def _read(self, environ: dict, chunked: bool, declared: str, for_job: bool):
        """The body, in memory or (``for_job``, past ``job_bytes``) in a spooled file, and its size."""
        limit = self.job_max_bytes if for_job else self.max_bytes
        if not chunked:
            if not declared.isdigit():
                raise BadRequest(f"Content-Length must be a number of bytes, got {declared[:40]!r}")
            if int(declared) > limit:
                raise RequestEntityTooLarge(self._too_large(for_job))
        expected = None if chunked else int(declared)
        stream, sock = environ["wsgi.input"], environ.get("gunicorn.socket")
        started = time.monotonic()
        parts, size, spooled = [], 0, None
        try:
            while expected is None or size < expected:
                remaining = started + self._seconds(max(size, expected or 0)) - time.monotonic()
                if remaining <= 0:
                    raise socket.timeout
                if sock is not None:
                    sock.settimeout(remaining)  # each receive waits at most until the deadline
                part = stream.read(min(CHUNK, (expected - size) if expected is not None else CHUNK))
                if not part:
                    break
                size += len(part)
                if size > limit:
                    raise RequestEntityTooLarge(self._too_large(for_job))
                if spooled is None and for_job and size > self.job_bytes:
                    spooled = tempfile.NamedTemporaryFile(dir=self.spool(), prefix="body-", delete=False)
                    spooled.writelines(parts)
                    parts = []
                if spooled is not None:
                    spooled.write(part)
                else:
                    parts.append(part)
        except (socket.timeout, TimeoutError):
            _discard(spooled)
            announced = f"{expected:,} bytes announced" if expected is not None else "chunked"
            raise RequestTimeout(f"the request body did not arrive within {self._seconds(max(size, expected or 0)):g} s "
                                 f"({announced}); send the whole body at once") from None
        except (OSError, ValueError) as problem:  # a broken chunked encoding, a connection reset
            _discard(spooled)
            raise BadRequest(f"the request body could not be read: {str(problem)[:200]}") from None
        except BaseException:
            _discard(spooled)
            raise
        finally:
            if sock is not None:
                sock.settimeout(None)
        if expected is not None and size < expected:
            _discard(spooled)
            raise BadRequest(f"the body ended after {size:,} of the {expected:,} bytes its Content-Length announced")
        if spooled is not None:
            spooled.flush()
            spooled.seek(0)
            return spooled, size
        return io.BytesIO(b"".join(parts)), size

    def _seconds(self, size: int) -> float:
        """The time a body of ``size`` bytes may take: ``seconds``, and as much again per ``max_bytes``."""
        return self.seconds * max(1.0, size / self.max_bytes)

    def _too_large(self, for_job: bool) -> str:
        if for_job:
            return (f"the request body is larger than the {self.job_max_bytes:,}-byte limit of a submission "
                    "(PEERKG_JOB_MAX_BYTES); split it, or load large data with 'peerkg ingest' on the server")
        return (f"the request body is larger than the {self.max_bytes:,}-byte limit (PEERKG_MAX_UPLOAD_BYTES); "
                "split the submission, or load large data with 'peerkg ingest' on the server")


def _discard(spooled) -> None:
    if spooled is not None:
        spooled.close()
        os.unlink(spooled.name)


def reject() -> None:
    """In the app, before any route: raise what the reader found wrong with the body."""
    from flask import request

    problem = request.environ.get(ERROR)
    if problem is not None:
        raise problem

"""Every request body read whole, within a size and a time limit, before any route sees it.

One reader for every route and every transfer encoding: a ``Content-Length`` over the limit is refused
unread; a chunked body is counted as it arrives and refused once it passes the limit; a body that stops
arriving (a ``Content-Length`` larger than what is sent, a client that drips) is refused when its time
is up. The route then reads an in-memory copy, so no handler can block on a client.
Refusals are raised in the app (``reject``), so they come in the one error shape.
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable, Iterable

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout

ERROR = "peerkg.body_error"
CHUNK = 64 * 1024


class BodyReader:
    def __init__(self, app: Callable, max_bytes: int, seconds: float):
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = environ.get("CONTENT_LENGTH") or ""
        if chunked or declared not in ("", "0"):
            try:
                body = self._read(environ, chunked, declared)
            except (BadRequest, RequestEntityTooLarge, RequestTimeout) as problem:
                environ[ERROR] = problem
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)

    def _read(self, environ: dict, chunked: bool, declared: str) -> bytes:
        if not chunked:
            if not declared.isdigit():
                raise BadRequest(f"Content-Length must be a number of bytes, got {declared[:40]!r}")
            if int(declared) > self.max_bytes:
                raise RequestEntityTooLarge(self._too_large())
        expected = None if chunked else int(declared)
        stream, sock = environ["wsgi.input"], environ.get("gunicorn.socket")
        deadline = time.monotonic() + self.seconds
        parts, size = [], 0
        try:
            while expected is None or size < expected:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise socket.timeout
                if sock is not None:
                    sock.settimeout(remaining)  # each receive waits at most until the deadline
                part = stream.read(min(CHUNK, (expected - size) if expected is not None else CHUNK))
                if not part:
                    break
                parts.append(part)
                size += len(part)
                if size > self.max_bytes:
                    raise RequestEntityTooLarge(self._too_large())
        except (socket.timeout, TimeoutError):
            announced = f"{expected:,} bytes announced" if expected is not None else "chunked"
            raise RequestTimeout(f"the request body did not arrive within {self.seconds:g} s ({announced}); "
                                 "send the whole body at once") from None
        except (OSError, ValueError) as problem:  # a broken chunked encoding, a connection reset
            raise BadRequest(f"the request body could not be read: {str(problem)[:200]}") from None
        finally:
            if sock is not None:
                sock.settimeout(None)
        if expected is not None and size < expected:
            raise BadRequest(f"the body ended after {size:,} of the {expected:,} bytes its Content-Length announced")
        return b"".join(parts)

    def _too_large(self) -> str:
        return (f"the request body is larger than the {self.max_bytes:,}-byte limit (PEERKG_MAX_UPLOAD_BYTES); "
                "split the submission, or load large data with 'peerkg ingest' on the server")


def reject() -> None:
    """In the app, before any route: raise what the reader found wrong with the body."""
    from flask import request

    problem = request.environ.get(ERROR)
    if problem is not None:
        raise problem

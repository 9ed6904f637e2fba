"""Run queries in a child process that can be killed: pyoxigraph cannot time out or cancel a query.

The web process sends (store path, query, bindings, dataset, format) over a pipe; the child opens the store
read-only, runs the query, serialises the result into at most ``max_bytes`` and sends the bytes back. When
the time limit passes first, the child is killed (SIGKILL) and a fresh one is started: the work really
stops, and the client gets a 503, never a truncated 200.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import threading
from dataclasses import dataclass

import pyoxigraph as ox

from . import formats, iris
from .errors import PeerkgError, QueryTimeout, ResultTooLarge, UserInputError

log = logging.getLogger(__name__)




@dataclass(frozen=True)
class Job:
    store_path: str
    query: str
    result_format: str  # a name in formats.RESULTS (SELECT, ASK) or formats.RDF (CONSTRUCT, DESCRIBE)
    substitutions: tuple = ()  # ((variable name, term), …)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default: bool = True  # False when the query names its own dataset (FROM / FROM NAMED)


class _Capped(io.RawIOBase):
    """A byte buffer that refuses to grow past its cap, so a huge result fails instead of being cut."""

    def __init__(self, cap: int):
        self.cap, self.buffer = cap, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(self.buffer) + len(data) > self.cap:
            raise OverflowError
        self.buffer += data
        return len(data)


def execute(store: ox.Store, job: Job, max_bytes: int) -> bytes:
    """Run ``job`` on ``store`` and serialise its result (used in the child, and directly in tests)."""
    dataset = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        # The protocol's dataset: with only named-graph-uri given, the default graph is empty (a list of none).
        dataset["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or ()]
        dataset["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    results = store.query(
        job.query,
        substitutions={ox.Variable(name): term for name, term in job.substitutions} or None,
        use_default_graph_as_union=job.union_default and not dataset,
        **dataset,
    )
    out = _Capped(max_bytes)
    try:
        if isinstance(results, ox.QueryTriples):
            options = {"prefixes": iris.PREFIXES} if job.result_format in ("turtle", "trig", "rdfxml") else {}
            ox.serialize(results, out, formats.RDF[job.result_format].oxigraph, **options)
        elif isinstance(results, ox.QueryBoolean):
            _boolean(results, job.result_format, out)
        else:
            results.serialize(out, formats.RESULTS[job.result_format].oxigraph)
    except OverflowError:
        raise ResultTooLarge(
            f"the result is larger than the {max_bytes:,}-byte limit; narrow the query or page it with LIMIT and OFFSET"
        ) from None
    return bytes(out.buffer)


def _boolean(result: ox.QueryBoolean, name: str, out: io.RawIOBase) -> None:
    if name in ("csv", "tsv"):
        # SPARQL 1.1 CSV/TSV define no boolean form; a one-cell table is what clients accept.
        end = "\r\n" if name == "csv" else "\n"  # CSV rows end in CRLF, TSV rows in LF
        header = "_askResult" if name == "csv" else "?_askResult"
        out.write(f"{header}{end}{'true' if bool(result) else 'false'}{end}".encode())
    else:
        result.serialize(out, formats.RESULTS[name].oxigraph)


def _child(connection, max_bytes: int) -> None:
    """The child's loop: one job at a time, the store reopened only when the published version changes."""
    store, opened = None, None
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        try:
            if job.store_path != opened:
                store, opened = None, None
                store, opened = ox.Store.read_only(job.store_path), job.store_path
            connection.send(("ok", execute(store, job, max_bytes)))
        except PeerkgError as error:
            connection.send(("error", error.status, error.title, error.message))
        except SyntaxError as error:
            connection.send(("error", 400, UserInputError.title, f"SPARQL syntax error: {error}"))
        except (OSError, ValueError, TypeError) as error:
            connection.send(("error", 500, PeerkgError.title, f"the query failed: {error}"))


class Executor:
    """One killable query child per web worker, started lazily; requests wait their turn."""

    def __init__(self, timeout: float, max_bytes: int):
        self.timeout, self.max_bytes = timeout, max_bytes
        self._context = multiprocessing.get_context("spawn")  # no fork of a process holding RocksDB threads
        self._lock = threading.Lock()
        self._process = None
        self._connection = None

    def run(self, job: Job) -> bytes:
        with self._lock:
            self._ensure()
            try:
                self._connection.send(job)
                if not self._connection.poll(self.timeout):
                    log.warning("query stopped at the %g-second limit: %.200s", self.timeout, job.query)
                    self._stop()
                    raise QueryTimeout(
                        f"the query ran past the {self.timeout:g}-second limit and was stopped; "
                        "narrow it (fewer variables unbound, a LIMIT) or ask for a canned query"
                    )
                answer = self._connection.recv()
            except (EOFError, BrokenPipeError, ConnectionResetError):
                self._stop()
                raise PeerkgError("the query process ended unexpectedly; try again", status=500) from None
        if answer[0] == "ok":
            return answer[1]
        _, status, title, message = answer
        raise PeerkgError(message, status=status, title=title)

    def _ensure(self) -> None:
        if self._process is None or not self._process.is_alive():
            parent, child = self._context.Pipe()
            self._process = self._context.Process(target=_child, args=(child, self.max_bytes), daemon=True, name="peerkg-query")
            self._process.start()
            child.close()
            self._connection = parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None

    def close(self) -> None:
        with self._lock:
            self._stop()

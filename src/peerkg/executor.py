"""A pool of confined worker processes that do a request's work: pyoxigraph cannot time out or cancel a query.

Each web worker keeps a pool of child processes, forked from a fork server that has imported what a child
needs (a new child is ready in milliseconds, not the seconds an import takes under load) and that never
opens a store (RocksDB's threads do not survive a fork). A child is confined at start (``sandbox.confine``: no network sockets, an address-space cap),
then answers one task at a time over a pipe: checking a query (the guard, so that the rdflib parse of a
huge query is bounded too), running one, checking and then running a client's new query in one trip (its
verdict comes back with the result), or calling a library function on untrusted input (parsing and
validating a submission). Each task has a time limit counted from the moment a ready child takes it;
past it the child is killed (SIGKILL), so the work really stops, and the caller gets a 503, never a
truncated 200. A child that dies (the memory cap, a parser crash) is replaced; the web worker never is.

The child re-checks every query it runs with the same guard: what the engine executes is always the
text the guard read, whatever the caller did.
"""

from __future__ import annotations

import importlib
import io
import logging
import math
import multiprocessing
import os
import select
import threading
import time
from dataclasses import dataclass

import pyoxigraph as ox

from . import formats, guard, iris, sandbox
from .backends import Limits, Query
from .errors import LimitExceeded, PeerkgError, QueryTimeout, ResultTooLarge, UserInputError, revive

log = logging.getLogger(__name__)

START_TIMEOUT = 120.0  # seconds a new child may take to import and report ready (not counted as query time)
# A task still running after this many seconds is a long one: its process yields the CPU to new tasks
# (niceness raised; it is not reused after, since only root could lower the niceness again).
DEMOTE_AFTER = 1.0
DEMOTED_NICENESS = 10


@dataclass(frozen=True)
class Job:
    """A query for a child to run on the embedded store version at ``store_path``."""

    store_path: str
    query: Query


@dataclass(frozen=True)
class Unchecked:
    """A client's query the guard has not read yet: the child checks it and, if it passes, runs it in the
    format for its form, in the one trip (a new text costs a round trip and an rdflib parse, not two)."""

    store_path: str
    text: str
    formats: tuple[str | None, str | None]  # for a table (SELECT, ASK), for a graph (CONSTRUCT, DESCRIBE); None: not run
    dataset: tuple | None = None  # (default graph IRIs, named graph IRIs) of the protocol, as Query.checked takes it


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


def execute(store: ox.Store, query: Query, max_bytes: int) -> bytes:
    """Run ``query`` on ``store`` and serialise its result (in the child, in the CLI, and in tests)."""
    checked = guard.check(query.text)  # the engine runs exactly the text the guard read
    dataset = {}
    if query.default_graphs is not None or query.named_graphs is not None:
        # The protocol's dataset: with only named-graph-uri given, the default graph is empty (a list of none).
        dataset["default_graph"] = [ox.NamedNode(g) for g in query.default_graphs or ()]
        dataset["named_graphs"] = [ox.NamedNode(g) for g in query.named_graphs or ()]
    results = store.query(
        checked.text,
        substitutions={ox.Variable(name): term for name, term in query.bindings} or None,
        use_default_graph_as_union=query.union_default and not checked.has_dataset and not dataset,
        **dataset,
    )
    try:
        return serialise(results, query.result_format, max_bytes)
    finally:
        # pyoxigraph's results must be freed on the thread that made them; the guard's parse leaves this
        # frame in reference cycles (pyparsing's exceptions), which the collector may free on any thread.
        del results


def check_and_execute(store: ox.Store, unchecked: Unchecked, max_bytes: int) -> tuple[guard.Checked, bytes | None]:
    """The guard's verdict on a client's query and, unless its form's format is None, its result."""
    checked = guard.check(unchecked.text)
    result_format = unchecked.formats[checked.graph_result]
    if result_format is None:
        return checked, None
    return checked, execute(store, Query.checked(checked, result_format, dataset=unchecked.dataset), max_bytes)


def serialise(results, result_format: str, max_bytes: int) -> bytes:
    """Query results (solutions, a boolean, or triples) in ``result_format``, at most ``max_bytes`` long."""
    out = _Capped(max_bytes)
    try:
        if isinstance(results, ox.QueryBoolean):
            _boolean(results, result_format, out)
        elif isinstance(results, ox.QuerySolutions):
            results.serialize(out, formats.RESULTS[result_format].oxigraph)
        else:  # triples: a CONSTRUCT's or DESCRIBE's
            options = {"prefixes": iris.PREFIXES} if result_format in ("turtle", "trig", "rdfxml") else {}
            ox.serialize(results, out, formats.RDF[result_format].oxigraph, **options)
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


def _child(connection, owner: int, limits: Limits, verdicts: tuple = (), store_path: str | None = None) -> None:
    """The child's loop: tie itself to ``owner``, confine, get ready, say so, then one task at a time; the
    store reopened only when the published version changes. Ready means what a first query would wait for
    is done: the verdicts the web worker knows taken, the parser's first parse made, the published version
    opened."""
    global _parent
    # ``owner`` is the process that asked for this child (a web worker, a job's process), not its parent:
    # the fork server is, and it outlives the owner while any child holds its keep-alive pipe, so
    # PR_SET_PDEATHSIG would leave a query running on after a SIGKILLed worker. A pidfd watch does not.
    # Confined first: the watch's thread then inherits the filter (a thread started before it would not).
    sandbox.confine(limits.memory_bytes)
    sandbox.die_with(owner)
    _parent = connection
    guard.remember(verdicts)
    guard.warm()
    store, opened = None, None
    if store_path is not None:
        try:
            store, opened = ox.Store.read_only(store_path), store_path
        except OSError:  # replaced meanwhile: the first query opens its own
            pass
    connection.send(("ready",))
    while True:
        try:
            task, *args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if task in ("query", "answer"):
                job = args[0]
                if job.store_path != opened:
                    store, opened = None, None
                    store, opened = ox.Store.read_only(job.store_path), job.store_path
                if task == "query":
                    connection.send(("ok", execute(store, job.query, limits.max_bytes)))
                else:
                    connection.send(("ok", check_and_execute(store, job, limits.max_bytes)))
            elif task == "check":
                connection.send(("ok", guard.check(args[0])))
            else:  # "call": a library function on untrusted input, named module:function
                module, _, name = args[0].partition(":")
                connection.send(("ok", getattr(importlib.import_module(module), name)(*args[1])))
        except PeerkgError as error:
            connection.send(("error", type(error).__name__, error.status, error.title, error.message, error.details))
        except SyntaxError as error:
            connection.send(("error", "UserInputError", 400, UserInputError.title, guard.excerpt(f"SPARQL syntax error: {error}"), {}))
        except MemoryError:
            connection.send(("error", "LimitExceeded", 503, LimitExceeded.title, _memory_message(limits), {}))
        except Exception as error:  # noqa: BLE001 - the child outlives any one task's failure
            if not isinstance(error, (OSError, ValueError)):
                log.exception("%s failed in the worker process", task)
            # Never the text of a remote answer: a short excerpt of the engine's own message.
            connection.send(("error", "PeerkgError", 500, PeerkgError.title, guard.excerpt(f"the {task} failed: {error}"), {}))


_parent = None  # in a child: the pipe to the web worker, which a Relay asks


class Relay:
    """A remote backend as a confined child sees it: the child may open no network socket, so each read
    or write is asked of the web worker over the task's pipe (``Executor.call(…, backend=)``), which
    runs it on the real backend. Only the writer lock is taken here: it is a file."""

    RELAYED = ("version", "quads_for_pattern", "named_graphs", "fingerprint", "publish", "change", "query")

    def __init__(self, data_dir, name: str, writable: bool):
        self.data_dir, self.name, self.writable = data_dir, name, writable
        self.reads_locally = False

    def __getattr__(self, method: str):
        if method not in self.RELAYED:
            raise AttributeError(method)

        def ask(*args, **options):
            _parent.send(("backend", method, args, options))
            answer = _parent.recv()
            if answer[0] == "ok":
                return answer[1]
            raise revive(*answer[1:])

        return ask

    def for_worker(self) -> "Relay":
        return self

    def writer(self):
        from . import store

        return store.writer(self.data_dir)

    def new_version(self) -> str:
        from . import store

        return store.version_name()

    def dump(self, format: ox.RdfFormat, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        from . import store

        return store.dump_quads(self.quads_for_pattern(None, None, None, graph), format, graph, prefixes)


def _memory_message(limits: Limits) -> str:
    cap = f"{limits.memory_bytes // sandbox.MiB:,} MB" if limits.memory_bytes else "available"
    return (f"the work needed more than the {cap} memory limit and was stopped; narrow the query (fewer "
            "results, no ORDER BY over large joins) or send a smaller document")


class _Worker:
    """One confined child and its pipe; the child dies with the process that started it (``_child``)."""

    def __init__(self, context, limits: Limits, verdicts: tuple = (), store_path: str | None = None):
        parent, child = context.Pipe()
        self.process = context.Process(target=_child, args=(child, os.getpid(), limits, verdicts, store_path), daemon=True,
                                       name="peerkg-worker")
        self.process.start()
        child.close()
        self.connection = parent
        if not parent.poll(START_TIMEOUT):
            self.stop()
            raise PeerkgError("a query process did not start in time; try again", status=503, title="Service Unavailable")
        try:
            parent.recv()  # ("ready",)
        except (EOFError, OSError):
            code = self.process.exitcode
            self.stop()
            raise PeerkgError(f"a query process could not start (exit {code}); see the server log", status=503) from None
        # Connection.poll makes, fills and closes a selector at every call: one poll object for the pipe's life.
        self._answers = select.poll()
        self._answers.register(parent.fileno(), select.POLLIN)

    def answered(self, seconds: float) -> bool:
        """Whether the child's answer (or the end of its pipe) is there to read, waiting at most ``seconds``."""
        return bool(self._answers.poll(math.ceil(seconds * 1000) if seconds > 0 else 0))

    demoted = False

    def demote(self) -> None:
        """Let this long task's process yield the CPU to others."""
        self.demoted = True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, DEMOTED_NICENESS)
        except OSError:
            pass

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


class Executor:
    """A pool of confined children per web worker: up to ``size`` tasks run at once, each in its own child,
    so a runaway query holds one child and one request thread, never the whole worker."""

    def __init__(self, limits: Limits, size: int = 4, verdicts: tuple = (), opens=None):
        """``verdicts``: the guard's, handed to each child (guard.remember); ``opens()``: the store version a
        new child opens before it says ready (None: none)."""
        self.limits, self.size, self.verdicts, self._opens = limits, size, verdicts, opens
        self._context = _context()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._ready = threading.Condition()
        self._closed = False
        self._warming = False

    @property
    def timeout(self) -> float:
        return self.limits.timeout

    def run(self, job: Job) -> bytes:
        """The serialised result of ``job``."""
        return self._task(("query", job), what="query")

    def check(self, query: str) -> guard.Checked:
        """The guard's verdict on ``query``, read in a child (the parse of a huge query is bounded too)."""
        return self._task(("check", query), what="query")

    def answer(self, unchecked: Unchecked) -> tuple[guard.Checked, bytes | None]:
        """The guard's verdict on a client's query and its result, from one task: bounded as one query,
        the parse included."""
        return self._task(("answer", unchecked), what="query")

    def call(self, function: str, *args, what: str = "work", timeout: float | None = None, backend=None):
        """``module:function(*args)`` in a confined child, bounded like a query (or by ``timeout``); its
        arguments and result must pickle. With ``backend``, the function gets it first, as the child may
        use it: an embedded store's location, or a Relay that asks this process."""
        if backend is not None:
            args = (backend.for_worker(), *args)
        return self._task(("call", function, args), what=what, timeout=timeout, backend=backend)

    def start(self) -> None:
        """A child started now, and idle once it is ready: a web worker's first, before it takes requests."""
        self._give_back(self._take(), healthy=True)

    def warm(self) -> None:
        """Start a child ahead of need, in the background, whenever a task takes the last idle child, so
        that the next request finds one ready instead of waiting for a start."""
        with self._ready:
            if self._warming or self._closed or len(self._idle) + self._busy >= self.size:
                return
            self._warming = True

        def start():
            try:
                worker = self._start_worker()
            except PeerkgError as error:
                log.warning("%s", error.message)
                return
            finally:
                with self._ready:
                    self._warming = False
            with self._ready:
                if self._closed or len(self._idle) + self._busy >= self.size:
                    worker.stop()
                else:
                    self._idle.append(worker)
                    self._ready.notify()

        threading.Thread(target=start, name="peerkg-warm", daemon=True).start()

    def _task(self, message: tuple, what: str, timeout: float | None = None, backend=None):
        timeout = timeout or self.limits.timeout
        worker = self._take()
        healthy = False
        try:
            started = time.monotonic()
            worker.connection.send(message)
            while True:
                answer = self._receive(worker, started, timeout, what, message)
                if answer[0] != "backend":
                    break
                worker.connection.send(_relayed(backend, *answer[1:]))
            healthy = True
        except (BrokenPipeError, ConnectionResetError):
            raise PeerkgError(f"the {what} process ended unexpectedly; try again", status=503, title="Service Unavailable") from None
        finally:
            self._give_back(worker, healthy)
        if answer[0] == "ok":
            return answer[1]
        raise revive(*answer[1:])

    def _receive(self, worker: _Worker, started: float, timeout: float, what: str, message: tuple):
        """The child's next message; past ``DEMOTE_AFTER`` its process is demoted, past ``timeout`` killed."""
        while True:
            now = time.monotonic()
            if now - started >= timeout:
                log.warning("%s stopped at the %g-second limit: %.200s", what, timeout, _describe(message))
                raise QueryTimeout(
                    f"the {what} ran past the {timeout:g}-second limit and was stopped; "
                    + ("narrow it (fewer variables unbound, a LIMIT) or ask for a canned query" if what == "query"
                       else "send a smaller document, or validate it with 'peerkg validate'")
                )
            wait = started + timeout - now if worker.demoted else max(started + DEMOTE_AFTER - now, 0)
            if worker.answered(min(wait, started + timeout - now)):
                try:
                    return worker.connection.recv()
                except (EOFError, OSError):
                    worker.process.join(1)
                    raise self._died(worker, what, time.monotonic() - started) from None
            if not worker.demoted and time.monotonic() - started >= DEMOTE_AFTER:
                worker.demote()

    def _died(self, worker: _Worker, what: str, seconds: float) -> PeerkgError:
        code = worker.process.exitcode
        log.warning("%s process died (exit %s) after %.2f s", what, code, seconds)
        cap = f"{self.limits.memory_bytes // sandbox.MiB:,} MB" if self.limits.memory_bytes else "available"
        return LimitExceeded(f"the {what} ended its process (exit {code}) before it could answer: it needed more "
                             f"than the {cap} memory limit, or its input is nested too deeply to read; simplify it")

    def _take(self) -> _Worker:
        with self._ready:
            while True:
                if self._closed:
                    raise PeerkgError("the server is stopping; try again", status=503, title="Service Unavailable")
                if self._idle:
                    self._busy += 1
                    worker = self._idle.pop()
                    if not self._idle:
                        self.warm()  # the condition's lock is re-entrant
                    return worker
                if self._busy + len(self._idle) < self.size:
                    self._busy += 1
                    break
                if not self._ready.wait(self.limits.timeout):
                    raise LimitExceeded(f"all {self.size} query processes of this worker stayed busy for "
                                        f"{self.limits.timeout:g} s; try again shortly")
        try:
            return self._start_worker()
        except BaseException:
            with self._ready:
                self._busy -= 1
                self._ready.notify()
            raise

    def _start_worker(self) -> _Worker:
        path = self._opens() if self._opens is not None else None
        return _Worker(self._context, self.limits, self.verdicts, None if path is None else str(path))

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if not healthy:
            worker.stop()
        with self._ready:
            self._busy -= 1
            if healthy and not self._closed and not worker.demoted:
                self._idle.append(worker)
            elif healthy:
                worker.stop()
            self._ready.notify()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            idle, self._idle = self._idle, []
            self._ready.notify_all()
        for worker in idle:
            worker.stop()


def _relayed(backend, method: str, args: tuple, options: dict) -> tuple:
    """A child's Relay request, answered with the real backend in this process."""
    if backend is None or method not in Relay.RELAYED:
        return ("error", "PeerkgError", 500, PeerkgError.title, f"no backend to answer {method!r} for this task", {})
    try:
        result = getattr(backend, method)(*args, **options)
        return ("ok", list(result) if method == "quads_for_pattern" else result)
    except PeerkgError as error:
        return ("error", type(error).__name__, error.status, error.title, error.message, error.details)


def _describe(message: tuple) -> str:
    """What a task was about, for the log: a query's text, or the function a call ran."""
    task, subject = message[0], message[1]
    if task == "query":
        return subject.query.text
    return subject.text if task == "answer" else subject


def _context():
    """Forks from a server process that has only imported modules: no store open, no threads."""
    context = multiprocessing.get_context("forkserver")
    # peerkg.cli too: every child runs the main module again as it starts (the peerkg command, or python -m
    # peerkg.cli), and the command's imports took 35 ms of each start.
    context.set_forkserver_preload(["peerkg.executor", "peerkg.curation.check", "peerkg.curation.commit", "peerkg.exports",
                                    "peerkg.cli"])
    return context

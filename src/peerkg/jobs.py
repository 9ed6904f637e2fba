"""Jobs: work submitted on the web that may outlast a request (a large validation, import or commit, and
writing a new version's downloads), each run by a process of its own (``job_process``) and kept as files.

In ``<DATA_DIR>/jobs/``::

    <id>/job.json         what to do: kind, arguments, documents, curator (written once, at submission)
    <id>/state.json       queued | running | done | failed, times, the job process's pid (replaced whole)
    <id>/progress.json    the step the work is at, with counts where the work reports them (replaced whole)
    <id>/heartbeat        touched every few seconds while the job's process lives
    <id>/worker           the pid of the confined process doing its work (for operators)
    <id>/document-<n>     the submitted documents, as they arrived
    <id>/result.json      the answer: the synchronous request's status and JSON, and files for other types
    slots/<n>             flock-ed by each running client job: at most PEERKG_JOBS across the server's workers
    publish.lock          flock-ed by the job writing a version's downloads: one at a time
    publishing/<version>  the id of the job that writes that version's downloads
    spool/                request bodies too large to keep in memory, as they arrive

A flock is released by the kernel when its holder dies, even by SIGKILL, so a dead job holds no slot; a
job whose process is gone while its state says queued or running is failed by whoever reads it (503).
Ids are ``secrets.token_urlsafe(32)``: 256 random bits, so a status URL cannot be guessed.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import NotFound, PeerkgError, TooManyRequests, revive

log = logging.getLogger(__name__)

DIRECTORY = "jobs"  # in the data directory
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)
# What a job does, and what it is called in messages (the executor's "what").
KINDS = {"validation": "validation", "import": "import", "commit": "commit", "publish": "export"}
ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 30.0  # a running job's heartbeat older than this: its process is frozen, or not the job's
START_SECONDS = 60.0  # a queued job whose process has not beaten after this long will not start
SPOOL_STALE_SECONDS = 3600.0  # a spooled body this old was left by a killed worker
RETRY_AFTER = 10  # seconds, when every job slot is taken
# What is left of the store when a job's process ended before it finished, by kind.
LEFT = {
    "validation": "nothing was written",
    "import": "a commit is all or nothing: the store holds the graph as it was, or the whole commit if it was made "
              "(see /queries/curated_graphs)",
    "commit": "a commit is all or nothing: the store holds the graph as it was, or the whole commit if it was made "
              "(see /queries/curated_graphs)",
    "publish": "the downloads of the version are written by the next request for them",
}


def location(data_dir) -> Path:
    return Path(data_dir) / DIRECTORY


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def seconds_since(stamp: str) -> float:
    return (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(stamp)).total_seconds()


def _read(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if default is None:
            raise
        return default


def _write(path: Path, value) -> None:
    """Replace ``path`` whole: a reader sees the old content or the new, never half."""
    staged = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    staged.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(staged, path)


def error_record(error: PeerkgError) -> dict:
    """A PeerkgError as a job keeps it (``revive`` makes it an error again)."""
    return {"kind": type(error).__name__, "status": error.status, "title": error.title, "message": error.message,
            "details": error.details}


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (in clock ticks since boot), or None if it is gone or a zombie: with the
    pid, it names one process, whatever pid reuse does."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name in parentheses may hold spaces
    return None if fields[0] in ("Z", "X") else fields[19]


class Job:
    """One job's directory."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.id = self.directory.name

    @property
    def spec(self) -> dict:
        return _read(self.directory / "job.json")

    def document(self, index: int) -> Path:
        return self.directory / f"document-{index}"

    def state(self) -> dict:
        """The job's state and progress; a job whose process is gone is failed first (503)."""
        state = _read(self.directory / "state.json")
        if state["state"] not in FINISHED:
            gone = self._gone(state)
            if gone:
                # The process is gone: what it wrote last is all it will write.
                state = _read(self.directory / "state.json")
                if state["state"] not in FINISHED:
                    self.fail(self.gone_error(gone))
                    state = _read(self.directory / "state.json")
        return state | {"progress": _read(self.directory / "progress.json", {})}

    def _gone(self, state: dict) -> str | None:
        """Why the job's process is known to be gone, or None while it may still run."""
        beat = self._since_heartbeat()
        pid = state.get("pid")
        if pid is None:
            return "did not start" if beat > START_SECONDS else None
        if process_start(pid) != state.get("pid_start"):
            return "ended"
        if beat > STALE_SECONDS:
            os.kill(pid, signal.SIGKILL)  # alive but silent: stopped, so that it cannot finish after it is failed
            return f"sent no heartbeat for {beat:.0f} s"
        return None

    def _since_heartbeat(self) -> float:
        try:
            return time.time() - (self.directory / "heartbeat").stat().st_mtime
        except FileNotFoundError:
            return float("inf")

    def beat(self) -> None:
        (self.directory / "heartbeat").touch()

    def update(self, **fields) -> None:
        _write(self.directory / "state.json", _read(self.directory / "state.json") | fields)

    def progress(self, step: str, **counts) -> None:
        """What the work is doing now, for the status page (written by the job's processes)."""
        _write(self.directory / "progress.json", {"step": step, **counts})

    def worker(self, pid: int) -> None:
        (self.directory / "worker").write_text(str(pid), encoding="ascii")

    def started(self, pid: int) -> None:
        self.update(state=RUNNING, started=now(), pid=pid, pid_start=process_start(pid))
        self.beat()

    def finish(self, result: dict) -> None:
        _write(self.directory / "result.json", result)
        self.update(state=DONE, finished=now(), status=result["status"])

    def fail(self, error: PeerkgError) -> None:
        self.update(state=FAILED, finished=now(), status=error.status, error=error_record(error))

    def result(self) -> dict:
        return _read(self.directory / "result.json")

    def error(self) -> PeerkgError:
        record = _read(self.directory / "state.json")["error"]
        return revive(record["kind"], record["status"], record["title"], record["message"], record["details"])

    def gone_error(self, how: str) -> PeerkgError:
        return PeerkgError(f"the job's process {how} before the job was done (it was killed, ran out of memory or the "
                           f"server stopped); {LEFT[self.spec['kind']]}. Submit it again.", status=503,
                           title="Service Unavailable")

    def ended(self, code: int) -> None:
        """Its process exited with ``code``: fail the job if the process did not say how it ended."""
        if _read(self.directory / "state.json")["state"] not in FINISHED:
            how = f"was killed by signal {-code}" if code < 0 else f"ended with exit code {code}"
            self.fail(self.gone_error(how))


class Jobs:
    """The jobs of one data directory."""

    def __init__(self, data_dir):
        self.root = location(data_dir)

    def create(self, kind: str, args: dict, limits: dict, *, curator: str | None = None, documents: tuple[str, ...] = (),
               token_needed: bool = False) -> Job:
        """A queued job (its documents are then written with ``Job.document``), run within ``limits``
        (``timeout``, ``max_bytes``, ``memory_bytes``); ``token_needed``: reading it needs the token of
        ``curator``, who submitted it."""
        assert kind in KINDS
        job = Job(self.root / secrets.token_urlsafe(32))
        job.directory.mkdir(parents=True, mode=0o700)
        _write(job.directory / "job.json", {"kind": kind, "args": args, "limits": limits, "curator": curator,
                                            "documents": list(documents), "token_needed": token_needed})
        _write(job.directory / "state.json", {"state": QUEUED, "submitted": now()})
        job.beat()
        return job

    def get(self, job_id: str) -> Job:
        job = Job(self.root / job_id)
        if not ID.fullmatch(job_id) or not (job.directory / "state.json").is_file():
            raise NotFound(f"there is no job {job_id[:60]} on this server: a job's status URL is the Location of the "
                           "202 answer that started it, and a finished job is kept for PEERKG_JOB_KEEP_SECONDS, then "
                           "removed; submit the work again")
        return job

    def spool(self) -> Path:
        directory = self.root / "spool"
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def take_slot(self, limit: int) -> int:
        """A locked slot file's descriptor, for the job process to hold while it runs; 429 when all are taken."""
        directory = self.root / "slots"
        directory.mkdir(parents=True, exist_ok=True)
        for number in range(limit):
            descriptor = os.open(directory / str(number), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            return descriptor
        raise TooManyRequests(f"{limit} job{'s are' if limit != 1 else ' is'} running on this server, its limit "
                              f"(PEERKG_JOBS); try again in {RETRY_AFTER} seconds", retry_after=RETRY_AFTER)

    @contextmanager
    def publishing(self):
        """Held while a version's downloads are written: one writer at a time, the others wait."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "publish.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def publisher(self, version: str) -> Job | None:
        """The job that is writing ``version``'s downloads, if it still may."""
        try:
            job = self.get((self.root / "publishing" / version).read_text(encoding="utf-8").strip())
        except (OSError, NotFound):
            return None
        return job if job.state()["state"] not in FINISHED else None

    def prune(self, keep_seconds: float) -> None:
        """Remove jobs finished more than ``keep_seconds`` ago, spooled bodies left by killed workers, and
        markers of publishers that are done."""
        for path in self.root.iterdir() if self.root.is_dir() else ():
            if not ID.fullmatch(path.name):
                continue
            try:
                state = Job(path).state()
            except (OSError, ValueError):  # being created or removed by another process
                continue
            if state["state"] in FINISHED and seconds_since(state["finished"]) > keep_seconds:
                shutil.rmtree(path, ignore_errors=True)
        for folder, stale in (("spool", SPOOL_STALE_SECONDS), ("publishing", START_SECONDS)):
            for path in (self.root / folder).iterdir() if (self.root / folder).is_dir() else ():
                try:
                    old = time.time() - path.stat().st_mtime > stale
                except FileNotFoundError:
                    continue
                if old and (folder == "spool" or self.publisher(path.name) is None):
                    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Announce:
    """Called by a commit with the version it is about to publish, just before it does (so it pickles into
    the process that commits): from then on, readers of that version wait for job ``job_id`` to write its
    downloads rather than writing them in a request themselves."""

    data_dir: str
    job_id: str

    def __call__(self, version: str) -> None:
        folder = location(self.data_dir) / "publishing"
        folder.mkdir(parents=True, exist_ok=True)
        Job(location(self.data_dir) / self.job_id).beat()  # alive from now until its process starts
        (folder / f".{version}.{os.getpid()}").write_text(self.job_id, encoding="utf-8")
        os.replace(folder / f".{version}.{os.getpid()}", folder / version)


class Launcher:
    """Starts job processes, and reaps them, from one thread of the web worker that lives as long as the
    worker: the kernel's PR_SET_PDEATHSIG fires when the *thread* that started a process ends, and request
    threads may end (Flask's development server has one per request)."""

    def __init__(self):
        self._requests: queue.Queue = queue.Queue()
        self._running: list[tuple[subprocess.Popen, Job]] = []
        self._thread: threading.Thread | None = None
        self._owner = None
        self._lock = threading.Lock()

    def start(self, job: Job, env: dict, slot: int | None = None) -> int:
        """Start ``job``'s process (holding the locked ``slot``, which the caller then closes); its pid."""
        with self._lock:
            if self._thread is None or self._owner != os.getpid() or not self._thread.is_alive():
                self._thread, self._owner = threading.Thread(target=self._loop, name="peerkg-jobs", daemon=True), os.getpid()
                self._thread.start()
        started: Future = Future()
        self._requests.put((job, env, slot, started))
        return started.result(timeout=60)

    def _loop(self) -> None:
        while True:
            try:
                job, env, slot, started = self._requests.get(timeout=0.5)
            except queue.Empty:
                pass
            else:
                try:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "peerkg.job_process", str(job.directory), str(os.getpid()),
                         *(() if slot is None else (str(slot),))],
                        env=env, stdin=subprocess.DEVNULL, pass_fds=() if slot is None else (slot,))
                except BaseException as error:  # noqa: BLE001 - the caller answers it; this thread goes on
                    started.set_exception(error)
                else:
                    self._running.append((process, job))
                    started.set_result(process.pid)
            for process, job in list(self._running):
                code = process.poll()  # reaps it, so no zombie is left
                if code is not None:
                    self._running.remove((process, job))
                    if code != 0:
                        try:
                            job.ended(code)
                        except OSError:  # pruned meanwhile
                            pass


launcher = Launcher()

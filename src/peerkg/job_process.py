"""The process that runs one job: ``python -m peerkg.job_process <job directory> <parent pid> [<slot>]``.

A web worker starts it (``jobs.Launcher``), and it dies with that worker (PR_SET_PDEATHSIG). It keeps the
job's state and heartbeat, and hands the work itself to a confined worker process of its own (``executor``:
no network socket, the memory cap, killed at the time limit), which reads the job's documents from its
directory and dies with it too (as every executor process dies with the process that asked for it). It
opens no store itself: with an engine as the backend it answers the confined process's reads and writes
(``executor.Relay``), as a web worker does.

A job that commits ends by writing the new version's downloads and what its pages read (``exports.publish``):
it is done when the version is fully published. A ``publish`` job does only that, for a commit made in a
request; publishers take turns (``Jobs.publishing``), and none takes a client's job slot.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from . import backends, exports, jobs, sandbox
from .backends import Limits
from .config import Settings
from .errors import PeerkgError, SeedError, UserInputError

log = logging.getLogger(__name__)

BACKSTOP_SECONDS = 60  # past the job's time limit, the process ends itself whatever the work does


def main(argv: list[str]) -> int:
    directory, parent = Path(argv[0]), int(argv[1])
    slot = [int(argv[2])] if len(argv) > 2 else []  # the locked slot file it inherited (jobs.Jobs.take_slot)
    sandbox.die_with_parent(parent)
    job = jobs.Job(directory)
    spec = job.spec
    logging.basicConfig(level=logging.INFO, format=f"job {job.id[:8]} ({spec['kind']}): %(message)s", stream=sys.stderr)
    limits = Limits(spec["limits"]["timeout"], spec["limits"]["max_bytes"], spec["limits"]["memory_bytes"])
    if limits.memory_bytes:  # inherited by its confined process, which caps itself at the same
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    signal.alarm(int(limits.timeout) + BACKSTOP_SECONDS)  # SIGALRM ends it: readers then fail the job (503)
    job.started(os.getpid())
    threading.Thread(target=_beat, args=(job,), name="peerkg-heartbeat", daemon=True).start()
    settings = Settings()
    backend = backends.open(settings, fixed_store=os.environ.get("PEERKG_STORE") or None)
    from .executor import Executor  # here: it starts no fork server until a task needs one

    executor = Executor(limits, size=1)
    deadline = time.monotonic() + limits.timeout
    try:
        result = None
        if spec["kind"] != "publish":
            job.progress("starting a confined worker process")
            result = executor.call("peerkg.job_process:work", str(directory), settings,
                                   what=jobs.KINDS[spec["kind"]], timeout=limits.timeout, backend=backend)
        if spec["kind"] == "publish":
            published = _publish(job, executor, backend, settings, deadline)
            result = {"status": 200, "body": published, "published": published["version"]}
        elif result.get("version"):
            try:
                result["published"] = _publish(job, executor, backend, settings, deadline)["version"]
            except PeerkgError as error:  # the commit stands: its downloads are written by the first request
                log.warning("the downloads of version %s were not written: %s", result["version"], error.message)
                result["unpublished"] = error.message
        _release(slot)
        job.finish(result)
    except PeerkgError as error:
        _release(slot)
        job.fail(error)
    except Exception as error:  # noqa: BLE001 - the job fails with a message; the server log has the trace
        log.exception("the job failed")
        _release(slot)
        job.fail(PeerkgError(f"the job failed: {str(error)[:200]}"))
    finally:
        executor.close()
    return 0


def _release(slot: list[int]) -> None:
    """Free the job's slot before its outcome is written: a client told it is done may start the next."""
    while slot:
        os.close(slot.pop())


def _beat(job: jobs.Job) -> None:
    while True:
        job.beat()
        time.sleep(jobs.HEARTBEAT_SECONDS)


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 1.0)


def _publish(job: jobs.Job, executor, backend, settings: Settings, deadline: float) -> dict:
    job.progress("waiting for another job to finish writing downloads")
    with jobs.Jobs(settings.data_dir).publishing():
        # One version throughout: a commit landing meanwhile is published by its own job.
        with backend.pinned():
            return executor.call("peerkg.job_process:publish", str(job.directory), settings, what="export",
                                 timeout=_left(deadline), backend=backend)


# --- In the confined worker process ------------------------------------------------------------------------


def work(backend, directory: str, settings: Settings) -> dict:
    """The job's work on its documents; the answer ``result.json`` keeps. It dies with the job's process."""
    job = jobs.Job(Path(directory))
    job.worker(os.getpid())
    spec = job.spec
    with _reporting(job):
        return WORK[spec["kind"]](backend, job, spec, settings)


def publish(backend, directory: str, settings: Settings) -> dict:
    """The downloads of the version published now, and what its pages read. It dies with the job's process."""
    job = jobs.Job(Path(directory))
    job.worker(os.getpid())
    with _reporting(job), backend.pinned() if hasattr(backend, "pinned") else nullcontext():
        files = exports.publish(backend, settings)
        return {"version": backend.version(), "files": [f.path for f in files]}


def _validate(backend, job: jobs.Job, spec: dict, settings: Settings) -> dict:
    from .curation import check, report

    args = spec["args"]
    summary, w3c = check.validate_document(backend, job.document(0).read_bytes(), args["format"], args["name"], settings)
    (job.directory / "report.ttl").write_text(w3c, encoding="utf-8")
    (job.directory / "report.txt").write_text(report.text(summary), encoding="utf-8")
    return {"status": 200, "body": summary, "files": {"text/turtle": "report.ttl", "text/plain": "report.txt"}}


def _import(backend, job: jobs.Job, spec: dict, settings: Settings) -> dict:
    from .curation import imports

    args = spec["args"]
    files = [(name, job.document(index).read_bytes()) for index, name in enumerate(spec["documents"])]
    try:
        outcome = imports.import_documents(backend, settings, files, args["kind"], args["graph"], args["dry_run"],
                                           args["format"], spec["curator"], announce=jobs.Announce(str(settings.data_dir), job.id))
    except SeedError as unreadable:  # the reader's complaint about the file, as POST /import answers it
        raise UserInputError(unreadable.message, details=unreadable.details) from None
    result = {"status": 201 if outcome.created else 200, "body": imports.summary(outcome), "version": outcome.version}
    if outcome.created:
        result["graph"] = outcome.graph
    if outcome.data is not None:
        (job.directory / "data").write_bytes(outcome.data)
        result["files"] = {args["media_type"]: "data"}
    return result


def _commit(backend, job: jobs.Job, spec: dict, settings: Settings) -> dict:
    from .curation import commit

    args = spec["args"]
    operation = commit.Operation(args["operation"])
    data = job.document(0).read_bytes() if spec["documents"] else None
    done = commit.commit_document(backend, settings, operation, args["graph"], data, args["format"], args["name"],
                                  spec["curator"], args["exclusive"], announce=jobs.Announce(str(settings.data_dir), job.id))
    created = done.created and operation is not commit.Operation.DELETE
    result = {"status": 201 if created else 204, "commit": done.iri, "version": done.version,
              "body": {"graph": done.graph, "commit": done.iri, "triples": done.triples}}
    if created:
        result["graph"] = done.graph
    return result


WORK = {"validation": _validate, "import": _import, "commit": _commit}


@contextmanager
def _reporting(job: jobs.Job):
    """The work's log lines (``reading library.ris (3,101 bytes) as ris``, ``writing peerkg.nq``…) as the
    job's progress, with the counts a line carries (``extra={"counts": {"triples": 30000}}``), kept from
    step to step."""
    counts: dict = {}

    class Progress(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            counts.update(getattr(record, "counts", {}))
            try:
                job.progress(record.getMessage().strip()[:300], **counts)
            except OSError:
                pass

    handler, logger = Progress(logging.INFO), logging.getLogger("peerkg")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

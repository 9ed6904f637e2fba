"""Job records on disk (``peerkg.jobs``): states, slots shared by processes, processes that die, pruning,
the publishers of versions; the job process itself on a real store; and the body reader's spool."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from peerkg import jobs
from peerkg.errors import NotFound, TooManyRequests
from peerkg.web import request_body

from test_curation import EXAMPLE, broken

LIMITS = {"timeout": 60.0, "max_bytes": 2**30, "memory_bytes": None}


@pytest.fixture
def box(tmp_path) -> jobs.Jobs:
    return jobs.Jobs(tmp_path / "data")


def finished(job: jobs.Job, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while (state := job.state())["state"] not in jobs.FINISHED:
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    return state


def test_a_job_is_created_queued_with_an_unguessable_id(box):
    job = box.create("validation", {"format": "turtle", "name": "x.ttl"}, LIMITS, documents=("x.ttl",))
    assert jobs.ID.fullmatch(job.id) and len(job.id) == 43
    state = job.state()
    assert (state["state"], state["progress"]) == ("queued", {})
    assert box.get(job.id).spec == {"kind": "validation", "args": {"format": "turtle", "name": "x.ttl"}, "limits": LIMITS,
                                    "curator": None, "documents": ["x.ttl"], "token_needed": False}
    assert box.create("validation", {}, LIMITS).id != job.id


@pytest.mark.parametrize("job_id", ["A" * 43, "../../etc", "", "A" * 42 + "/"])
def test_an_unknown_or_malformed_id_is_not_found(box, job_id):
    with pytest.raises(NotFound, match="no job"):
        box.get(job_id)


def test_states_progress_and_outcomes(box):
    job = box.create("commit", {}, LIMITS)
    job.started(os.getpid())
    job.progress("validating 30 triples in context")
    state = job.state()
    assert (state["state"], state["pid"], state["progress"]) == ("running", os.getpid(), {"step": "validating 30 triples in context"})
    job.finish({"status": 201, "body": {"triples": 30}})
    assert (job.state()["state"], job.state()["status"], job.result()["body"]) == ("done", 201, {"triples": 30})
    failed = box.create("commit", {}, LIMITS)
    failed.fail(TooManyRequests("busy"))
    error = failed.error()
    assert (type(error), error.status, error.message, failed.state()["status"]) == (TooManyRequests, 429, "busy", 429)


def test_a_job_whose_process_is_gone_is_failed_with_503(box):
    job = box.create("import", {}, LIMITS)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    job.update(state=jobs.RUNNING, pid=ended.pid, pid_start="1")  # whatever runs under that pid now is not it
    state = job.state()
    assert (state["state"], state["status"]) == ("failed", 503)
    assert "ended before the job was done" in state["error"]["message"] and "all or nothing" in state["error"]["message"]


def test_a_zombie_counts_as_gone_and_a_live_process_as_running(box):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        job = box.create("validation", {}, LIMITS)
        job.started(sleeper.pid)
        assert job.state()["state"] == "running"
        sleeper.kill()
        time.sleep(0.2)  # not reaped yet: a zombie
        assert jobs.process_start(sleeper.pid) is None
        assert job.state()["state"] == "failed" and "nothing was written" in job.state()["error"]["message"]
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_silent_process_is_stopped_and_failed(box):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        job = box.create("validation", {}, LIMITS)
        job.started(sleeper.pid)
        old = time.time() - jobs.STALE_SECONDS - 1
        os.utime(job.directory / "heartbeat", (old, old))
        state = job.state()
        assert state["state"] == "failed" and "sent no heartbeat" in state["error"]["message"]
        assert sleeper.wait(5) == -signal.SIGKILL
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_queued_job_that_never_starts_fails(box):
    job = box.create("validation", {}, LIMITS)
    assert job.state()["state"] == "queued"
    old = time.time() - jobs.START_SECONDS - 1
    os.utime(job.directory / "heartbeat", (old, old))
    assert job.state()["state"] == "failed" and "did not start" in job.state()["error"]["message"]


def test_slots_are_shared_by_processes_and_freed_when_a_holder_dies(box):
    first, second = box.take_slot(2), box.take_slot(2)
    with pytest.raises(TooManyRequests) as full:
        box.take_slot(2)
    assert full.value.headers == {"Retry-After": "10"} and "2 jobs are running" in full.value.message
    # Another process holding a slot (as a job's process does, by inheriting the locked descriptor).
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], pass_fds=(second,))
    os.close(second)
    try:
        with pytest.raises(TooManyRequests):
            box.take_slot(2)
        holder.kill()
        holder.wait()
        os.close(box.take_slot(2))
    finally:
        holder.kill()
        os.close(first)


def test_the_kernel_kills_a_process_whose_starting_thread_ends():
    """Why the launcher starts processes from a thread of its own: PR_SET_PDEATHSIG follows the thread."""
    started = []
    code = f"from peerkg import sandbox; sandbox.die_with_parent({os.getpid()}); import time; time.sleep(30)"

    def start():
        started.append(subprocess.Popen([sys.executable, "-c", code]))
        time.sleep(1.5)  # the child ties itself to this thread meanwhile

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    assert started[0].wait(10) == -signal.SIGKILL


def test_a_process_dies_with_the_process_it_watches_whoever_its_parent_is():
    """What ties a job's confined process (a child of the executor's fork server) to the job's process."""
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    code = f"from peerkg import sandbox; sandbox.die_with({watched.pid}); print('ready', flush=True); import time; time.sleep(30)"
    watcher = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout.readline() == "ready\n"
        watched.kill()
        watched.wait()
        assert watcher.wait(5) == -signal.SIGKILL
    finally:
        watched.kill()
        watcher.kill()
        watcher.wait()
        watcher.stdout.close()


def test_pruning_removes_old_finished_jobs_and_keeps_the_rest(box):
    old, recent, running = (box.create("validation", {}, LIMITS) for _ in range(3))
    old.finish({"status": 200, "body": {}})
    old.update(finished="2000-01-01T00:00:00.000+00:00")
    recent.finish({"status": 200, "body": {}})
    running.started(os.getpid())
    stale = box.spool() / "body-stale"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    box.prune(keep_seconds=3600)
    assert not old.directory.exists() and recent.directory.exists() and running.directory.exists()
    assert not stale.exists()


def test_a_version_announced_by_a_live_job_has_a_publisher(box, tmp_path):
    job = box.create("publish", {}, LIMITS)
    jobs.Announce(str(tmp_path / "data"), job.id)("20260101T000000-000000001")
    assert box.publisher("20260101T000000-000000001").id == job.id
    assert box.publisher("20260101T000000-000000002") is None
    job.finish({"status": 200, "body": {}})
    assert box.publisher("20260101T000000-000000001") is None


def test_the_job_process_validates_a_document_on_the_store(built, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    box = jobs.Jobs(data)
    job = box.create("validation", {"format": "turtle", "name": "broken.ttl"}, LIMITS, documents=("broken.ttl",))
    job.document(0).write_text(broken())
    jobs.launcher.start(job, os.environ | {"PEERKG_DATA": str(data)})
    state = finished(job)
    assert (state["state"], state["status"]) == ("done", 200), state
    result = job.result()
    assert result["body"]["counts"] == {"Violation": 2, "Warning": 0, "Info": 0} and result["body"]["triples"] == 30
    assert "sh:conforms false" in (job.directory / "report.ttl").read_text()
    assert (job.directory / "report.txt").read_text().startswith("broken.ttl: DOES NOT CONFORM (30 triples; 2 violations")
    assert state["progress"]["step"] == "validating 30 triples in context"


def copy_of(built, tmp_path):
    """A private copy of the built data directory, without its downloads."""
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    return data


def commit_example(data):
    """The example study PUT by a commit job on ``data``, run to its end: the job and its last state."""
    job = jobs.Jobs(data).create("commit", {"operation": "PUT", "graph": "https://w3id.org/peerkg/graph/curated/example-2024",
                                            "format": "turtle", "name": "example.ttl", "exclusive": False}, LIMITS,
                                 curator="alice", documents=("example.ttl",))
    shutil.copy(EXAMPLE, job.document(0))
    jobs.launcher.start(job, os.environ | {"PEERKG_DATA": str(data)})
    return job, finished(job)


def test_the_job_process_commits_then_publishes_the_version(built, tmp_path):
    from peerkg import backends, exports

    data = copy_of(built, tmp_path)
    job, state = commit_example(data)
    assert (state["state"], state["status"]) == ("done", 201), state
    version = backends.open(type(built)(data_dir=data)).version()
    assert job.result()["published"] == job.result()["version"] == version
    assert (exports.location(data, version) / exports.SUMS).is_file()
    assert (data / "jobs" / "publishing" / version).read_text() == job.id


def test_a_killed_job_process_is_failed_by_its_launcher(built, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    job = jobs.Jobs(data).create("validation", {"format": "turtle", "name": "x.ttl"}, LIMITS, documents=("x.ttl",))
    job.document(0).write_text(broken())
    pid = jobs.launcher.start(job, os.environ | {"PEERKG_DATA": str(data)})
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while (raw := jobs._read(job.directory / "state.json"))["state"] != "failed":  # written by the launcher's thread
        assert time.monotonic() < deadline, raw
        time.sleep(0.1)
    assert raw["status"] == 503 and "was killed by signal 9" in raw["error"]["message"]


# --- The body reader's spool ----------------------------------------------------------------------------


def reader(tmp_path, seen: dict) -> request_body.BodyReader:
    def app(environ, start_response):
        seen["spooled"] = environ.get(request_body.SPOOLED)
        seen["body"] = environ["wsgi.input"].read()
        seen["error"] = environ.get(request_body.ERROR)
        start_response("200 OK", [])
        return [b""]

    spool = tmp_path / "spool"
    spool.mkdir()
    return request_body.BodyReader(app, 1000, 5, job_bytes=100, job_max_bytes=10_000, spool=lambda: spool)


def call(body_reader, method: str, path: str, body: bytes, chunked: bool = False):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": io.BytesIO(body)}
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    body_reader(environ, lambda status, headers: None)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_large_body_for_a_job_is_spooled_to_disk_and_removed_after(tmp_path, chunked):
    seen = {}
    body_reader = reader(tmp_path, seen)
    call(body_reader, "POST", "/validate", b"x" * 50, chunked)
    assert seen["spooled"] is None and seen["body"] == b"x" * 50
    call(body_reader, "PUT", "/store", b"y" * 5000, chunked)
    assert seen["spooled"].startswith(str(tmp_path / "spool")) and seen["body"] == b"y" * 5000
    assert list((tmp_path / "spool").iterdir()) == []
    call(body_reader, "POST", "/import", b"z" * 10_001, chunked)
    assert "PEERKG_JOB_MAX_BYTES" in seen["error"].description and list((tmp_path / "spool").iterdir()) == []


def test_other_routes_keep_the_smaller_limit(tmp_path):
    seen = {}
    call(reader(tmp_path, seen), "POST", "/sparql", b"q" * 5000)
    assert "PEERKG_MAX_UPLOAD_BYTES" in seen["error"].description and seen["spooled"] is None


def test_a_commit_stands_when_its_downloads_cannot_be_written(built, tmp_path):
    from peerkg import backends

    data = copy_of(built, tmp_path)
    (data / "downloads").write_text("not a directory")
    before = backends.open(type(built)(data_dir=data)).version()
    job, state = commit_example(data)
    assert (state["state"], state["status"]) == ("done", 201), state
    assert "published" not in job.result() and job.result()["unpublished"]
    assert backends.open(type(built)(data_dir=data)).version() == job.result()["version"] != before

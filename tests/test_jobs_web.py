"""Jobs on the web, against a real ``peerkg serve``: ``202 Accepted`` for large bodies and ``Prefer:
respond-async``, ``GET /jobs/<id>`` until the same answer the request would have had, failures in the one
error shape, the job limit, killed jobs, browsers' pages; and a commit's downloads written off the request."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time

import pyoxigraph as ox
import pytest
import requests

from peerkg import backends, exports, jobs
from peerkg.config import PROJECT_ROOT, Settings

from conftest import serving
from test_curation import EXAMPLE, W, broken

TOKEN, OTHER = "s3cret-curator-token", "another-curators-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
ASYNC = {"Prefer": "respond-async"}
IMPORTS = PROJECT_ROOT / "tests" / "data" / "import"
JOB_BYTES = 8192  # the example study (2,346 bytes) stays a request; a corpus of studies is a job


def corpus(studies: int) -> bytes:
    """``studies`` copies of the example study, each its own (as bench/scale.py makes them): 30 triples each."""
    head, base, body = EXAMPLE.read_text().partition("@base <https://w3id.org/peerkg/id/> .\n")
    return (head + base + "".join(body.replace("example-2024", f"study-{n}-2024").replace("Example et al. 2024", f"Study {n}")
                                  for n in range(studies))).encode()


@pytest.fixture(scope="module")
def data(built, tmp_path_factory):
    copy = tmp_path_factory.mktemp("jobs") / "data"
    shutil.copytree(built.data_dir, copy, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    return copy


@pytest.fixture(scope="module")
def url(data):
    env = {"PEERKG_TOKENS": f"alice:{TOKEN},bob:{OTHER}", "PEERKG_JOB_BYTES": str(JOB_BYTES), "PEERKG_JOBS": "1",
           "PEERKG_JOB_MEMORY_MB": "1536"}
    with serving(data, env=env) as served:
        yield served


def version(data) -> str:
    return backends.open(Settings(data_dir=data)).version()


def until_over(url: str, location: str, headers: dict | None = None, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        answer = requests.get(url + location, headers=headers or {}, timeout=30)
        assert answer.status_code == 200, answer.text
        state = answer.json()
        if state["state"] in jobs.FINISHED:
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.2)


def accepted(answer: requests.Response) -> str:
    assert answer.status_code == 202, answer.text
    location = answer.headers["Location"]
    assert re.fullmatch(r"/jobs/[A-Za-z0-9_-]{43}", location)
    return location


def test_an_async_validation_answers_exactly_what_the_request_answers(url):
    body = broken().encode()
    sync = requests.post(url + "/validate", data=body, headers=TURTLE)
    assert sync.status_code == 200 and sync.json()["counts"]["Violation"] == 2
    started = requests.post(url + "/validate", data=body, headers=TURTLE | ASYNC)
    location = accepted(started)
    assert started.headers["Preference-Applied"] == "respond-async"
    assert started.json()["state"] in ("queued", "running") and started.json()["url"] == url + location
    state = until_over(url, location)
    assert (state["state"], state["status"], state["kind"]) == ("done", 200, "validation")
    assert state["result"] == sync.json()
    assert state["result"]["conforms"] is False and state["result"]["counts"] == {"Violation": 2, "Warning": 0, "Info": 0}
    assert state["elapsed"] > 0 and state["progress"] == {"step": "validating 30 triples in context", "triples": 30}
    assert state["documents"] == [{"name": "request body", "bytes": len(body)}]
    text = requests.get(url + location, headers={"Accept": "text/plain"})
    assert text.text == requests.post(url + "/validate", data=body, headers=TURTLE | {"Accept": "text/plain"}).text
    w3c = requests.get(url + location, headers={"Accept": "text/turtle"})
    assert w3c.headers["Content-Type"].startswith("text/turtle") and "sh:conforms false" in w3c.text
    assert requests.get(url + location, headers={"Accept": "image/png"}).status_code == 406
    page = requests.get(url + location, headers={"Accept": "text/html"})  # the validation page, with the report
    assert "request body: Does not conform" in page.text and "<textarea" in page.text


def test_a_large_body_becomes_a_job_never_a_500(url):
    body = corpus(300)  # 9,000 triples, about 680 KB: past PEERKG_JOB_BYTES, so a job without being asked
    started = requests.post(url + "/validate", data=body, headers=TURTLE)
    location = accepted(started)
    assert "Preference-Applied" not in started.headers
    state = until_over(url, location)
    assert (state["status"], state["result"]["conforms"], state["result"]["triples"]) == (200, True, 9000)
    # A small body without the preference is answered in the request, as before.
    assert requests.post(url + "/validate", data=EXAMPLE.read_bytes(), headers=TURTLE).status_code == 200


def test_an_async_import_commits_then_publishes_the_version(url, data):
    before = version(data)
    ris = (IMPORTS / "library.ris").read_bytes()
    started = requests.post(url + "/import", data=ris, headers={"Content-Type": "text/plain", "Slug": "library.ris"} | AUTH | ASYNC)
    location = accepted(started)
    assert requests.get(url + location).status_code == 401  # started with a token: read with it
    assert requests.get(url + location, headers={"Authorization": f"Bearer {OTHER}"}).status_code == 403
    state = until_over(url, location, AUTH)
    graph = "https://w3id.org/peerkg/graph/curated/library"
    assert (state["state"], state["status"]) == ("done", 201), state
    assert state["headers"]["Location"] == f"/store?graph={graph}"
    assert (state["result"]["result"], state["result"]["triples"], state["result"]["graph"]) == ("created", 135, graph)
    # Done means published: the store holds the graph, and the new version's downloads are listed.
    assert state["published"] == version(data) != before
    count = requests.get(url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                         headers={"Accept": "text/csv"})
    assert count.text.split() == ["n", "135"]
    listing = requests.get(url + "/download/", headers={"Accept": "application/json"}).json()
    assert listing["version"] == state["published"] and "peerkg.nq.gz" in {f["path"] for f in listing["files"]}
    assert (exports.location(data, state["published"]) / exports.SUMS).is_file()


def test_an_invalid_async_submission_fails_and_changes_nothing(url, data):
    before = version(data)
    target = {"graph": f"{W.replace('id/', 'graph/curated/')}broken"}
    started = requests.put(url + "/store", params=target, data=broken().encode(), headers=TURTLE | AUTH | ASYNC)
    state = until_over(url, accepted(started), AUTH)
    assert (state["state"], state["status"]) == ("failed", 422)
    error = state["error"]
    assert (error["type"], error["title"], error["status"], error["instance"]) == ("about:blank", "Unprocessable Entity", 422, "/store")
    assert "nothing was written" in error["detail"] and error["report"]["counts"]["Violation"] == 2
    assert version(data) == before
    assert requests.get(url + "/store", params=target).status_code == 404
    syntax = requests.post(url + "/validate", data=b"<a> <b> .", headers=TURTLE | ASYNC)
    failed = until_over(url, accepted(syntax))
    assert (failed["status"], failed["error"]["line"], failed["error"]["column"]) == (400, 1, 9)


def test_a_killed_job_fails_with_503_and_the_limit_is_429_meanwhile(url, data):
    started = requests.post(url + "/validate", data=corpus(4000), headers=TURTLE)  # 120,000 triples: seconds
    location = accepted(started)
    directory = data / "jobs" / location.rsplit("/", 1)[1]
    deadline = time.monotonic() + 60
    while "validating" not in requests.get(url + location).json()["progress"].get("step", ""):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    full = requests.post(url + "/validate", data=EXAMPLE.read_bytes(), headers=TURTLE | ASYNC)  # PEERKG_JOBS=1
    assert (full.status_code, full.headers["Retry-After"]) == (429, "10")
    assert full.headers["Content-Type"] == "application/problem+json" and "PEERKG_JOBS" in full.json()["detail"]
    worker = int((directory / "worker").read_text())
    os.kill(json.loads((directory / "state.json").read_text())["pid"], signal.SIGKILL)
    state = until_over(url, location)
    assert (state["state"], state["status"], state["error"]["status"]) == ("failed", 503, 503)
    assert "killed" in state["error"]["detail"] and "nothing was written" in state["error"]["detail"]
    deadline = time.monotonic() + 2
    while jobs.process_start(worker) is not None:  # its confined process dies with it, not when its work is over
        assert time.monotonic() < deadline
        time.sleep(0.1)
    again = requests.post(url + "/validate", data=EXAMPLE.read_bytes(), headers=TURTLE | ASYNC)  # the slot is free
    assert until_over(url, accepted(again))["result"]["conforms"] is True


def test_a_job_past_its_memory_limit_fails_with_503(url):
    from test_attacks import billion_laughs

    started = requests.post(url + "/validate", data=billion_laughs(9), headers={"Content-Type": "application/rdf+xml"} | ASYNC)
    state = until_over(url, accepted(started))
    assert (state["state"], state["status"]) == ("failed", 503) and "1,536 MB memory limit" in state["error"]["detail"]


def test_an_unknown_job_is_404_in_the_error_shape(url):
    for path in ("/jobs/" + "A" * 43, "/jobs/nope"):
        missing = requests.get(url + path)
        assert (missing.status_code, missing.headers["Content-Type"]) == (404, "application/problem+json")
        assert set(missing.json()) == {"type", "title", "status", "detail", "instance"}
        assert "Location of the 202 answer" in missing.json()["detail"]


def test_a_browsers_form_gets_pages_that_refresh_until_the_outcome(url):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    form = {"file": ("broken.ttl", broken().encode(), "text/turtle")}
    started = requests.post(url + "/validate", files=form, headers=browser | ASYNC)
    location = accepted(started)
    assert started.headers["Content-Type"].startswith("text/html")
    assert f'<meta http-equiv="refresh" content="2; url={url}{location}">' in started.text
    until_over(url, location)
    page = requests.get(url + location, headers=browser)
    assert page.headers["Content-Type"].startswith("text/html") and "http-equiv" not in page.text
    assert "broken.ttl: Does not conform" in page.text and "did you mean &lt;https://w3id.org/peerkg/id/work/mowbray-1996&gt;" in page.text
    # The import form carries the token as a field: its status page is read by its URL alone.
    upload = {"file": ("records.medline", (IMPORTS / "records.medline").read_bytes(), "text/plain")}
    imported = requests.post(url + "/import", files=upload, data={"token": TOKEN, "graph": "medline-form"}, headers=browser | ASYNC)
    location = accepted(imported)
    assert until_over(url, location)["status"] == 201
    assert "Created" in requests.get(url + location, headers=browser).text


def test_a_commit_in_a_request_has_its_downloads_written_by_a_job(url, data):
    target = {"graph": "https://w3id.org/peerkg/graph/curated/example-2024"}
    put = requests.put(url + "/store", params=target, data=EXAMPLE.read_bytes(), headers=TURTLE | AUTH)
    assert put.status_code == 201
    published = version(data)
    marker = data / "jobs" / "publishing" / published
    assert marker.is_file()  # announced before the version was published
    publisher = jobs.Jobs(data).get(marker.read_text())
    listing = requests.get(url + "/download/", headers={"Accept": "application/json"})  # waits for the job
    assert listing.status_code == 200 and listing.json()["version"] == published
    state = publisher.state()
    assert (state["state"], publisher.result()["published"]) == ("done", published)
    assert requests.get(url + "/").status_code == 200 and requests.get(url + "/dataset").status_code == 200
    assert requests.delete(url + "/store", params=target, headers=AUTH).status_code == 204


def test_the_store_unchanged_by_a_refused_job_import(url, data):
    before = version(data)
    started = requests.post(url + "/import", data=(IMPORTS / "none-asked.csv").read_bytes(),
                            headers={"Content-Type": "text/csv", "Slug": "none-asked.csv"} | AUTH | ASYNC)
    state = until_over(url, accepted(started), AUTH)
    assert (state["status"], state["error"]["report"]["counts"]["Violation"]) == (422, 1)
    assert version(data) == before
    graph = ox.NamedNode("https://w3id.org/peerkg/graph/curated/none-asked")
    assert graph not in backends.open(Settings(data_dir=data)).named_graphs()


def test_the_readme_job_session_works_as_printed(url):
    """The README's job session: 202, the status URL, polled until done, then the report as text."""
    import subprocess

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    session = re.search(r"```bash\n(.*?)```", readme.split("**Large submissions: jobs.**", 1)[1], re.DOTALL)[1]
    done = subprocess.run(["bash", "-e", "-c", session.replace("http://127.0.0.1:8000", url)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    status, _, report = done.stdout.partition("\n}\n")  # the status as JSON, then the report as text
    assert json.loads(status + "}")["kind"] == "validation"
    assert report.startswith("request body: DOES NOT CONFORM (30 triples; 1 violation")


def test_an_async_commit_on_every_backend(writable_settings):
    """On an engine the job's confined process reads and writes through the job's process (a Relay)."""
    from conftest import backend_env

    env = {"PEERKG_TOKENS": f"alice:{TOKEN}"} | backend_env(writable_settings)
    target = {"graph": "https://w3id.org/peerkg/graph/curated/example-2024"}
    with serving(writable_settings.data_dir, env=env) as served:
        started = requests.put(served + "/store", params=target, data=EXAMPLE.read_bytes(), headers=TURTLE | AUTH | ASYNC)
        state = until_over(served, accepted(started), AUTH)
        assert (state["state"], state["status"], state["result"]["triples"]) == ("done", 201, 30), state
        assert state["published"] == backends.open(writable_settings).version()
        got = requests.get(served + "/store", params=target, headers={"Accept": "application/n-triples"})
        assert len(got.text.splitlines()) == 30
        listing = requests.get(served + "/download/", headers={"Accept": "application/json"}).json()
        assert listing["version"] == state["published"]

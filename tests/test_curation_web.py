"""/validate and the Graph Store Protocol at /store: statuses, media types, tokens, and readers during writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from peerkg import backends, store
from peerkg.config import PROJECT_ROOT
from peerkg.curation import tokens

from conftest import app_config, backend_env, free_port
from test_curation import EXAMPLE, GRAPH, W, broken

TOKEN = "s3cret-curator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture
def writable(writable_settings):
    """An app over a private copy of the graph on each backend, with one curator token."""
    from peerkg.web import create_app

    app = create_app({"TESTING": True, **app_config(writable_settings), "TOKENS": tokens.load({"PEERKG_TOKENS": f"alice:{TOKEN}"})})
    return app.test_client(), writable_settings


# --- /validate ---------------------------------------------------------------------------------------------


def test_validate_api_answers_with_the_report_in_the_media_type_asked_for(client):
    body = broken().encode()
    as_json = client.post("/validate", data=body, headers=TURTLE)
    assert (as_json.status_code, as_json.mimetype) == (200, "application/json")
    assert as_json.json["verdict"] == "does not conform" and as_json.json["counts"]["Violation"] == 2
    assert as_json.headers["Cache-Control"] == "no-store"
    w3c = client.post("/validate", data=body, headers=TURTLE | {"Accept": "text/turtle"})
    assert w3c.mimetype == "text/turtle" and b"sh:conforms false" in w3c.data
    text = client.post("/validate", data=body, headers=TURTLE | {"Accept": "text/plain"})
    assert text.mimetype == "text/plain" and text.text.startswith("request body: DOES NOT CONFORM (30 triples; 2 violations")
    good = client.post("/validate", data=EXAMPLE.read_bytes(), headers={"Content-Type": "application/x-turtle"})
    assert good.json["conforms"] is True and good.json["groups"] == []


def test_validate_reports_syntax_errors_and_unknown_media_types(client):
    syntax = client.post("/validate", data=b"<a> <b> .", headers=TURTLE)
    assert (syntax.status_code, syntax.mimetype) == (400, "application/problem+json")
    assert (syntax.json["line"], syntax.json["column"]) == (1, 9)
    csv = client.post("/validate", data=b"a,b", headers={"Content-Type": "text/csv"})
    assert csv.status_code == 415 and "cannot read text/csv as RDF" in csv.json["detail"]
    bare = client.post("/validate", data=b"<urn:a> <urn:b> <urn:c> .")
    assert bare.status_code == 415


def test_the_validation_page_takes_a_pasted_or_uploaded_file(client):
    page = client.get("/validate")
    assert page.status_code == 200 and b'<textarea id="text" name="text"' in page.data
    pasted = client.post("/validate", data={"text": broken()}, headers={"Accept": "text/html"})
    assert pasted.status_code == 200 and pasted.mimetype == "text/html"
    assert b"pasted text: Does not conform" in pasted.data and b"did you mean &lt;https://w3id.org/peerkg/id/work/mowbray-1996&gt;" in pasted.data
    import io

    uploaded = client.post("/validate", data={"file": (io.BytesIO(b"<a> <b> ."), "bad.ttl")}, headers={"Accept": "text/html"})
    assert uploaded.status_code == 400 and b"Syntax error" in uploaded.data and b"bad.ttl, line 1, column 9" in uploaded.data
    empty = client.post("/validate", data={"text": ""}, headers={"Accept": "text/html"})
    assert empty.status_code == 400 and b"nothing to validate" in empty.data


# --- /store ------------------------------------------------------------------------------------------------


def test_writes_need_a_curator_token(writable):
    client, settings = writable
    before = backends.open(settings).version()
    url = f"/store?graph={GRAPH}"
    missing = client.put(url, data=EXAMPLE.read_bytes(), headers=TURTLE)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="peerkg"'
    wrong = client.put(url, data=EXAMPLE.read_bytes(), headers=TURTLE | {"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert "guess" not in wrong.text
    seeds = client.put("/store?graph=https://w3id.org/peerkg/graph/review_table3", data=EXAMPLE.read_bytes(), headers=TURTLE | AUTH)
    assert seeds.status_code == 403 and "only curated graphs can be written" in seeds.json["detail"]
    assert backends.open(settings).version() == before


def test_writes_are_off_without_tokens(client):
    refused = client.delete(f"/store?graph={GRAPH}", headers=AUTH)
    assert refused.status_code == 403 and "writes are switched off" in refused.json["detail"]


def test_put_get_post_delete_a_curated_graph(writable):
    client, data = writable
    url = f"/store?graph={GRAPH}"
    invalid = client.put(url, data=broken().encode(), headers=TURTLE | AUTH)
    assert invalid.status_code == 422 and invalid.json["report"]["counts"]["Violation"] == 2
    assert client.get(url).status_code == 404
    created = client.put(url, data=EXAMPLE.read_bytes(), headers=TURTLE | AUTH)
    assert created.status_code == 201 and created.headers["X-Peerkg-Commit"].startswith(f"{W}commit/")
    got = client.get(url, headers={"Accept": "application/n-triples"})
    assert (got.status_code, got.mimetype, len(got.data.splitlines())) == (200, "application/n-triples", 30)
    assert client.head(url).status_code == 200
    added = client.post(url, data=f'<{W}study/example-2024> <http://purl.org/dc/terms/title> "T" .'.encode(),
                        headers={"Content-Type": "application/n-triples"} | AUTH)
    assert added.status_code == 204 and len(client.get(url, headers={"Accept": "application/n-triples"}).data.splitlines()) == 31
    quads = client.put(url, data=b"", headers={"Content-Type": "application/n-quads"} | AUTH)
    assert quads.status_code == 415
    page = client.get("/id/study/example-2024", follow_redirects=True, headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"Example et al. 2024" in page.data
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url).status_code == 404 and client.delete(url, headers=AUTH).status_code == 404


def test_store_needs_exactly_one_graph(client):
    assert client.get("/store").status_code == 400
    assert client.get(f"/store?default&graph={GRAPH}").status_code == 400
    union = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert union.status_code == 200 and union.mimetype == "application/n-triples"


# --- A live server: clients see commits whole, tokens stay out of logs ---------------------------------------


@pytest.fixture
def live(writable_settings, tmp_path):
    data = writable_settings.data_dir
    port, log_path = free_port(), tmp_path / "serve.log"
    env = os.environ | {"PEERKG_TOKENS": f"alice:{TOKEN}"} | backend_env(writable_settings)
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "peerkg.cli", "--data-dir", str(data), "serve", "--port", str(port),
                                    "--workers", "2"], stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            requests.get(url + "/validate", timeout=1)
            break
        except (requests.ConnectionError, requests.Timeout):  # bound, not yet answering: its workers start
            time.sleep(0.2)
    yield url, log_path
    process.terminate()
    process.wait(10)


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_readers_see_the_graph_before_or_after_each_commit_never_half(live):
    url, log_path = live
    counts = []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            answer = requests.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30)
            counts.append(int(answer.text.split()[1]))

    before = int(requests.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}).text.split()[1])
    reader = threading.Thread(target=read)
    reader.start()
    sizes = []
    for _ in range(3):
        put = requests.put(url + "/store", params={"graph": str(GRAPH)}, data=EXAMPLE.read_bytes(), headers=TURTLE | AUTH, timeout=60)
        assert put.status_code in (201, 204)
        sizes.append(int(requests.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}).text.split()[1]))
        assert requests.delete(url + "/store", params={"graph": str(GRAPH)}, headers=AUTH, timeout=60).status_code == 204
        sizes.append(int(requests.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}).text.split()[1]))
    stop.set()
    reader.join()
    # Every state a reader could see is one that a commit published: the start, or after some commit.
    assert set(counts) <= {before, *sizes} and len(counts) > 3
    assert sizes[0] == before + 30 + 20  # the graph and its log entry
    log = log_path.read_text()
    assert TOKEN not in log and '"PUT /store?graph=' in log


def test_an_ingested_study_is_answered_by_sparql_clients(live):
    from SPARQLWrapper import JSON, SPARQLWrapper

    url, _ = live
    assert requests.put(url + "/store", params={"graph": str(GRAPH)}, data=EXAMPLE.read_bytes(), headers=TURTLE | AUTH).status_code == 201
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(f"SELECT ?label WHERE {{ <{W}study/example-2024> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")
    client.setReturnFormat(JSON)
    assert [b["label"]["value"] for b in client.queryAndConvert()["results"]["bindings"]] == ["Example et al. 2024"]


def test_the_readme_curator_session_works_as_printed(built, tmp_path):
    """The README's curator session, line by line, against a live server with a token."""
    import re
    import shlex

    readme = (PROJECT_ROOT / "README.md").read_text()
    session = re.search(r"```shell\n(.*?)```", readme, re.DOTALL)[1].splitlines()
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    port = free_port()
    env = os.environ | {"PEERKG_TOKENS": f"alice:{TOKEN}", "PEERKG_TOKEN": TOKEN, "PEERKG_DATA": str(data)}
    server = subprocess.Popen([sys.executable, "-m", "peerkg.cli", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                requests.get(f"http://127.0.0.1:{port}/validate", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        outputs = []
        for line in session:
            command = line.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}")
            command = command.replace(".venv/bin/peerkg", shlex.quote(sys.executable) + " -m peerkg.cli -q")
            if command.startswith("curl "):
                command += " --silent --show-error --fail"
            done = subprocess.run(["bash", "-c", command], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
            outputs.append((done.returncode, done.stdout))
    finally:
        server.terminate()
        server.wait(10)
    assert [code for code, _ in outputs] == [1, 0, 0, 0, 0, 0, 0, 0], outputs
    assert "examples/broken-study.ttl:17: " in outputs[0][1] and f"did you mean <{W}work/mowbray-1996>" in outputs[0][1]
    assert "CONFORMS (30 triples; 0 violations" in outputs[1][1]
    assert outputs[3][1].splitlines() == ["label", "Example et al. 2024"]
    assert '"Example et al. 2024"' in outputs[4][1]
    assert outputs[6][1].splitlines()[1].startswith(f"{GRAPH},30,{W}commit/")
    assert not store.open_current(data).contains_named_graph(ox.NamedNode(str(GRAPH)))


def test_a_post_to_the_store_itself_creates_a_graph_the_server_names(live):
    """Graph Store Protocol 5.5: POST without ?graph= is 201 with the new graph's Location."""
    import hashlib
    from urllib.parse import parse_qs, urlsplit

    url, _ = live
    body = EXAMPLE.read_bytes()
    named = requests.post(url + "/store", data=body, headers=TURTLE | AUTH | {"Slug": "Example Study, 2024"})
    assert named.status_code == 201, named.text
    location = urlsplit(named.headers["Location"])
    assert (location.path, parse_qs(location.query)) == ("/store", {"graph": ["https://w3id.org/peerkg/graph/curated/example-study-2024"]})
    got = requests.get(url + named.headers["Location"], headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and len(got.text.splitlines()) == 30
    again = requests.post(url + "/store", data=body, headers=TURTLE | AUTH | {"Slug": "example-study-2024"})
    assert again.status_code == 409 and "exists already" in again.json()["detail"]
    digest = hashlib.sha256(body).hexdigest()[:16]
    unnamed = requests.post(url + "/store", data=body, headers=TURTLE | AUTH)
    assert unnamed.status_code == 201
    assert parse_qs(urlsplit(unnamed.headers["Location"]).query)["graph"] == [f"https://w3id.org/peerkg/graph/curated/posted-{digest}"]
    assert requests.post(url + "/store", data=body, headers=TURTLE).status_code == 401

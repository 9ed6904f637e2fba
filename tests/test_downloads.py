"""/download/ over real HTTP: every file with its exact media type and checksum, parsed back as the store."""

from __future__ import annotations

import gzip
import hashlib
import http.client
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from peerkg import formats
from peerkg.cli import main
from conftest import backend_args

from test_exports import DUMP_TYPES, DUMPS, expected_paths

PLAIN = {"Accept-Encoding": "identity"}  # the bytes as stored, not compressed on the way
@pytest.fixture(scope="module")
def store_graphs(kg) -> dict[str, Graph]:
    """What the store holds: each named graph, as rdflib graphs."""
    graphs = {}
    for name in kg.named_graphs():
        graph = graphs[name.value] = Graph()
        for quad in kg.quads(name):
            graph.add((formats.to_rdflib(quad.subject), formats.to_rdflib(quad.predicate), formats.to_rdflib(quad.object)))
    return graphs


@pytest.fixture(scope="module")
def union(store_graphs) -> Graph:
    graph = Graph()
    for part in store_graphs.values():
        graph += part
    return graph


@pytest.fixture(scope="module")
def listing(server) -> list[dict]:
    response = requests.get(server + "/download/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.json()["files"]


@pytest.fixture(scope="module")
def served(server, listing) -> dict[str, requests.Response]:
    return {entry["path"]: requests.get(entry["url"], headers=PLAIN) for entry in listing}


def test_the_index_lists_exactly_the_expected_files(server, listing, kg):
    assert [entry["path"] for entry in listing] == expected_paths()
    for entry in listing:
        assert entry["url"] == f"{server}/download/{entry['path']}"
        assert set(entry) == {"path", "url", "media_type", "size", "sha256"}
    response = requests.get(server + "/download/", headers={"Accept": "application/json"})
    assert response.json()["version"] == kg.version
    assert "Accept" in response.headers["Vary"]


def test_the_index_as_html_links_every_file(server, listing):
    response = requests.get(server + "/download/", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    for entry in listing:
        assert f'href="{entry["url"]}"' in response.text
        assert entry["sha256"] in response.text


def test_every_file_is_served_with_its_media_type_etag_size_and_checksum(served, listing):
    exact = {dump: media for dump, media in DUMP_TYPES.items()} | {"peerkg.ttl": "text/turtle; charset=utf-8"}
    for entry in listing:
        response = served[entry["path"]]
        assert response.status_code == 200, entry["path"]
        path = entry["path"]
        if path in exact:
            expected = exact[path]
        elif path.endswith(".gz"):
            expected = "application/gzip"
        elif path.endswith(".rq"):
            expected = "application/sparql-query"
        elif path.endswith(".ttl"):
            expected = "text/turtle; charset=utf-8"
        else:
            expected = "text/plain; charset=utf-8"
        assert response.headers["Content-Type"] == expected, path
        assert entry["media_type"] == expected.split(";")[0]
        assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        assert response.headers["Cache-Control"] == "public, no-cache"
        assert len(response.content) == entry["size"] == int(response.headers["Content-Length"])
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        if path.endswith(".gz"):
            assert response.headers["Content-Disposition"] == f'attachment; filename="{path}"'
        else:
            assert "Content-Disposition" not in response.headers


def test_sha256sums_matches_the_bytes_served(served):
    lines = served["SHA256SUMS"].text.splitlines()
    assert len(lines) == len(expected_paths()) - 1
    for line in lines:
        digest, path = line.split("  ")
        assert hashlib.sha256(served[path].content).hexdigest() == digest, path


@pytest.mark.parametrize("name", [*DUMPS, *(dump + ".gz" for dump in DUMPS)])
def test_every_dump_parses_back_isomorphic_to_the_store(name, served, store_graphs, union):
    data = served[name].content
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    fmt = formats.BY_SUFFIX[name.removesuffix(".gz").rpartition(".")[2]]
    if not fmt.datasets:
        assert isomorphic(Graph().parse(data=data, format=fmt.rdflib), union)
        return
    dataset = Dataset()
    dataset.parse(data=data, format=fmt.rdflib)
    parsed = {str(graph.identifier): graph for graph in dataset.graphs() if len(graph)}
    assert sorted(parsed) == sorted(store_graphs)
    for name_, graph in store_graphs.items():
        assert isomorphic(parsed[name_], graph), name_


def test_a_known_etag_gets_304(server, listing):
    entry = next(e for e in listing if e["path"] == "peerkg.nt")
    response = requests.get(entry["url"], headers={**PLAIN, "If-None-Match": f'"{entry["sha256"]}"'})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["ETag"] == f'"{entry["sha256"]}"'
    changed = requests.get(entry["url"], headers={**PLAIN, "If-None-Match": '"something-else"'})
    assert changed.status_code == 200


def test_compressed_transfer_has_its_own_validator_and_still_revalidates(server, listing):
    entry = next(e for e in listing if e["path"] == "peerkg.nq")
    response = requests.get(entry["url"], headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]  # requests decodes the transfer
    assert response.headers["ETag"] == f'"{entry["sha256"]}:gzip"'
    again = requests.get(entry["url"], headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_head_gives_the_headers_without_the_body(server, listing):
    entry = next(e for e in listing if e["path"] == "peerkg.ttl.gz")
    response = requests.head(entry["url"], headers=PLAIN)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["Content-Length"] == str(entry["size"])


def test_an_unknown_file_is_a_404_problem_listing_the_files(server):
    response = requests.get(server + "/download/peerkg.owl")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and "peerkg.owl" in problem["detail"]
    assert problem["files"] == expected_paths()


@pytest.mark.parametrize("path", [
    "/download/../pyproject.toml", "/download/shapes/../../pyproject.toml", "/download/..%2F..%2Fpyproject.toml",
    "/download/%2E%2E/%2E%2E/README.md", "/download/%2Fetc%2Fpasswd", "/download/ontology/../SHA256SUMS",
])
def test_paths_outside_the_listing_are_unknown(server, path):
    """Sent as written (no client-side normalisation of the dot segments)."""
    status, location, body = raw_get(server, path)
    if status == 308:  # werkzeug merges "//" (also from %2F) into "/", by redirect: still under /download/
        assert urlsplit(location).path.startswith("/download/")
        status, location, body = raw_get(server, urlsplit(location).path)
    assert status == 404, (path, body[:200])
    assert b"pyproject" not in body or b"no file" in body
    assert b"[build-system]" not in body and b"root:" not in body


def raw_get(server: str, path: str) -> tuple[int, str | None, bytes]:
    where = urlsplit(server)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "application/problem+json"})
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read()
    finally:
        connection.close()


def test_cli_export_all_writes_the_bytes_the_server_serves(published, served, tmp_path):
    result = CliRunner().invoke(main, ["--quiet", "--data-dir", str(published.data_dir), *backend_args(published), "export",
                                       "--all", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    written = {str(p.relative_to(tmp_path / "all")): p.read_bytes() for p in (tmp_path / "all").rglob("*") if p.is_file()}
    assert written == {path: response.content for path, response in served.items()}


def test_the_export_is_written_once_per_version_beside_the_store(published, kg, listing):
    downloads = published.data_dir / "downloads"
    assert [p.name for p in downloads.iterdir() if not p.name.startswith(".")] == [kg.version]
    assert (downloads / kg.version / "SHA256SUMS").is_file()


def test_a_version_a_job_is_publishing_is_waited_for_then_503_while_pages_answer(built, tmp_path, monkeypatch):
    """The downloads of a version announced by a live job are not written by a request: it waits, then
    answers 503 naming the version; the home page and /dataset count from the store meanwhile. Once
    nobody is publishing, the first request writes them."""
    import shutil

    from peerkg import backends, exports, jobs
    from peerkg.config import Settings
    from peerkg.web import create_app, downloads

    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads", "jobs"))
    client = create_app({"TESTING": True, "DATA_DIR": str(data)}).test_client()
    version = backends.open(Settings(data_dir=data)).version()
    publisher = jobs.Jobs(data).create("publish", {}, {"timeout": 60, "max_bytes": 2**30, "memory_bytes": None})
    jobs.Announce(str(data), publisher.id)(version)  # queued, its heartbeat fresh: it may still start
    monkeypatch.setattr(downloads, "PUBLISH_WAIT", 0.5)
    busy = client.get("/download/", headers={"Accept": "application/json"})
    assert (busy.status_code, busy.headers["Retry-After"]) == (503, "10") and version in busy.json["detail"]
    sums = exports.location(data, version) / exports.SUMS
    assert not sums.exists()
    home = client.get("/")
    assert home.status_code == 200 and b"qualitative studies" in home.data
    described = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and b"void:triples" in described.data and b"dcat:Distribution" not in described.data
    publisher.fail(jobs.PeerkgError("stopped", status=503))  # nobody is publishing it now
    listed = client.get("/download/", headers={"Accept": "application/json"})
    assert listed.status_code == 200 and listed.json["version"] == version and sums.is_file()
    assert b"dcat:Distribution" in client.get("/dataset", headers={"Accept": "text/turtle"}).data

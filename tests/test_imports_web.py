"""``GET``/``POST /import``: the form, the curator's token (header, or the form's field), statuses, media types
and triple counts from the test documents (tests/data/import/), and rejected imports that write nothing."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import requests

from peerkg import backends
from peerkg.config import PROJECT_ROOT
from peerkg.curation import tokens

from conftest import app_config, backend_env, serving

DATA = PROJECT_ROOT / "tests" / "data" / "import"
TOKEN = "s3cret-curator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LIBRARY = "https://w3id.org/peerkg/graph/curated/library"
TWO_FILES = 212  # library.ris and records.medline in one graph: 135 + 77, as each alone
NONE_ASKED = (DATA / "none-asked.csv").read_bytes()  # a group of n=0 on line 2: n is at least 1


@pytest.fixture
def data(writable_settings):
    """A private, writable copy of the graph on each backend."""
    return writable_settings


@pytest.fixture
def writable(data):
    from peerkg.web import create_app

    app = create_app({"TESTING": True, **app_config(data), "TOKENS": tokens.load({"PEERKG_TOKENS": f"alice:{TOKEN}"})})
    return app.test_client()


def raw(name: str, **headers) -> dict:
    return {"data": (DATA / name).read_bytes(), "headers": {"Content-Type": "text/plain", "Slug": name} | headers}


def quads(settings) -> set:
    return set(backends.quads(backends.open(settings)))


def test_the_form_is_linked_from_the_navigation_and_has_labelled_fields(client):
    page = client.get("/import")
    assert (page.status_code, page.mimetype) == (200, "text/html")
    for field in ("file", "kind", "graph", "dry_run", "token"):
        assert f'<label for="{field}"'.encode() in page.data and f'id="{field}" name="{field}"'.encode() in page.data
    assert b'<option value="detect" selected>' in page.data and b'<option value="ris">' in page.data
    assert b"<script" not in page.data and b" on" + b"click=" not in page.data
    assert b'<a href="/import">Import</a>' in client.get("/validate").data


def test_a_raw_body_is_imported_once_and_the_second_time_is_unchanged(writable, data):
    first = writable.post("/import", **raw("library.ris", **AUTH))
    assert (first.status_code, first.mimetype) == (201, "application/json"), first.text
    assert first.headers["Location"] == f"/store?graph={LIBRARY}"
    assert first.json["graph"] == LIBRARY and first.json["result"] == "created" and first.json["triples"] == 135
    assert first.json["commit"].startswith("https://w3id.org/peerkg/id/commit/")
    assert [(d["file"], d["kind"], d["triples"]) for d in first.json["documents"]] == [("library.ris", "ris", 128)]  # and 7 for the DOI match's evidence
    assert len(list(backends.quads(backends.open(data), ox.NamedNode(LIBRARY)))) == 135
    before = quads(data)
    again = writable.post("/import", **raw("library.ris", **AUTH))
    assert (again.status_code, again.json["result"], again.json["commit"]) == (200, "unchanged", "unchanged")
    assert quads(data) == before


def test_the_file_name_from_the_query_names_the_graph(writable):
    done = writable.post("/import?name=records.medline&graph=medline-batch", data=(DATA / "records.medline").read_bytes(),
                         headers={"Content-Type": "text/plain"} | AUTH)
    assert done.status_code == 201 and done.json["graph"] == "https://w3id.org/peerkg/graph/curated/medline-batch"
    assert done.json["documents"][0]["kind"] == "medline" and done.json["triples"] == 77


def test_a_dry_run_answers_with_the_triples_and_writes_nothing(writable, data):
    before = quads(data)
    nt = writable.post("/import?dry_run=1", **raw("records.medline", **AUTH, Accept="application/n-triples"))
    assert (nt.status_code, nt.mimetype) == (200, "application/n-triples")
    assert len(nt.text.splitlines()) == 77
    nq = writable.post("/import?dry_run=1&format=nquads", **raw("records.medline", **AUTH))
    assert nq.mimetype == "application/n-quads"
    assert {line.rsplit(" ", 2)[-2] for line in nq.text.splitlines()} == {"<https://w3id.org/peerkg/graph/curated/records>"}
    assert quads(data) == before


def test_the_form_takes_the_token_as_a_field_and_a_browser_gets_a_page(writable, data):
    form = {"file": (io.BytesIO((DATA / "library.ris").read_bytes()), "library.ris"), "kind": "ris", "graph": "", "token": TOKEN}
    page = writable.post("/import", data=form, headers={"Accept": "text/html"})
    assert (page.status_code, page.mimetype) == (201, "text/html")
    assert b"Created" in page.data and b"135 triples" in page.data and b"library.ris: ris, 128 triples" in page.data
    dry = {"file": (io.BytesIO((DATA / "records.medline").read_bytes()), "records.medline"), "dry_run": "1", "token": TOKEN}
    triples = writable.post("/import?format=ntriples", data=dry)
    assert (triples.status_code, triples.mimetype, len(triples.text.splitlines())) == (200, "application/n-triples", 77)


def two_files(**fields) -> dict:
    return {"file": [(io.BytesIO((DATA / name).read_bytes()), name) for name in ("library.ris", "records.medline")],
            "token": TOKEN} | fields


def test_the_form_takes_several_files_into_one_named_graph(writable, data):
    done = writable.post("/import", data=two_files(graph="batch"))
    assert (done.status_code, done.mimetype) == (201, "application/json"), done.text
    batch = "https://w3id.org/peerkg/graph/curated/batch"
    assert (done.json["graph"], done.json["result"], done.json["triples"]) == (batch, "created", TWO_FILES)
    assert [(d["file"], d["kind"], d["triples"]) for d in done.json["documents"]] == [
        ("library.ris", "ris", 128), ("records.medline", "medline", 68)]  # and 7 + 9 for the two matches' evidence
    assert len(list(backends.quads(backends.open(data), ox.NamedNode(batch)))) == TWO_FILES
    page = writable.post("/import", data=two_files(graph="batch"), headers={"Accept": "text/html"})
    assert (page.status_code, page.mimetype) == (200, "text/html")
    assert b"library.ris: ris, 128 triples" in page.data and b"records.medline: medline, 68 triples" in page.data
    assert b"Unchanged: nothing was committed" in page.data
    assert b'id="file" name="file" type="file" multiple' in writable.get("/import").data


def test_several_files_without_a_graph_name_are_refused_and_write_nothing(writable, data):
    before = quads(data)
    for fields in ({}, {"graph": ""}):
        refused = writable.post("/import", data=two_files(**fields))
        assert (refused.status_code, refused.mimetype) == (400, "application/problem+json")
        assert refused.json["detail"] == ("several files go into one graph: name it with --graph NAME "
                                          "(on the web: the graph field, or ?graph=)")
    assert quads(data) == before


def test_tokens_are_checked_like_the_graph_stores(client, writable, data):
    before = quads(data)
    assert writable.post("/import", **raw("library.ris")).status_code == 401
    wrong = writable.post("/import", **raw("library.ris", Authorization="Bearer nope"))
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    in_query = writable.post(f"/import?token={TOKEN}", **raw("library.ris"))
    assert in_query.status_code == 401  # a token in the query string is never taken
    urlencoded = writable.post("/import", data={"token": TOKEN, "file": "TY  - JOUR"})
    assert urlencoded.status_code == 401  # only the multipart form may carry it
    form = {"file": (io.BytesIO((DATA / "library.ris").read_bytes()), "library.ris"), "token": "nope"}
    assert writable.post("/import", data=form).status_code == 401
    off = client.post("/import", **raw("library.ris", **AUTH))  # no tokens configured: writes are off
    assert off.status_code == 403
    assert quads(data) == before


@pytest.mark.parametrize(("name", "status", "detail"), [
    ("unterminated.ris", 400, "unterminated.ris:1: record 1 has no 'ER  - ' line"),
    ("broken.bib", 400, "broken.bib:7: a BibTeX entry with a syntax error"),
    ("missing-method.csv", 400, "missing-method.csv:3: row 3, column D (method) is empty"),
    ("unknown-role.csv", 400, "unknown-role.csv:4: row 3, column D (informants): 'housing officers' is not in the informant roles"),
    ("unknown-kind.txt", 415, "unknown-kind.txt: not a document of any known kind"),
])
def test_unreadable_input_names_the_file_and_line_and_writes_nothing(writable, data, name, status, detail):
    before = quads(data)
    refused = writable.post("/import", **raw(name, **AUTH))
    assert (refused.status_code, refused.mimetype) == (status, "application/problem+json")
    assert refused.json["detail"].startswith(detail), refused.json["detail"]
    assert quads(data) == before


def test_an_unknown_kind_is_415(writable):
    refused = writable.post("/import?kind=endnote", **raw("library.ris", **AUTH))
    assert refused.status_code == 415 and refused.json["detail"].startswith("unknown kind 'endnote'")


def test_a_non_conforming_import_is_422_with_the_report_and_writes_nothing(writable, data):
    before = quads(data)
    for query in ("", "?dry_run=1"):
        refused = writable.post("/import" + query, data=NONE_ASKED, headers={"Content-Type": "text/csv", "Slug": "none-asked.csv"} | AUTH)
        assert (refused.status_code, refused.mimetype) == (422, "application/problem+json")
        assert refused.json["report"]["conforms"] is False and refused.json["report"]["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
        assert refused.json["report"]["groups"][0]["path_short"] == "pkg:sampleSize"
        # the line of the uploaded document, not of the N-Triples generated from it
        assert [(r["file"], r["line"], r["value"]) for r in refused.json["report"]["groups"][0]["results"]] == [
            ("none-asked.csv", 2, '"0"^^<http://www.w3.org/2001/XMLSchema#integer>')]
    assert quads(data) == before


def test_a_refused_import_of_several_files_names_the_file_and_line_on_its_page(writable, data):
    """The form's page for a refused import shows each result at the document and line it was read from."""
    before = quads(data)
    form = {"file": [(io.BytesIO((DATA / "library.ris").read_bytes()), "library.ris"), (io.BytesIO(NONE_ASKED), "none-asked.csv")],
            "graph": "batch", "token": TOKEN}
    refused = writable.post("/import", data=form, headers={"Accept": "text/html"})
    assert (refused.status_code, refused.mimetype) == (422, "text/html")
    assert "<h2 id=\"verdict\" class=\"verdict fails\">library.ris, none-asked.csv: Does not conform</h2>" in refused.text
    assert '<th scope="col">File:line</th>' in refused.text and "<td><code>none-asked.csv:2</code></td>" in refused.text
    assert quads(data) == before


def test_a_live_server_imports_with_a_token(data):
    with serving(data.data_dir, env={"PEERKG_TOKENS": f"alice:{TOKEN}"} | backend_env(data)) as url:
        refused = requests.post(url + "/import", data=(DATA / "broken.bib").read_bytes(), timeout=60,
                                headers={"Content-Type": "application/x-bibtex", "Slug": "broken.bib"} | AUTH)
        assert refused.status_code == 400 and refused.json()["detail"].startswith("broken.bib:7: ")
        done = requests.post(url + "/import", files={"file": ("library.ris", (DATA / "library.ris").read_bytes())},
                             data={"token": TOKEN}, timeout=60)
        assert (done.status_code, done.headers["Content-Type"]) == (201, "application/json"), done.text
        assert done.json()["triples"] == 135
        graph = requests.get(url + "/store", params={"graph": LIBRARY}, headers={"Accept": "application/n-triples"}, timeout=60)
        assert graph.status_code == 200 and len(graph.text.splitlines()) == 135


def test_a_curator_imports_through_the_form_in_a_browser(data, browser):
    """Debian's chromium fills in and sends the form under the site's Content-Security-Policy."""
    with serving(data.data_dir, env={"PEERKG_TOKENS": f"alice:{TOKEN}"} | backend_env(data)) as url:
        context = browser.new_context()
        page = context.new_page()
        violations = []
        page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
        page.goto(url + "/validate")
        page.get_by_role("link", name="Import").click()
        page.get_by_label("File").set_input_files(str(DATA / "library.ris"))
        page.get_by_label("Kind").select_option("ris")
        page.get_by_label("Graph name").fill("my-library")
        page.get_by_label("Curator token").fill(TOKEN)
        with page.expect_navigation():
            page.get_by_role("button", name="Import").click()
        verdict = " ".join(page.locator("#verdict").inner_text().split())
        context.close()
    assert verdict == "Created https://w3id.org/peerkg/graph/curated/my-library" and violations == []
    assert len(list(backends.quads(backends.open(data), ox.NamedNode("https://w3id.org/peerkg/graph/curated/my-library")))) == 135

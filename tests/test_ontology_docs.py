"""The ontology's HTML page (peerkg.web.ontology_docs): pyLODE's documentation in the site's layout, with
the ontology's own title and metadata, rendered once per ontology file and kept in the data directory."""

from __future__ import annotations

import re
import shutil

import pytest

from peerkg.web import create_app, ontology_docs


@pytest.fixture(scope="module")
def data_dir(built, tmp_path_factory):
    """A copy of the built data directory, so that this module's rendering starts from none."""
    target = tmp_path_factory.mktemp("ontology-docs") / "data"
    shutil.copytree(built.data_dir, target, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads", "ontology-docs"))
    return target


@pytest.fixture(scope="module")
def page(data_dir) -> str:
    ontology_docs._documentation.cache_clear()
    client = create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).test_client()
    response = client.get("/ontology.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_the_page_has_the_ontology_title_not_a_concept_scheme(page):
    assert re.findall(r"<title>(.*?)</title>", page) == ["Peer Support Knowledge Graph ontology · Peer Support Knowledge Graph"]
    assert re.findall(r"<h1>(.*?)</h1>", page) == ["Peer Support Knowledge Graph ontology"]
    assert "valence scheme</h1>" not in page and "<title>valence scheme" not in page


def test_the_metadata_names_the_ontology_iri_and_one_description(page):
    iri = re.search(r"<strong>IRI</strong>\s*</dt>\s*<dd>\s*<code>(.*?)</code>", page)
    assert iri[1] == "https://w3id.org/peerkg/ontology"
    assert page.count("The classes and properties of the Peer Support Knowledge Graph") == 1
    assert "https://w3id.org/peerkg/ontology/0.1.0" in page


def test_the_page_is_in_the_site_layout(page):
    assert page.count('<nav aria-label="Main">') == 1 and '<a class="skip" href="#main">' in page
    assert '<main id="main"' in page and 'id="pylode"' not in page
    assert 'id="qualitativemetasynthesis"' in page.lower()
    assert '<link rel="alternate" type="text/turtle" href="/ontology.ttl">' in page


def test_it_is_rendered_once_and_read_by_every_later_worker(page, data_dir):
    [cached] = (data_dir / ontology_docs.DIRECTORY).glob("*.json")
    written = cached.stat().st_mtime_ns
    ontology_docs._documentation.cache_clear()  # as a new worker process would start
    again = create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).test_client().get("/ontology.html")
    assert again.get_data(as_text=True) == page
    assert cached.stat().st_mtime_ns == written and len(list((data_dir / ontology_docs.DIRECTORY).glob("*.json"))) == 1

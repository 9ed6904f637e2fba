"""Dereferencing over real HTTP: every kind of IRI answers 303 to its documents, which parse back isomorphic."""

from __future__ import annotations

import pytest
import requests
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.compare import isomorphic

from conftest import PROJECT_ROOT
from peerkg import queries

DESCRIBE = queries.get(PROJECT_ROOT / "queries", "describe")
# One IRI of every kind of resource the graph mints.
SAMPLES = {
    "study": "id/study/mowbray-1996",
    "review": "id/study/review-2012",
    "article": "id/work/metasynthesis-2013",
    "cited work": "id/work/gates-2007",
    "citing article": "id/work/moran-2025",
    "informant group": "id/study/gates-2007/informants/peer-providers",
    "informant role": "id/informant-role/supervisors",
    "method": "id/method/focus-groups",
    "theme": "id/theme/workload",
    "theme category": "id/theme-category/other",
    "valence statement": "id/valence-statement/role-ambiguity/challenge",
    "finding": "id/finding/colleagues-and-stigma/challenge/mixed",
    "sample group": "id/sample-group/carers",
    "role activity": "id/role-activity/skill-building-mentoring-goal-setting",
    "reference entry": "id/reference/jacobson-job-description/10",
    "abstract section": "id/work/metasynthesis-2013/abstract/2",
    "person": "id/person/von-peter-s",
    "source document": "id/document/umbrella_table6",
    "source passage": "id/passage/review_table3/14",
    "concept scheme": "id/scheme/methods",
    "work match": "id/match/moll-2009",
}
FORMATS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
           "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml"),
           "nq": ("application/n-quads", "nquads"), "trig": ("application/trig", "trig")}


def parsed(content: bytes, rdflib_format: str) -> Graph:
    """A document's triples; in N-Quads and TriG they must all be in the default graph."""
    if rdflib_format not in ("nquads", "trig"):
        return Graph().parse(data=content, format=rdflib_format)
    dataset = Dataset()
    dataset.parse(data=content, format=rdflib_format)
    assert [g.identifier for g in dataset.graphs() if len(g)] == [DATASET_DEFAULT_GRAPH_ID]
    return dataset.graph(DATASET_DEFAULT_GRAPH_ID)


def expected(kg, path: str) -> Graph:
    results = DESCRIBE.run(kg, {"resource": path})
    import pyoxigraph as ox

    return Graph().parse(data=results.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_parses_back_isomorphic_in_every_format(server, kg, kind):
    path = SAMPLES[kind]
    store_view = expected(kg, path)
    assert len(store_view) > 3
    for suffix, (media, rdflib_format) in FORMATS.items():
        response = requests.get(f"{server}/{path}.{suffix}")
        assert response.status_code == 200, (path, suffix)
        assert response.headers["Content-Type"].split(";")[0] == media
        assert f'<https://w3id.org/peerkg/{path}>; rel="describes"' in response.headers["Link"]
        assert isomorphic(parsed(response.content, rdflib_format), store_view), (path, suffix)


@pytest.mark.parametrize("accept, suffix", [
    ("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"), ("text/html,application/xhtml+xml,*/*;q=0.8", "html"), ("*/*", "html"),
    ("application/json", "jsonld"), ("text/turtle;q=0.4, application/n-triples;q=0.9", "nt"),
    ("application/n-quads", "nq"), ("application/trig", "trig"),
    # Comunica 4's Accept, N-Quads first
    ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,text/turtle;q=0.6", "nq"),
])
def test_the_thing_answers_303_to_the_document_the_client_asked_for(server, accept, suffix):
    response = requests.get(f"{server}/id/theme/workload", headers={"Accept": accept}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/id/theme/workload.{suffix}"
    assert "Accept" in response.headers["Vary"]
    assert '</id/theme/workload.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]


def test_nothing_acceptable_is_406(server):
    response = requests.get(f"{server}/id/theme/workload", headers={"Accept": "image/png"}, allow_redirects=False)
    assert response.status_code == 406


def test_the_html_page_shows_where_the_finding_was_read(server):
    page = requests.get(f"{server}/id/finding/colleagues-and-stigma/challenge/mixed.html")
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.text
    assert "<h1>Colleagues and stigma: Challenge, Mixed</h1>" in html
    assert "001_85302dd9911c6030.txt</a>, Table 6, theme &#39;Colleagues and stigma&#39;, Challenge, Mixed paragraph, line 175" in html
    assert "Concerns from healthcare professionals and policymakers over effectiveness" in html
    assert '<a href="/id/theme/colleagues-and-stigma">Colleagues and stigma</a>' in html
    assert '<script type="application/ld+json">' in html
    assert '<link rel="alternate" type="text/turtle" href="/id/finding/colleagues-and-stigma/challenge/mixed.ttl">' in html


def test_an_iri_the_graph_does_not_hold_is_a_helpful_404(server):
    as_html = requests.get(f"{server}/id/study/nobody-1900", headers={"Accept": "text/html"})
    assert as_html.status_code == 404 and as_html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<a href="/id/study/armstrong-1995">https://w3id.org/peerkg/id/study/armstrong-1995</a>' in as_html.text
    as_json = requests.get(f"{server}/id/study/nobody-1900.ttl")
    assert as_json.status_code == 404
    assert as_json.json()["iri"] == "https://w3id.org/peerkg/id/study/nobody-1900"


def test_named_graph_iris_give_their_triples(server, kg):
    import pyoxigraph as ox

    response = requests.get(f"{server}/graph/links", headers={"Accept": "application/n-triples"}, allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"] == "/graph/links.nt"
    served = Graph().parse(data=requests.get(server + "/graph/links.nt").content, format="nt")
    held = Graph().parse(data=kg.dump(ox.RdfFormat.N_TRIPLES, graph=ox.NamedNode("https://w3id.org/peerkg/graph/links")), format="nt")
    assert len(held) == 24 and isomorphic(served, held)


def test_the_ontology_at_its_iri(server):
    assert requests.get(server + "/ontology", headers={"Accept": "text/html"}, allow_redirects=False).headers["Location"] == "/ontology.html"
    assert requests.get(server + "/ontology/0.1.0", headers={"Accept": "text/turtle"}, allow_redirects=False).headers["Location"] == "/ontology/0.1.0.ttl"
    served = Graph().parse(data=requests.get(server + "/ontology.ttl").content, format="turtle")
    assert isomorphic(served, Graph().parse(PROJECT_ROOT / "ontology" / "peerkg.ttl"))
    docs = requests.get(server + "/ontology.html")
    assert docs.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Peer Support Knowledge Graph ontology" in docs.text and "QualitativeMetasynthesis" in docs.text
    assert requests.get(server + "/ontology/9.9.9.ttl").status_code == 404
    assert (URIRef("https://w3id.org/peerkg/ontology"), None, None) in served


def test_a_configured_base_is_served_at_the_matching_paths(project_copy, monkeypatch):
    from peerkg import build
    from peerkg.web import create_app

    monkeypatch.setenv("PEERKG_BASE", "http://kg.example.org/peer/")
    build.build(project_copy)
    client = create_app({"TESTING": True, "DATA_DIR": str(project_copy.data_dir)}).test_client()
    response = client.get("/id/study/mowbray-1996.nt")
    assert response.status_code == 200
    assert "<http://kg.example.org/peer/id/study/mowbray-1996> <https://w3id.org/peerkg/ontology#reportedIn> <http://kg.example.org/peer/id/work/mowbray-1996> ." in response.get_data(as_text=True)
    assert client.get("/id/method/focus-groups.ttl").status_code == 200


def test_descriptions_are_bounded_however_often_a_resource_is_linked():
    """Every value of a property with at most 100 of them, 200 of the larger ones; incoming links alike."""
    import pyoxigraph as ox

    base = "https://w3id.org/peerkg/id/"
    hub = ox.NamedNode(base + "work/hub")
    cites, cited_by = ox.NamedNode("http://purl.org/spar/cito/cites"), ox.NamedNode("http://purl.org/spar/cito/isCitedBy")
    store = ox.Store()
    graph = ox.NamedNode("https://w3id.org/peerkg/graph/curated/bounded")
    quads = [ox.Quad(hub, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("The hub"), graph)]
    for n in range(250):
        work = ox.NamedNode(f"{base}work/citing-{n}")
        quads += [ox.Quad(hub, cited_by, work, graph), ox.Quad(work, cites, hub, graph)]
    for n in range(3):
        quads.append(ox.Quad(ox.NamedNode(f"{base}study/s-{n}"), ox.NamedNode("https://w3id.org/peerkg/ontology#reportedIn"), hub, graph))
    store.extend(quads)
    described = list(store.query(DESCRIBE.text, substitutions={ox.Variable("resource"): hub}, use_default_graph_as_union=True))
    own = [t for t in described if t.subject == hub]
    incoming = [t for t in described if t.object == hub]
    assert sum(1 for t in own if t.predicate == cited_by) == 200 and len(own) == 201
    assert sum(1 for t in incoming if t.predicate == cites) == 200 and len(incoming) == 203


def test_a_page_says_how_much_of_a_large_description_it_shows(project_copy):
    from peerkg import build
    from peerkg.curation import commit
    from peerkg.web import create_app

    build.build(project_copy)
    head, _, body = (PROJECT_ROOT / "examples" / "curated-study.ttl").read_text().partition("@base <https://w3id.org/peerkg/id/> .\n")
    corpus = project_copy.root / "corpus.ttl"
    corpus.write_text(head + "@base <https://w3id.org/peerkg/id/> .\n" + "".join(
        body.replace("example-2024", f"study-{n}-2024").replace("Example et al. 2024", f"Study {n} et al. 2024") for n in range(250)))
    from click.testing import CliRunner
    from peerkg.cli import main

    done = CliRunner().invoke(main, ["--data-dir", str(project_copy.data_dir), "ingest", str(corpus), "--graph", "bounded", "--curator", "test"])
    assert done.exit_code == 0, done.output
    client = create_app({"TESTING": True, "DATA_DIR": str(project_copy.data_dir)}).test_client()
    page = client.get("/id/work/mowbray-1996.html").get_data(as_text=True)
    # 250 new citing works: cito:isCitedBy (256 values in all) and the incoming cito:cites (252) have more
    # than 100 values each, so 200 of each show, beside every other statement and link.
    assert "228 of its 281 statements are shown (200 values of a property with more than 100)" in page
    assert "204 of the 256 links to it are shown (200 by a property with more than 100)" in page

"""The dataset description (VoID, DCAT): the library's facts and graph, and /dataset and /.well-known/void over HTTP."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest
import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from peerkg import backends, dataset, exports, iris
from peerkg.config import PROJECT_ROOT
from peerkg.backends import Limits
from peerkg.iris import DCAT, FABIO, PKG, PRISM, VOID

from peerkg.iris import SPDX
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
DEVELOPERS = URIRef("https://w3id.org/peerkg/id/agent/peerkg-developers")
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def facts(built):
    backend = backends.open(built)
    return dataset.gather(dataset.backend_runner(backend, Limits(30, 10**9)), PROJECT_ROOT / "queries", backend.version())


@pytest.fixture(scope="module")
def quad_count(kg) -> int:
    """Distinct triples of the union: a triple two graphs state counts once."""
    return len({(q.subject, q.predicate, q.object) for q in kg.quads()})


# --- the library ---------------------------------------------------------------------------------------


def test_facts_count_the_store(facts, kg, quad_count):
    assert facts.version == kg.version
    assert facts.stats["triples"] == quad_count
    classes = dict(facts.classes)
    assert classes[str(PKG.Finding)] == 42
    assert classes[str(PKG.Theme)] == 20
    assert len(facts.classes) == facts.stats["classes"]
    assert len(facts.properties) == facts.stats["properties"]
    assert sum(triples for _, triples in facts.properties) == quad_count


def test_facts_hold_the_build_time_and_the_source_articles(facts, kg):
    [row] = kg.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?ended WHERE { GRAPH ?g { ?b prov:endedAtTime ?ended } }"
    )
    assert facts.modified == Literal(row["ended"].value, datatype=XSD.dateTime)
    works = [str(w) for w in dataset.source_works(facts.sources)]
    assert works == [str(iris.work(key)) for key in ("jacobson-job-description", "metasynthesis-2013", "review-2012", "umbrella-review")]
    assert facts.sources.value(iris.work("review-2012"), PRISM.doi) == Literal("10.2174/1745017901208010022")
    assert facts.sources.value(iris.work("metasynthesis-2013"), FABIO.hasPubMedId) == Literal("23477647")


def test_the_description_graph_names_every_node(facts, kg, tmp_path):
    files = exports.write(kg, tmp_path / "export")
    urls = dataset.Urls("http://example.org/dataset", "http://example.org/", "http://example.org/sparql", "http://example.org/download/")
    graph = dataset.describe(facts, files, urls)
    assert not [t for t in graph if any(isinstance(term, BNode) for term in t)]
    ds = URIRef("http://example.org/dataset#dataset")
    assert (ds, RDF.type, VOID.Dataset) in graph and (ds, RDF.type, DCAT.Dataset) in graph
    assert graph.value(ds, VOID.uriSpace) == Literal(iris.base() + "id/")
    assert graph.value(ds, OWL.versionInfo) == Literal(kg.version)
    assert len(list(graph.objects(ds, DCAT.distribution))) == 12


# --- over HTTP -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def described(server) -> Graph:
    response = requests.get(server + "/dataset", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def node(server):
    return lambda fragment: URIRef(f"{server}/dataset#{fragment}")


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
@pytest.mark.parametrize("media", RDF_TYPES)
def test_the_description_parses_in_every_format(server, described, path, media):
    response = requests.get(server + path, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in response.headers["Vary"]
    assert isomorphic(Graph().parse(data=response.content, format=RDF_TYPES[media]), described)


def test_browsers_get_html_and_crawlers_turtle(server):
    html = requests.get(server + "/dataset", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Peer Support Knowledge Graph" in html.text and 'href="/download/"' in html.text
    assert '<script type="application/ld+json">' in html.text
    for accept in ("*/*", None):
        response = requests.get(server + "/.well-known/void", headers={"Accept": accept} if accept else {})
        assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert requests.get(server + "/dataset?format=jsonld").headers["Content-Type"] == "application/ld+json"


def test_an_unacceptable_type_is_406_and_a_bad_format_400(server):
    assert requests.get(server + "/dataset", headers={"Accept": "image/png"}).status_code == 406
    assert requests.get(server + "/dataset?format=csv").status_code == 400


def test_a_known_etag_gets_304(server):
    first = requests.get(server + "/dataset", headers={"Accept": "text/turtle", "Accept-Encoding": "identity"})
    again = requests.get(server + "/dataset", headers={"Accept": "text/turtle", "Accept-Encoding": "identity", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_what_who_licence_and_version(described, node, kg):
    ds = node("dataset")
    assert {(ds, RDF.type, VOID.Dataset), (ds, RDF.type, DCAT.Dataset)} <= set(described)
    assert described.value(ds, DCTERMS.title) == Literal("Peer Support Knowledge Graph", lang="en")
    assert described.value(ds, DCTERMS.description)
    assert described.value(ds, DCTERMS.license) == CC_BY
    assert described.value(ds, DCTERMS.creator) == DEVELOPERS
    assert described.value(ds, OWL.versionInfo) == described.value(ds, DCAT.version) == Literal(kg.version)
    [row] = kg.query("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?ended WHERE { GRAPH ?g { ?b prov:endedAtTime ?ended } }")
    assert described.value(ds, DCTERMS.modified).toPython() == Literal(row["ended"].value, datatype=XSD.dateTime).toPython()


def test_the_source_articles_with_their_identifiers(described, node):
    # prov:wasDerivedFrom, not dcterms:source: DCAT-AP 3.0 wants a dcat:Dataset as the value of that.
    sources = set(described.objects(node("dataset"), PROV.wasDerivedFrom))
    assert sources == {iris.work(k) for k in ("jacobson-job-description", "metasynthesis-2013", "review-2012", "umbrella-review")}
    assert not list(described.objects(node("dataset"), DCTERMS.source))
    assert described.value(iris.work("review-2012"), PRISM.doi) == Literal("10.2174/1745017901208010022")
    assert described.value(iris.work("metasynthesis-2013"), FABIO.hasPubMedId) == Literal("23477647")
    # Every source article has a name: the 2012 review, whose seed gives no title, a label saying what it is.
    names = {key: described.value(iris.work(key), DCTERMS.title) or described.value(iris.work(key), RDFS.label)
             for key in ("jacobson-job-description", "metasynthesis-2013", "review-2012", "umbrella-review")}
    assert names["review-2012"] == Literal("A literature review of 2012 (its seed states no title)")
    assert all(names.values())
    # and each the seed file its excerpt is in.
    seeds = {str(described.value(document, DCTERMS.identifier)): described.value(document, DCTERMS.isPartOf)
             for document in described.subjects(RDF.type, PKG.SourceDocument)}
    assert seeds == {"000_55cb9b85baa6787a.txt": iris.work("review-2012"), "001_85302dd9911c6030.txt": iris.work("umbrella-review"),
                     "002_eb184550ae9a1ff6.txt": iris.work("metasynthesis-2013"),
                     "003_271100d76ceb042c.txt": iris.work("jacobson-job-description")}


DCAT_AP = PROJECT_ROOT / "tests" / "data" / "dcat-ap.ttl"


def test_the_description_conforms_to_dcat_ap_3(described):
    from pyshacl import validate

    conforms, _, text = validate(described, shacl_graph=Graph().parse(DCAT_AP), inference="none", allow_warnings=False)
    assert conforms, text
    service = next(described.subjects(RDF.type, DCAT.DataService))
    assert described.value(service, DCTERMS.title) == Literal("SPARQL 1.1 endpoint of the Peer Support Knowledge Graph", lang="en")


def test_the_dcat_ap_shapes_can_fail(described):
    """The check is not empty: the description as 0.1.0 served it (no title on the data service, journal
    articles as dcterms:source) breaks the shapes, once for each."""
    from pyshacl import validate

    broken = Graph() + described
    service = next(broken.subjects(RDF.type, DCAT.DataService))
    broken.remove((service, DCTERMS.title, None))
    dataset_node = next(broken.subjects(RDF.type, DCAT.Dataset))
    broken.add((dataset_node, DCTERMS.source, iris.work("review-2012")))
    conforms, report, _ = validate(broken, shacl_graph=Graph().parse(DCAT_AP), inference="none")
    SH = iris.SH
    failed = sorted((str(report.value(r, SH.focusNode)).rsplit("/", 1)[-1], str(report.value(r, SH.resultPath)).rsplit("/", 1)[-1])
                    for r in report.subjects(RDF.type, SH.ValidationResult))
    assert not conforms and failed == [("dataset#dataset", "source"), ("sparql", "title")]


def test_statistics_and_partitions_have_exact_numbers(described, node, quad_count, facts):
    ds = node("dataset")
    assert described.value(ds, VOID.triples) == Literal(quad_count, datatype=XSD.integer)
    for name in dataset.VOID_FIELDS:
        assert described.value(ds, VOID[name]).toPython() == facts.stats[name]
    partitions = {described.value(p, VOID["class"]): described.value(p, VOID.entities).toPython()
                  for p in described.objects(ds, VOID.classPartition)}
    assert partitions[PKG.Finding] == 42 and partitions[PKG.Theme] == 20
    assert len(partitions) == facts.stats["classes"]
    assert node("class-pkg-Finding") in set(described.objects(ds, VOID.classPartition))
    properties = {described.value(p, VOID.property): described.value(p, VOID.triples).toPython()
                  for p in described.objects(ds, VOID.propertyPartition)}
    assert len(properties) == facts.stats["properties"] and sum(properties.values()) == quad_count
    assert properties[RDF.type] == dict(facts.properties)[str(RDF.type)]
    assert node("property-dcterms-title") in set(described.objects(ds, VOID.propertyPartition))


def test_vocabularies_examples_and_uri_space(described, node, kg):
    ds = node("dataset")
    vocabularies = set(described.objects(ds, VOID.vocabulary))
    assert {URIRef(str(PKG)), URIRef(str(DCTERMS)), URIRef(str(RDF)), URIRef(str(FABIO))} <= vocabularies
    kinds = {
        row["class"].value
        for example in described.objects(ds, VOID.exampleResource)
        for row in kg.query("SELECT ?example ?class WHERE { ?example a ?class }",
                            substitutions={ox.Variable("example"): ox.NamedNode(str(example))})
    }
    assert {str(PKG.QualitativeStudy), str(PKG.Finding), str(PKG.Theme), str(FABIO.JournalArticle)} <= kinds
    assert described.value(ds, VOID.uriSpace) == Literal("https://w3id.org/peerkg/id/")


def test_endpoint_and_landing_page_are_the_server_as_reached(described, node, server):
    ds = node("dataset")
    assert described.value(ds, VOID.sparqlEndpoint) == URIRef(server + "/sparql")
    assert described.value(ds, DCAT.landingPage) == URIRef(server + "/")


def test_distributions_give_the_real_size_and_checksum_of_every_dump(described, node, server):
    ds = node("dataset")
    distributions = list(described.objects(ds, DCAT.distribution))
    assert len(distributions) == 12
    urls = set()
    for distribution in distributions:
        assert (distribution, RDF.type, DCAT.Distribution) in described
        url = described.value(distribution, DCAT.downloadURL)
        urls.add(str(url))
        response = requests.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert described.value(distribution, DCAT.byteSize) == Literal(len(response.content), datatype=XSD.nonNegativeInteger)
        checksum = described.value(distribution, SPDX.checksum)
        assert isinstance(checksum, URIRef)
        assert described.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(described.value(checksum, SPDX.checksumValue)) == hashlib.sha256(response.content).hexdigest()
        media = described.value(distribution, DCAT.mediaType)
        if str(url).endswith(".gz"):
            assert described.value(distribution, DCAT.compressFormat) == URIRef(IANA + "application/gzip")
            assert response.headers["Content-Type"] == "application/gzip"
        else:
            assert media == URIRef(IANA + response.headers["Content-Type"].split(";")[0])
    assert urls == {f"{server}/download/peerkg.{s}{gz}" for s in ("ttl", "nt", "nq", "trig", "jsonld", "rdf") for gz in ("", ".gz")}
    dumps = {str(u) for u in described.objects(ds, VOID.dataDump)}
    assert dumps == {u for u in urls if not u.endswith(".gz")}


def test_the_service_description_links_the_dataset_description(server):
    response = requests.get(server + "/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(server + "/sparql#dataset"), RDFS.seeAlso, URIRef(server + "/dataset")) in graph


# --- kept when a version is published ------------------------------------------------------------------


def test_kept_facts_are_the_gathered_facts(facts, tmp_path):
    dataset.save(facts, tmp_path)
    kept = dataset.load(tmp_path)
    assert kept == facts and isomorphic(kept.sources, facts.sources)
    assert kept.modified == facts.modified and kept.stats["classes"] == len(kept.classes)
    assert dataset.load(tmp_path / "elsewhere") is None


def test_a_published_export_keeps_the_facts_and_resources_outside_its_checksums(built, facts, tmp_path):
    directory = exports.location(tmp_path, backends.open(built).version())
    files = exports.ensure(backends.open(built), directory, built)
    assert dataset.load(directory) == facts
    assert len((directory / "resources.txt").read_text().splitlines()) == 772
    assert {"dataset.json", "resources.txt"}.isdisjoint(f.path for f in files)
    assert "dataset.json" not in (directory / "SHA256SUMS").read_text()


def test_the_page_reads_the_facts_kept_at_publishing(built, tmp_path):
    """A request counts nothing: what /dataset and the home page state is what the version's dataset.json says."""
    import shutil

    from peerkg.web import create_app

    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    backend = backends.open(built)
    directory = exports.location(data, backend.version())
    exports.ensure(backend, directory, built)
    kept = (directory / "dataset.json").read_text()
    (directory / "dataset.json").write_text(kept.replace(f'"triples": {dataset.load(directory).stats["triples"]},', '"triples": 1234567,'))
    client = create_app({"TESTING": True, "DATA_DIR": str(data)}).test_client()
    response = client.get("/dataset?format=ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    assert set(graph.objects(None, VOID.triples)) >= {Literal(1234567, datatype=XSD.integer)}
    assert "<strong>1,234,567</strong> distinct triples" in client.get("/").text  # and so does the home page

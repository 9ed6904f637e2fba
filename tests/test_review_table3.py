"""peerkg.parsers.review_table3: exact facts of seeds/000_…txt (Table 3 of the 2012 literature review)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS, SDO, XSD

from conftest import PROJECT_ROOT, seed_text
from peerkg import iris
from peerkg.errors import SeedError
from peerkg.iris import BIRO, FABIO, PKG, PRISM
from peerkg.parsers import review_table3

TEXT = seed_text(review_table3.FILE_NAME)

# (study key, authors as written, reference number, [(informant label, n)], method concept slugs)
ROWS = [
    ("armstrong-1995", "Armstrong et al.", 46, [("Consumer volunteers", 23)], ["semi-structured-individual-interviews"]),
    ("mowbray-1996", "Mowbray et al.", 40, [("Peer support specialists who completed the training", 11)], ["focus-groups"]),
    ("mowbray-1998", "Mowbray et al.", 42, [("Former peer support specialists", 11)], ["semi-structured-individual-interviews"]),
    ("yuen-2003", "Yuen & Fossey", 45, [("Consumer-staff employed", 3)], ["semi-structured-individual-interviews"]),
    ("doherty-2004", "Doherty et al.", 39, [("Consumer employees", 2), ("other team members", 10)], ["semi-structured-interviews"]),
    ("gates-2007", "Gates & Akabas", 50, [("Mental health agency staff", 93), ("peer providers", 15)],
     ["semi-structured-telephone-interviews", "focus-groups"]),
    ("chinman-2008", "Chinman et al.", 41, [("Consumer-providers", 59), ("supervisors", 34)], ["focus-groups"]),
    ("moll-2009", "Moll et al.", 51, [("Peer support workers", 6), ("managers", 6)], ["in-depth-semi-structured-interviews"]),
]


@pytest.fixture(scope="module")
def graph(vocab) -> Graph:
    return review_table3.parse(TEXT, vocab)


def test_eight_studies_and_twelve_informant_groups(graph):
    assert len(set(graph.subjects(RDF.type, PKG.QualitativeStudy))) == 8
    assert len(set(graph.subjects(RDF.type, PKG.InformantGroup))) == 12
    assert set(graph.objects(iris.study("review-2012"), PKG.reviews)) == {iris.study(row[0]) for row in ROWS}


@pytest.mark.parametrize("key, authors, ref, informants, methods", ROWS)
def test_each_row(graph, key, authors, ref, informants, methods):
    study, work = iris.study(key), iris.work(key)
    assert graph.value(work, PKG.authorsAsWritten) == Literal(authors)
    assert graph.value(work, FABIO.hasPublicationYear) == Literal(key[-4:], datatype=XSD.gYear)
    assert graph.value(study, PKG.reportedIn) == work
    entry = iris.reference("review-2012", ref)
    assert graph.value(entry, BIRO.references) == work
    assert graph.value(entry, PKG.referenceNumber) == Literal(ref, datatype=XSD.integer)
    groups = sorted(graph.objects(study, PKG.hasInformantGroup), key=lambda g: graph.value(g, SDO.position).toPython())
    assert [(str(graph.value(g, RDFS.label)), graph.value(g, PKG.sampleSize).toPython()) for g in groups] == informants
    assert sorted(str(m).rsplit("/", 1)[1] for m in graph.objects(study, PKG.dataCollectionMethod)) == sorted(methods)


def test_cells_are_kept_as_written(graph):
    moll = iris.study("moll-2009")
    assert str(graph.value(moll, PKG.methodAsWritten)) == "An in-depth, semi-structured interview."
    assert str(graph.value(moll, PKG.focusedTheme)) == (
        "Issues and challenges associated with integrating peer-support services into “traditional” mental health services."
    )
    assert str(graph.value(iris.study("yuen-2003"), PKG.conclusion)).endswith("negative feelings about the team process.")


def test_article_from_the_citation_line(graph):
    article = iris.work("review-2012")
    assert graph.value(article, PRISM.doi) == Literal("10.2174/1745017901208010022")
    assert graph.value(article, PRISM.publicationDate) == Literal("2012-04-16", datatype=XSD.date)
    assert graph.value(article, PRISM.pageRange) == Literal("22–29")


def test_every_row_fact_points_to_its_line(graph):
    passage = graph.value(iris.study("gates-2007"), PROV.wasDerivedFrom)
    assert graph.value(passage, PKG.line) == Literal(14, datatype=XSD.integer)
    assert str(graph.value(passage, PKG.locator)) == "Table 3, row 6"
    assert str(graph.value(passage, PROV.value)) == TEXT.splitlines()[13]
    group = iris.mint("study", "gates-2007", "informants", "peer-providers")
    assert graph.value(group, PROV.wasDerivedFrom) == passage


def test_furniture_is_not_data(graph):
    assert not any("Skip to main content" in str(o) for o in graph.objects())


def test_matches_the_reviewed_graph(graph):
    expected = Graph().parse(PROJECT_ROOT / "tests" / "data" / "review_table3.ttl")
    assert isomorphic(graph, expected)


def test_a_row_that_does_not_read_names_its_line(vocab):
    broken = TEXT.replace("Consumer volunteers (n=23).", "Consumer volunteers, twenty-three of them.")
    with pytest.raises(SeedError, match=r"000_55cb9b85baa6787a\.txt:9: a Table 3 row does not read"):
        review_table3.parse(broken, vocab)


def test_an_unknown_method_names_its_line(vocab):
    broken = TEXT.replace("Focus group interviews. Consumers as", "Photovoice. Consumers as")
    with pytest.raises(SeedError, match=r":10: no concept labelled 'Photovoice' in scheme 'methods'"):
        review_table3.parse(broken, vocab)

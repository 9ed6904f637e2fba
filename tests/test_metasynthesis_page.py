"""peerkg.parsers.metasynthesis_page: exact facts of seeds/002_…txt (abstract page with citing articles)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SDO, XSD

from conftest import PROJECT_ROOT, seed_text
from peerkg import iris
from peerkg.errors import SeedError
from peerkg.iris import CITO, FABIO, PKG, PRISM
from peerkg.parsers import metasynthesis_page

TEXT = seed_text(metasynthesis_page.FILE_NAME)
ARTICLE = iris.work("metasynthesis-2013")

# key, journal, year, volume, issue, pages, PMID, PMCID, DOI — as the page prints them
CITING = [
    ("brieger-2025", "Nervenarzt", "2025", None, None, None, "40087176", None, "10.1007/s00115-025-01815-9"),
    ("moran-2025", "Epidemiol Psychiatr Sci", "2025", "34", None, "e1", "39801361", "PMC11735117", "10.1017/S2045796024000751"),
    ("roson-rodriguez-2025", "Nurs Open", "2025", "12", "1", "e70100", "39754413", "PMC11702393", "10.1002/nop2.70100"),
    ("walde-2024", "Psychiatr Prax", "2024", "52", "2", "70-79", "39694049", "PMC11903109", "10.1055/a-2490-6896"),
    ("schlachter-2024", "BMC Public Health", "2024", "24", "1", "3159", "39543550", "PMC11562621", "10.1186/s12889-024-20323-0"),
]


@pytest.fixture(scope="module")
def graph(vocab) -> Graph:
    return metasynthesis_page.parse(TEXT, vocab)


def value(graph, subject, predicate):
    found = graph.value(subject, predicate)
    return None if found is None else str(found)


def test_overview(graph):
    assert value(graph, ARTICLE, DCTERMS.title) == "Peer Support in Adult Mental Health Services: a Metasynthesis of Qualitative Findings"
    assert value(graph, ARTICLE, FABIO.hasPubMedId) == "23477647"
    assert graph.value(ARTICLE, PRISM.publicationDate) == Literal("2013-03-13", datatype=XSD.date)
    assert value(graph, ARTICLE, PKG.specialty) == "Psychiatry"
    assert graph.value(ARTICLE, PKG.statedCitationCount) == Literal(94, datatype=XSD.integer)
    # The page's author and affiliation placeholders are not data.
    assert graph.value(ARTICLE, DCTERMS.creator) is None


def test_abstract_sections_in_order(graph):
    sections = sorted(graph.subjects(RDF.type, PKG.AbstractSection), key=lambda s: graph.value(s, SDO.position).toPython())
    assert [value(graph, s, DCTERMS.title) for s in sections] == [
        "Objectives", "Method", "Results", "Conclusions And Implications For Practice",
    ]
    assert value(graph, sections[3], SDO.text).startswith("The findings highlight training, supervision, pay")


def test_the_study_synthesised_27_studies(graph):
    study = iris.study("metasynthesis-2013")
    assert (study, RDF.type, PKG.QualitativeMetasynthesis) in graph
    assert graph.value(study, PKG.numberOfStudiesSynthesised) == Literal(27, datatype=XSD.integer)
    assert graph.value(study, PKG.analysisMethod) == iris.mint("method", "qualitative-metasynthesis")
    # "The experiences of peer support workers, their nonpeer colleagues, and the recipients of peer support
    # services were investigated": the populations of the 27 studies, not informants of the metasynthesis.
    assert sorted(graph.objects(study, PKG.reviewedPopulation)) == [
        iris.mint("sample-group", slug) for slug in ("non-peer-staff", "psws", "service-users")]
    assert not list(graph.objects(study, PKG.hasInformantGroup))
    assert not list(graph.subjects(RDF.type, PKG.InformantGroup))


@pytest.mark.parametrize("key, journal, year, volume, issue, pages, pmid, pmcid, doi", CITING)
def test_citing_articles(graph, key, journal, year, volume, issue, pages, pmid, pmcid, doi):
    work = iris.work(key)
    assert (work, CITO.cites, ARTICLE) in graph and (ARTICLE, CITO.isCitedBy, work) in graph
    assert value(graph, work, PRISM.publicationName) == journal
    assert graph.value(work, FABIO.hasPublicationYear) == Literal(year, datatype=XSD.gYear)
    assert (value(graph, work, PRISM.volume), value(graph, work, PRISM.issueIdentifier)) == (volume, issue)
    assert value(graph, work, PRISM.pageRange) == pages
    assert (value(graph, work, FABIO.hasPubMedId), value(graph, work, FABIO.hasPubMedCentralId)) == (pmid, pmcid)
    assert value(graph, work, PRISM.doi) == doi


def test_five_citing_articles_with_their_authors(graph):
    assert len(set(graph.objects(ARTICLE, CITO.isCitedBy))) == 5
    brieger = iris.work("brieger-2025")
    assert value(graph, brieger, DCTERMS.title) == (
        "[Psychiatric professionals' own crisis and treatment experiences-impact and coping strategies]"
    )
    names = {value(graph, p, FOAF.name) for p in graph.objects(brieger, DCTERMS.creator)}
    assert names == {"Brieger A", "Ponew A", "Lust C", "Speerforck S", "Stutzle S", "von Peter S"}
    assert value(graph, iris.person("von Peter S"), FOAF.familyName) == "von Peter"


def test_matches_the_reviewed_graph(graph):
    expected = Graph().parse(PROJECT_ROOT / "tests" / "data" / "metasynthesis_page.ttl")
    assert isomorphic(graph, expected)


def test_a_citing_article_missing_its_identifiers_names_the_line(vocab):
    broken = TEXT.replace("PMID: 39801361 PMC: 11735117. DOI: 10.1017/S2045796024000751.", "PMID: 39801361.")
    with pytest.raises(SeedError, match=r"002_eb184550ae9a1ff6\.txt:36: expected 'PMID"):
        metasynthesis_page.parse(broken, vocab)


def test_a_citing_article_passage_is_the_exact_source_text(graph):
    passage = graph.value(iris.work("moran-2025"), iris.PROV.wasDerivedFrom)
    assert str(graph.value(passage, iris.PROV.value)) == "\n".join(TEXT.splitlines()[31:36])
    assert str(graph.value(passage, iris.PROV.value)).count("\n\n") == 2

"""Tests for peerkg.parsers.job_description: exact facts from seeds/003_…txt and the reviewed golden graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SDO, SKOS, XSD

from peerkg import iris
from peerkg.errors import SeedError
from peerkg.iris import BIRO, CITO, FABIO, PKG, PRISM
from peerkg.parsers import job_description

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "003_271100d76ceb042c.txt"
GOLDEN = ROOT / "tests" / "data" / "job_description.ttl"
ARTICLE = URIRef("https://w3id.org/peerkg/id/work/jacobson-job-description")


@pytest.fixture(scope="module")
def text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def graph(text, vocab) -> Graph:
    return job_description.parse(text, vocab)


def entry(n: int) -> URIRef:
    return iris.reference(job_description.ARTICLE_KEY, n)


def cited_work(graph: Graph, n: int) -> URIRef:
    return graph.value(entry(n), BIRO.references)


def values(graph: Graph, subject, predicate) -> set:
    return set(graph.objects(subject, predicate))


def role(label: str) -> URIRef:
    return iris.concept("role-activity", label)


def labels_under(graph: Graph, parent: URIRef) -> list[str]:
    """The prefLabels of ``parent``'s narrower concepts, in schema:position order."""
    children = sorted(graph.subjects(SKOS.broader, parent), key=lambda c: graph.value(c, SDO.position).toPython())
    return [str(graph.value(child, SKOS.prefLabel)) for child in children]


# --- the article, its abstract and its study -------------------------------------------------------


def test_article_title_and_authors_once_each(graph):
    assert graph.value(ARTICLE, RDF.type) == FABIO.JournalArticle
    assert graph.value(ARTICLE, DCTERMS.title) == Literal("What do peer support workers do? A job description")
    assert graph.value(ARTICLE, PKG.authorsAsWritten) == Literal("Nora Jacobson, Lucy Trojanowski, Carolyn S Dewa")
    creators = values(graph, ARTICLE, DCTERMS.creator)
    assert creators == {iris.person(n) for n in ("Nora Jacobson", "Lucy Trojanowski", "Carolyn S Dewa")}
    dewa = iris.person("Carolyn S Dewa")
    assert graph.value(dewa, FOAF.name) == Literal("Carolyn S Dewa")
    assert graph.value(dewa, FOAF.familyName) == Literal("Dewa")


def test_abstract_sections_in_order(graph):
    sections = [iris.mint("work", job_description.ARTICLE_KEY, "abstract", n) for n in range(1, 5)]
    assert [str(graph.value(s, DCTERMS.title)) for s in sections] == ["Background", "Methods", "Results", "Conclusions"]
    methods = sections[1]
    assert graph.value(methods, SDO.text) == Literal(
        "Data were gathered through interviews, focus groups, and activity logs and were analyzed using a modified "
        "grounded theory approach."
    )
    assert graph.value(methods, SDO.position) == Literal(2, datatype=XSD.integer)
    assert graph.value(methods, DCTERMS.isPartOf) == ARTICLE
    assert len(set(graph.subjects(RDF.type, PKG.AbstractSection))) == 4


def test_study(graph):
    study = iris.study(job_description.ARTICLE_KEY)
    assert graph.value(study, RDF.type) == PKG.QualitativeStudy
    assert graph.value(study, PKG.reportedIn) == ARTICLE
    assert graph.value(ARTICLE, PKG.reports) == study
    assert graph.value(study, PKG.setting) == Literal("a peer support program at a psychiatric tertiary care facility")
    assert str(graph.value(study, PKG.methodAsWritten)).startswith("Data were gathered through interviews")
    method = lambda label: iris.concept("method", label)  # noqa: E731
    assert values(graph, study, PKG.dataCollectionMethod) == {
        method("interviews"), method("focus groups"), method("activity logs")
    }
    assert values(graph, study, PKG.analysisMethod) == {method("modified grounded theory")}


def test_unknown_method_wording_names_the_methods_line(text):
    class EmptyVocab:
        def concept(self, scheme_name, label):
            raise KeyError(label)

    with pytest.raises(SeedError, match=r"003_271100d76ceb042c\.txt:9: method wording 'interviews'"):
        job_description.parse(text, EmptyVocab())


# --- peer role activities --------------------------------------------------------------------------


def test_role_activity_hierarchy(graph):
    scheme = iris.scheme("peer-role-activities")
    assert graph.value(scheme, RDF.type) == SKOS.ConceptScheme
    tops = sorted(values(graph, scheme, SKOS.hasTopConcept), key=lambda c: graph.value(c, SDO.position).toPython())
    # The kinds of work in text order; no whole that holds them is made up ("peer work" is not in the seed).
    assert [str(graph.value(c, SKOS.prefLabel)) for c in tops] == [
        "direct work",
        "indirect work",
        "work aimed at building relationships with staff",
        "work aimed at legitimizing the peer role",
        "philosophy of work",
    ]
    assert labels_under(graph, role("direct work")) == [
        "advocacy",
        "connecting to resources",
        "experiential sharing",
        "building community",
        "relationship building",
        "group facilitation",
        "skill building/mentoring/goal setting",
        "socialization/self-esteem building",
    ]
    assert labels_under(graph, role("indirect work")) == [
        "group planning and development",
        "administration",
        "team communication",
        "supervision/training",
        "receiving support",
        "education/awareness building",
        "information gathering and verification",
    ]
    assert labels_under(graph, role("philosophy of work")) == [
        "experience", "approach", "presence", "role modeling", "collaboration", "challenge", "compromise"
    ]
    activities = set(graph.subjects(RDF.type, PKG.RoleActivity))
    assert len(activities) == 5 + 8 + 7 + 7  # five top concepts, their 22 types and enactments
    for activity in activities:
        assert (activity, RDF.type, SKOS.Concept) in graph
        assert graph.value(activity, SKOS.inScheme) == scheme
        assert graph.value(activity, PROV.wasDerivedFrom) == iris.passage(job_description.STEM, 11)


def test_compound_activity_is_one_concept_with_alt_labels(graph):
    compound = role("skill building/mentoring/goal setting")
    assert graph.value(compound, SKOS.prefLabel) == Literal("skill building/mentoring/goal setting", lang="en")
    assert values(graph, compound, SKOS.altLabel) == {
        Literal(part, lang="en") for part in ("skill building", "mentoring", "goal setting")
    }
    assert not values(graph, role("advocacy"), SKOS.altLabel)


# --- reference list --------------------------------------------------------------------------------


def test_39_entries_numbered_by_position(graph):
    entries = set(graph.subjects(RDF.type, BIRO.BibliographicReference))
    assert entries == {entry(n) for n in range(1, 40)}
    for n in range(1, 40):
        assert graph.value(entry(n), PKG.referenceNumber) == Literal(n, datatype=XSD.integer)
        assert graph.value(entry(n), DCTERMS.isPartOf) == ARTICLE
        work = cited_work(graph, n)
        assert (ARTICLE, CITO.cites, work) in graph
        assert (work, CITO.isCitedBy, ARTICLE) in graph
    assert len(values(graph, ARTICLE, CITO.cites)) == 39


def test_every_entry_derives_from_its_source_line(graph, text):
    source_lines = text.splitlines()
    for n in range(1, 40):
        passage = graph.value(entry(n), PROV.wasDerivedFrom)
        line = graph.value(passage, PKG.line).toPython()
        assert graph.value(passage, PROV.value) == Literal(source_lines[line - 1])  # exactly, indentation included
        assert graph.value(passage, PKG.locator) == Literal(f"reference {n}")
        assert graph.value(cited_work(graph, n), PROV.wasDerivedFrom) == passage
    assert graph.value(entry(1), PROV.wasDerivedFrom) == iris.passage(job_description.STEM, 17)


def test_journal_article_entry_10(graph):
    work = cited_work(graph, 10)
    assert work == iris.work("mowbray-1996")
    assert graph.value(entry(10), DCTERMS.bibliographicCitation) == Literal(
        "Mowbray CT, Moxley DP, Thrasher S, Bybee D, McCrohan N, Harris S, Clover G. Consumers as community support "
        "providers: issues created by role innovation. Community Ment Health J. 1996;32(1):47–67. "
        "doi: 10.1007/BF02249367."
    )
    assert graph.value(work, RDF.type) == FABIO.JournalArticle
    assert graph.value(work, DCTERMS.title) == Literal(
        "Consumers as community support providers: issues created by role innovation"
    )
    assert graph.value(work, PRISM.publicationName) == Literal("Community Ment Health J")
    assert graph.value(work, FABIO.hasPublicationYear) == Literal("1996", datatype=XSD.gYear)
    assert graph.value(work, PRISM.volume) == Literal("32")
    assert graph.value(work, PRISM.issueIdentifier) == Literal("1")
    assert graph.value(work, PRISM.pageRange) == Literal("47–67")
    assert graph.value(work, PRISM.doi) == Literal("10.1007/BF02249367")
    assert graph.value(work, PKG.authorsAsWritten) == Literal(
        "Mowbray CT, Moxley DP, Thrasher S, Bybee D, McCrohan N, Harris S, Clover G"
    )
    assert len(values(graph, work, DCTERMS.creator)) == 7
    mowbray = iris.person("Mowbray CT")
    assert mowbray in values(graph, work, DCTERMS.creator)
    assert graph.value(mowbray, FOAF.name) == Literal("Mowbray CT")
    assert graph.value(mowbray, FOAF.familyName) == Literal("Mowbray")


def test_authors_keep_the_order_of_the_author_list(graph):
    """Each author of a work has a prov:Attribution with schema:position; the order is the entry's."""
    work = iris.work("mowbray-1996")
    attributions = sorted(graph.objects(work, PROV.qualifiedAttribution), key=lambda a: int(graph.value(a, SDO.position)))
    assert [int(graph.value(a, SDO.position)) for a in attributions] == [1, 2, 3, 4, 5, 6, 7]
    names = [str(graph.value(graph.value(a, PROV.agent), FOAF.name)) for a in attributions]
    assert names == ["Mowbray CT", "Moxley DP", "Thrasher S", "Bybee D", "McCrohan N", "Harris S", "Clover G"]
    assert all(graph.value(a, RDF.type) == PROV.Attribution for a in graph.objects(work, PROV.qualifiedAttribution))


def publisher(graph: Graph, work: URIRef) -> str:
    """A book's publisher is an organisation (dcterms:publisher wants an agent) named as written."""
    organisation = graph.value(work, DCTERMS.publisher)
    assert graph.value(organisation, RDF.type) == FOAF.Organization
    return str(graph.value(organisation, FOAF.name))


@pytest.mark.parametrize(
    ("n", "key"),
    [(6, "mowbray-1994"), (10, "mowbray-1996"), (23, "mowbray-1998"), (14, "corrigan-2006"), (29, "corrigan-2005"),
     (27, "campbell-2005"), (20, "campbell-nd-federal"), (22, "rogers-2007"), (19, "rogers-nd-systematic"),
     (33, "gates-2007"), (34, "moll-2009")],
)
def test_same_first_author_works_stay_apart(graph, n, key):
    assert cited_work(graph, n) == iris.work(key)


def test_all_work_keys_distinct(graph):
    assert len({cited_work(graph, n) for n in range(1, 40)}) == 39


def test_journal_without_doi_entry_34(graph):
    work = cited_work(graph, 34)
    assert graph.value(work, RDF.type) == FABIO.JournalArticle
    assert graph.value(work, PRISM.publicationName) == Literal("Work")
    assert graph.value(work, PRISM.volume) == Literal("33")
    assert graph.value(work, PRISM.issueIdentifier) == Literal("4")
    assert graph.value(work, PRISM.pageRange) == Literal("449–458")
    assert graph.value(work, PRISM.doi) is None


def test_page_quirks_keep_only_the_page_range(graph):
    dixon = cited_work(graph, 4)  # "30(6)):615–625. discussion 627–634."
    assert graph.value(dixon, PRISM.volume) == Literal("30")
    assert graph.value(dixon, PRISM.issueIdentifier) == Literal("6")
    assert graph.value(dixon, PRISM.pageRange) == Literal("615–625")
    manning = cited_work(graph, 35)  # "47(9):939–940. 943."
    assert graph.value(manning, PRISM.pageRange) == Literal("939–940")
    assert graph.value(manning, PRISM.doi) is None


def test_book_entry_1(graph):
    work = cited_work(graph, 1)
    assert work == iris.work("jacobson-2004")
    assert graph.value(work, RDF.type) == FABIO.Book
    assert graph.value(work, DCTERMS.title) == Literal("In recovery: The making of mental health policy")
    assert publisher(graph, work) == "Vanderbilt University Press"
    assert graph.value(work, FABIO.hasPublicationYear) == Literal("2004", datatype=XSD.gYear)
    assert values(graph, work, DCTERMS.creator) == {iris.person("Jacobson N")}
    assert graph.value(work, PRISM.publicationName) is None


def test_chapter_entry_21(graph):
    work = cited_work(graph, 21)
    assert work == iris.work("clay-2005")
    assert graph.value(work, RDF.type) == FABIO.BookChapter
    assert graph.value(work, DCTERMS.title) == Literal("About us: What we have in common")
    assert graph.value(work, PRISM.publicationName) == Literal("On our own, together")
    assert publisher(graph, work) == "Vanderbilt University Press"
    assert graph.value(work, FABIO.hasPublicationYear) == Literal("2005", datatype=XSD.gYear)
    assert graph.value(work, PRISM.pageRange) == Literal("3–16")
    assert graph.value(work, PKG.authorsAsWritten) == Literal("Clay S")


def test_book_with_edition_entry_36(graph):
    work = cited_work(graph, 36)
    assert work == iris.work("catano-2010")
    assert graph.value(work, RDF.type) == FABIO.Book
    assert graph.value(work, DCTERMS.title) == Literal("Recruitment and Selection in Canada")
    assert publisher(graph, work) == "Nelson"
    assert graph.value(work, PKG.authorsAsWritten) == Literal("Catano VM, Wiesner WH, Hackett RD, Methot LL")


def test_undated_entries_are_expressions(graph):
    rogers = cited_work(graph, 19)
    assert graph.value(rogers, RDF.type) == FABIO.Expression
    title = "Systematic review of peer delivered services literature 1989–2009"
    assert graph.value(rogers, DCTERMS.title) == Literal(title)
    assert graph.value(rogers, FABIO.hasPublicationYear) is None
    maine = cited_work(graph, 37)
    assert graph.value(maine, DCTERMS.title) == Literal("Intentional Peer support: what makes it unique?")
    # An organisation author is kept as written, not as a person.
    organisation = "Department of Health and Human Services, State of Maine"
    assert graph.value(maine, PKG.authorsAsWritten) == Literal(organisation)
    assert not values(graph, maine, DCTERMS.creator)


# --- what the seed does not state, and seeds that do not read --------------------------------------


def test_headings_and_furniture_yield_nothing(graph):
    literals = {str(o) for o in graph.objects() if isinstance(o, Literal)}
    assert not literals & {"Abstract", "References", "Source: PubMed", "Abonnieren"}
    # Lines 5 and 15 are headings, 57–60 page furniture (the stray page number "3" among them).
    passage_lines = {graph.value(p, PKG.line).toPython() for p in graph.subjects(RDF.type, PKG.SourcePassage)}
    assert passage_lines == {1, 3, 7, 9, 11, 13} | set(range(17, 56))


def test_colliding_work_keys_are_an_error(text, vocab):
    strauss = "1. Strauss A. Qualitative analysis for social scientists. Cambridge: Cambridge University Press; 1987."
    doubled = text.replace(strauss, strauss + "\n    1. Strauss A. Another book. London: Sage; 1987.")
    with pytest.raises(SeedError, match=r":56: references 39 and 40 both give the work key 'strauss-1987'"):
        job_description.parse(doubled, vocab)


def test_unreadable_entry_is_an_error(text, vocab):
    broken = text.replace("Cambridge: Cambridge University Press; 1987.", "Cambridge University Press 1987")
    with pytest.raises(SeedError, match=r"003_271100d76ceb042c\.txt:55: a reference entry is neither"):
        job_description.parse(broken, vocab)


# --- golden graph ----------------------------------------------------------------------------------


def test_golden_graph(graph):
    expected = Graph().parse(GOLDEN, format="turtle")
    if not isomorphic(graph, expected):
        _, missing, unexpected = graph_diff(to_isomorphic(expected), to_isomorphic(graph))
        pytest.fail(
            "parsed graph differs from tests/data/job_description.ttl\n"
            f"missing:\n{missing.serialize(format='nt')}\nunexpected:\n{unexpected.serialize(format='nt')}"
        )

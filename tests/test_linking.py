"""peerkg.linking: the same work in two documents is one resource, with the evidence of the match."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF

from peerkg import build, iris, linking
from peerkg.config import Settings
from peerkg.errors import SeedError
from peerkg.iris import BIRO, PKG


@pytest.fixture(scope="module")
def graphs():
    return build.assemble(Settings())


def test_four_works_are_cited_by_both_the_review_table_and_the_job_description(graphs):
    links = graphs["links"]
    matched = {str(w).rsplit("/", 1)[1] for w in links.objects(None, PKG.matchedWork)}
    assert matched == {"mowbray-1996", "mowbray-1998", "gates-2007", "moll-2009"}
    for key, row_entry, list_entry in (("mowbray-1996", 40, 10), ("mowbray-1998", 42, 23), ("gates-2007", 50, 33), ("moll-2009", 51, 34)):
        work = iris.work(key)
        assert graphs["review_table3"].value(iris.reference("review-2012", row_entry), BIRO.references) == work
        assert graphs["job_description"].value(iris.reference("jacobson-job-description", list_entry), BIRO.references) == work


def test_the_evidence_names_both_passages(graphs):
    links = graphs["links"]
    match = iris.mint("match", "mowbray-1996")
    assert links.value(match, PKG.matchKey) == Literal("Mowbray 1996")
    passages = {str(p).split("/id/passage/")[1] for p in links.objects(match, PROV.wasDerivedFrom)}
    assert passages == {"review_table3/10", "job_description/26"}
    assert "'Mowbray et al.'" in str(links.value(match, iris.RDFS.comment))


def test_different_works_by_the_same_first_author_stay_apart(graphs):
    jobs = graphs["job_description"]
    mowbray = {str(jobs.value(iris.reference("jacobson-job-description", n), BIRO.references)) for n in (6, 10, 23)}
    assert len(mowbray) == 3


def test_incompatible_author_lists_are_an_error_not_a_merge():
    work = iris.work("smith-2001")
    one, two = Graph(), Graph()
    one.add((work, PKG.authorsAsWritten, Literal("Smith & Jones")))
    two.add((work, PKG.authorsAsWritten, Literal("Smith A, Brown B")))
    for graph in (one, two):
        graph.add((work, RDF.type, iris.FABIO.Expression))
    with pytest.raises(SeedError, match="smith-2001 is cited in a, b with incompatible authors"):
        linking.link({"a": one, "b": two})

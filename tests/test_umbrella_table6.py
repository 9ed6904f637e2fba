"""peerkg.parsers.umbrella_table6: exact facts of seeds/001_…txt (Table 6 of the umbrella review)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, SKOS

from conftest import PROJECT_ROOT, seed_text
from peerkg import iris
from peerkg.errors import SeedError
from peerkg.iris import PKG
from peerkg.parsers import umbrella_table6

TEXT = seed_text(umbrella_table6.FILE_NAME)

THEMES = {
    "What the PSW role can bring": [
        "Wellbeing and recovery", "Recovery and role models", "Career, social inclusion and identity",
        "Experiential knowledge, normalisation and stigma", "Isolation and validation",
        "Rapport and empathy with service users", "Bridge", "Pioneer and expectations",
        "Complementary role, expertise and becoming part of the team",
    ],
    "Confusion over the PSW role": ["Role ambiguity", "Disclosure of peer status", "Boundaries", "Role conflict and professionalization"],
    "Organisational challenges and impact": [
        "Lack of support and training", "The value of the PSW role and low pay", "Workload", "Colleagues and stigma",
        "Challenges for healthcare staff/organisations", "Treatment models",
    ],
    "Other": ["Offering treatment choice"],
}


@pytest.fixture(scope="module")
def graph(vocab) -> Graph:
    return umbrella_table6.parse(TEXT, vocab)


def refs(graph, subject) -> list[int]:
    return sorted(graph.value(e, PKG.referenceNumber).toPython() for e in graph.objects(subject, PKG.backedBy))


def finding(theme: str, valence: str, group: str):
    return iris.mint("finding", iris.slug(theme), valence, group)


def test_twenty_themes_in_four_categories_in_table_order(graph):
    def ordered(subjects):
        return sorted(subjects, key=lambda s: graph.value(s, SDO.position).toPython())

    categories = ordered(graph.subjects(RDF.type, PKG.ThemeCategory))
    assert [str(graph.value(c, SKOS.prefLabel)) for c in categories] == list(THEMES)
    for category in categories:
        themes = ordered(graph.subjects(SKOS.broader, category))
        assert [str(graph.value(t, SKOS.prefLabel)) for t in themes] == THEMES[str(graph.value(category, SKOS.prefLabel))]
    assert len(set(graph.subjects(RDF.type, PKG.Theme))) == 20


def test_counts_of_valence_lines_and_paragraphs(graph):
    assert len(set(graph.subjects(RDF.type, PKG.ValenceStatement))) == 26
    assert len(set(graph.subjects(RDF.type, PKG.Finding))) == 42
    assert len(set(graph.subjects(PKG.stakeholdersAsWritten, None))) == 18
    # 9 Benefit lines with 15 paragraphs, 16 Challenge lines with 26, one line with no valence and 1.
    assert len(set(graph.subjects(PKG.valence, PKG.benefit))) == 9 + 15
    assert len(set(graph.subjects(PKG.valence, PKG.challenge))) == 16 + 26


def test_a_contradiction_in_the_source_is_recorded_as_stated(graph):
    statement = iris.mint("valence-statement", "role-ambiguity", "challenge")
    assert refs(graph, statement) == [32, 38, 42, 43, 53, 54]
    assert refs(graph, finding("Role ambiguity", "challenge", "psws")) == [23, 34]
    assert refs(graph, finding("Role ambiguity", "challenge", "service-users")) == [39, 55]
    assert refs(graph, finding("Role ambiguity", "challenge", "mixed")) == [42, 63, 64]


def test_unlabelled_paragraphs_continue_the_one_before(graph):
    mixed = finding("Colleagues and stigma", "challenge", "mixed")
    summary = str(graph.value(mixed, DCTERMS.description))
    assert summary.startswith("PSW roles could be a threat")
    assert "\n\nConcerns from healthcare professionals" in summary
    assert summary.endswith("challenge clinically dominant ways of thinking.")
    passages = sorted(graph.value(p, PKG.line).toPython() for p in graph.objects(mixed, PROV.wasDerivedFrom))
    assert passages == [175, 177, 179]


def test_the_footnote_marker_is_not_part_of_the_label(graph):
    # "Mixeda" survives only in the exact source text of passages, never as a label or summary.
    passages = set(graph.subjects(RDF.type, PKG.SourcePassage))
    assert not [o for s, o in graph.subject_objects() if "Mixeda" in str(o) and s not in passages]
    group = graph.value(finding("Bridge", "benefit", "mixed"), PKG.sampleGroup)
    assert group == iris.mint("sample-group", "mixed")


def test_stakeholders_as_written_and_as_concepts(graph):
    mixed = finding("Colleagues and stigma", "challenge", "mixed")
    assert str(graph.value(mixed, PKG.stakeholdersAsWritten)) == (
        "PSW, service users, policy makers, peer programme developers, non-peer staff, mental health organisations, "
        "unspecified (in one study)"
    )
    assert {str(s).rsplit("/", 1)[1] for s in graph.objects(mixed, PKG.stakeholder)} == {
        "psws", "service-users", "policy-makers", "peer-programme-developers", "non-peer-staff",
        "mental-health-organisations", "unspecified",
    }
    assert graph.value(finding("Wellbeing and recovery", "challenge", "psws"), PKG.stakeholdersAsWritten) is None


def test_a_theme_without_valence_has_none(graph):
    statement = iris.mint("valence-statement", "offering-treatment-choice", "none")
    assert graph.value(statement, PKG.valence) is None
    assert refs(graph, statement) == [60]
    summary = graph.value(finding("Offering treatment choice", "none", "mixed"), DCTERMS.description)
    assert summary == Literal("Service users should have opportunities to choose among PSWs as service providers.")


def test_footnotes_say_what_the_labels_mean(graph):
    psws, mixed = iris.mint("sample-group", "psws"), iris.mint("sample-group", "mixed")
    assert (psws, SKOS.altLabel, Literal("Peer support worker", lang="en")) in graph
    assert str(graph.value(mixed, SKOS.scopeNote)).startswith("For ‘mixed’ samples the specific sample that stated the theme is unknown")
    assert graph.value(graph.value(mixed, PROV.wasDerivedFrom), PKG.locator) == Literal("Table 6, footnote 2")
    # They describe labels; they are no findings, and the page furniture is no data at all.
    assert not [f for f in graph.subjects(RDF.type, PKG.Finding) if "Peer support worker" in str(graph.value(f, DCTERMS.description))]
    lines = {graph.value(p, PKG.line).toPython() for p in graph.subjects(RDF.type, PKG.SourcePassage)}
    assert {1, 7, 9, 11}.isdisjoint(lines) and {201, 202} <= lines


def test_matches_the_reviewed_graph(graph):
    expected = Graph().parse(PROJECT_ROOT / "tests" / "data" / "umbrella_table6.ttl")
    assert isomorphic(graph, expected)


def test_an_unknown_sample_group_names_its_line(vocab):
    broken = TEXT.replace("Non-peer staff [61]: There was fear", "Volunteers [61]: There was fear")
    with pytest.raises(SeedError, match=r"001_85302dd9911c6030\.txt:\d+: no concept labelled 'Volunteers'"):
        umbrella_table6.parse(broken, vocab)


def test_a_paragraph_before_any_valence_line_is_an_error(vocab):
    broken = TEXT.replace("Benefit [23, 34, 61]\n\nPSWs [23, 34, 61]", "PSWs [23, 34, 61]", 1)
    with pytest.raises(SeedError, match="a sample-group paragraph before any valence line"):
        umbrella_table6.parse(broken, vocab)

"""A curator's typical mistakes, each caught once, named, and given the right fix.

Each case is examples/curated-study.ttl (which conforms) with one mistake, checked in the context of the
built graph as ``peerkg validate`` checks it (``peerkg.curation.check``). Before issue 15 the gate let the
first four through or reported them indirectly or several times, with a wrong hint for a sample size of 0.
"""

from __future__ import annotations

import pytest

from peerkg.config import PROJECT_ROOT, Settings
from peerkg.curation import check, rules, submission

EXAMPLE = (PROJECT_ROOT / "examples" / "curated-study.ttl").read_text()
W = "https://w3id.org/peerkg/id/"
PKG = "https://w3id.org/peerkg/ontology#"
STUDY = "<study/example-2024> a pkg:QualitativeStudy"


def checked(text: str, kg):
    submitted = submission.parse(text.encode(), submission.format_for(file_name="mistake.ttl"), "mistake.ttl")
    shapes_graph, ontology = rules.load(Settings())
    return check.check(submitted, kg, shapes_graph, ontology)


def summary(report) -> list[tuple]:
    return [(r.severity, r.line, r.focus.removeprefix(W), (r.path or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1], r.value,
             r.suggestion) for r in report.results]


def test_the_example_itself_conforms_without_results(kg):
    assert checked(EXAMPLE, kg).results == []


def test_a_misspelled_property_is_named_with_the_nearest_known_one(kg):
    report = checked(EXAMPLE.replace("pkg:sampleSize 12", "pkg:sampelSize 12"), kg)
    assert not report.conforms
    assert summary(report) == [("Violation", 47, "study/example-2024/informants/peer-support-workers", "sampelSize",
                                '"12"^^<http://www.w3.org/2001/XMLSchema#integer>', "did you mean pkg:sampleSize?")]
    assert report.results[0].message.startswith("pkg:sampelSize is not a property the ontology defines or declares")


def test_a_misspelled_class_is_named_once_not_through_the_work_that_reports_it(kg):
    report = checked(EXAMPLE.replace(STUDY, "<study/example-2024> a pkg:QualitativeStudie"), kg)
    assert summary(report) == [("Violation", 36, "study/example-2024", "type",
                                f"<{PKG}QualitativeStudie>", "did you mean pkg:QualitativeStudy?")]
    assert report.results[0].message.startswith("pkg:QualitativeStudie is not a class the ontology defines or declares")


@pytest.mark.parametrize(("second", "both"), [
    ("pkg:Review", "pkg:QualitativeStudy and pkg:Review"),  # declared disjoint
    ("fabio:JournalArticle", "fabio:JournalArticle and pkg:QualitativeStudy"),  # a study is not the work reporting it
])
def test_a_resource_in_two_disjoint_classes_is_reported_with_both(kg, second, both):
    report = checked(EXAMPLE.replace(STUDY, f"{STUDY}, {second}"), kg)
    assert [(r.severity, r.line, r.focus.removeprefix(W)) for r in report.results] == [("Violation", 36, "study/example-2024")]
    assert report.results[0].message.startswith(f"A resource cannot be both {both}: ")


def test_a_qualitative_study_without_informant_groups_is_a_warning(kg):
    text = EXAMPLE.replace("    pkg:hasInformantGroup <study/example-2024/informants/peer-support-workers> ;\n", "")
    text = text.split("<study/example-2024/informants/peer-support-workers> a")[0]
    report = checked(text, kg)
    assert report.conforms  # the source may state no informants: a warning, not a violation
    assert summary(report) == [("Warning", 36, "study/example-2024", "hasInformantGroup", None, None)]


def test_a_misspelled_valence_is_one_result_with_the_valence_it_meant(kg):
    text = f"<{W}finding/boundaries/challenge/psws> <{PKG}valence> <{PKG}benfit> .\n"
    report = checked(text, kg)
    assert summary(report) == [("Violation", 1, "finding/boundaries/challenge/psws", "valence", f"<{PKG}benfit>",
                                "did you mean pkg:benefit?")]


def test_a_sample_size_of_zero_is_told_the_bound_not_the_datatype(kg):
    report = checked(EXAMPLE.replace("pkg:sampleSize 12", "pkg:sampleSize 0"), kg)
    assert summary(report) == [("Violation", 47, "study/example-2024/informants/peer-support-workers", "sampleSize",
                                '"0"^^<http://www.w3.org/2001/XMLSchema#integer>',
                                "write a value of at least 1 (or leave it out, when the source states none)")]


def test_a_sample_size_in_words_is_one_datatype_result(kg):
    report = checked(EXAMPLE.replace("pkg:sampleSize 12", 'pkg:sampleSize "twelve"'), kg)
    assert summary(report) == [("Violation", 47, "study/example-2024/informants/peer-support-workers", "sampleSize",
                                '"twelve"', "write the value as a literal of datatype xsd:integer")]

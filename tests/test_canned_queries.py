"""The canned queries beyond the round-trip ones: complete headers, working parameters, and on the seed graph
the answers the seed texts give.

Expected values were read off the seed files by hand; where a list is long (42 paragraphs of Table 6, 39
references) the test reads it from the seed text itself, with a few lines of code anyone can check against
the file.
"""

from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS

from conftest import PROJECT_ROOT, SEEDS, rows, seed_text
from peerkg import queries
from peerkg.errors import UserInputError

QUERIES = PROJECT_ROOT / "queries"
ALL = queries.load_all(QUERIES)
ROUND_TRIP = {"table3", "table6", "role_activities"}
NEW = sorted(name for name, query in ALL.items() if name not in ROUND_TRIP and "statistics" not in query.tags)
ID = "https://w3id.org/peerkg/id/"

REVIEW = "000_55cb9b85baa6787a.txt"
UMBRELLA = "001_85302dd9911c6030.txt"
METASYNTHESIS = "002_eb184550ae9a1ff6.txt"
JOB_DESCRIPTION = "003_271100d76ceb042c.txt"


def run(kg, name, **params):
    """SELECT rows as dicts; the triples of a CONSTRUCT."""
    results = queries.get(QUERIES, name).run(kg, params)
    return list(results) if isinstance(results, ox.QueryTriples) else rows(results)


def pick(result, *columns) -> list[tuple]:
    """The given columns of each row, as tuples."""
    return [tuple(row[column] for column in columns) for row in result]


def key(iri: str) -> str:
    """The last segment of an instance IRI: 'mowbray-1996' for <…/id/work/mowbray-1996>."""
    return iri.rsplit("/", 1)[-1]


def table6_paragraphs() -> list[tuple[str, str | None, str, list[int]]]:
    """(theme, valence, sample group, references) of every labelled paragraph of Table 6, in source order.

    In the seed a theme line starts with an em space, a valence line is "Benefit [..]", "Challenge [..]" or a
    bare "[..]", and a paragraph starts "PSWs [23, 34]: …" ("Mixeda" is "Mixed" with its footnote mark).
    """
    paragraphs, theme, valence = [], None, None
    for line in seed_text(UMBRELLA).splitlines():
        if line.startswith("\u2003"):
            theme = line.strip()
        elif match := re.fullmatch(r"(Benefit|Challenge)? ?\[[\d, ]+\]", line):
            valence = match.group(1) and match.group(1).lower()
        elif match := re.match(r"([A-Z][\w -]+?) \[([\d, ]+)\]: ", line):
            group = "Mixed" if match.group(1) == "Mixeda" else match.group(1)
            paragraphs.append((theme, valence, group, [int(n) for n in match.group(2).split(", ")]))
    return paragraphs


# --- every query ------------------------------------------------------------------------------------------


def test_the_project_has_at_least_twenty_canned_queries_besides_statistics():
    assert len(NEW) >= 18
    assert len(NEW) + len(ROUND_TRIP) >= 20


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_query_has_a_complete_header(name):
    query = ALL[name]
    assert query.title and query.description and query.question, name
    assert query.tags, f"{name} has no tags"
    for param in query.params:
        assert param.type in queries.PARAM_TYPES, (name, param.name)
        assert param.description, f"{name}: parameter {param.name} has no description"
        assert param.example, f"{name}: parameter {param.name} has no example"


@pytest.mark.parametrize("name", NEW)
def test_every_query_is_plain_sparql_with_prefixes_and_no_instance_iris(name):
    text = ALL[name].text
    assert text.startswith("PREFIX "), name
    assert ID not in text, f"{name} spells out an instance IRI: take it as a parameter"
    assert "https://w3id.org/peerkg/graph/" not in text, name


# Queries about what curators add: the seeds alone give no rows (tests/test_curation.py runs them after commits).
ABOUT_CURATION = {"curated_graphs"}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_query_answers_with_its_defaults_and_with_its_examples(kg, name):
    if name in ABOUT_CURATION:
        assert run(kg, name) == [], f"{name} has rows in a store built from the seeds alone"
        return
    assert run(kg, name), f"{name} gives no rows with its defaults"
    examples = {param.name: param.example for param in ALL[name].params}
    if examples:
        assert run(kg, name, **examples), f"{name} gives no rows with its examples {examples}"


@pytest.mark.parametrize(
    ("name", "parameter", "value"),
    [
        ("most_cited_references", "min_findings", "abc"),
        ("findings_by_sample_group", "include_mixed", "yes"),
        ("findings_for_theme", "theme", "id/theme/not a theme"),
    ],
)
def test_a_value_that_does_not_fit_the_parameter_type_is_a_user_error_naming_it(kg, name, parameter, value):
    with pytest.raises(UserInputError) as raised:
        run(kg, name, **{parameter: value})
    assert f"'{parameter}'" in raised.value.message
    assert raised.value.details == {"parameter": parameter}
    assert raised.value.status == 400


def test_an_unknown_parameter_is_a_user_error_naming_it(kg):
    with pytest.raises(UserInputError) as raised:
        run(kg, "evidence_map", theme="id/theme/workload")
    assert "'theme'" in raised.value.message and raised.value.details == {"parameter": "theme"}


# --- themes and findings of the umbrella review (Table 6) ---------------------------------------------------


def test_challenges_for_psws(kg):
    result = run(kg, "challenges_for_psws")
    assert {row["group"] for row in result} == {ID + "sample-group/psws"}
    assert [(row["theme"], int(row["references"]), row["reference_numbers"]) for row in result] == [
        ("Wellbeing and recovery", 2, "23, 34"),
        ("Role ambiguity", 2, "23, 34"),
        ("Disclosure of peer status", 2, "34, 39"),
        ("Boundaries", 2, "23, 61"),
        ("Role conflict and professionalization", 1, "34"),
        ("Lack of support and training", 2, "23, 34"),
        ("The value of the PSW role and low pay", 3, "23, 34, 61"),
        ("Colleagues and stigma", 3, "23, 34, 61"),
        ("Treatment models", 1, "23"),
    ]
    # The PSWs' own references, not the valence line's: "Challenge [23, 42, 55, 60]" above "PSWs [23, 34]".
    assert result[0]["category"] == "What the PSW role can bring"


def test_challenges_for_another_sample_group(kg):
    result = run(kg, "challenges_for_psws", group="id/sample-group/service-users")
    assert [(row["theme"], row["reference_numbers"]) for row in result] == [
        ("Recovery and role models", "61"),
        ("Experiential knowledge, normalisation and stigma", "39"),
        ("Role ambiguity", "39, 55"),
    ]


def test_evidence_map_has_one_cell_per_paragraph_with_its_reference_count(kg):
    result = run(kg, "evidence_map")
    assert len(result) == 42
    cells = [(row["theme"], row["valence"], row["sample_group"], int(row["references"])) for row in result]
    assert cells == [(theme, valence, group, len(refs)) for theme, valence, group, refs in table6_paragraphs()]
    assert result[0] == {
        "scheme": ID + "scheme/umbrella-themes", "category_position": "1", "category": "What the PSW role can bring", "theme_position": "1",
        "theme": "Wellbeing and recovery", "valence": "benefit", "sample_group": "PSWs", "references": "3",
        "finding": ID + "finding/wellbeing-and-recovery/benefit/psws",
    }
    # "Offering treatment choice" has a bare "[60]" line: no valence.
    assert result[-1]["theme"] == "Offering treatment choice" and result[-1]["valence"] is None
    assert result[-1]["finding"] == ID + "finding/offering-treatment-choice/none/mixed"
    assert len({row["finding"] for row in result}) == 42
    assert sum(int(row["references"]) for row in result) == 78


def test_opposite_valence(kg):
    result = run(kg, "opposite_valence")
    assert [(row["theme"], row["benefit_group"], row["challenge_group"], row["same_group"]) for row in result] == [
        ("Wellbeing and recovery", "PSWs", "PSWs", "true"),
        ("Wellbeing and recovery", "PSWs", "Mixed", "false"),
        ("Recovery and role models", "PSWs", "Service users", "false"),
        ("Recovery and role models", "Service users", "Service users", "true"),
        ("Recovery and role models", "Non-peer staff", "Service users", "false"),
        ("Recovery and role models", "Peer support group members", "Service users", "false"),
        ("Recovery and role models", "Mixed", "Service users", "false"),
        ("Experiential knowledge, normalisation and stigma", "Service users", "Service users", "true"),
        ("Experiential knowledge, normalisation and stigma", "Mental health organisations", "Service users", "false"),
        ("Isolation and validation", "Peer support group members", "Peer support group members", "true"),
        ("Complementary role, expertise and becoming part of the team", "Mixed", "Mixed", "true"),
        ("Role ambiguity", "Mixed", "PSWs", "false"),
        ("Role ambiguity", "Mixed", "Service users", "false"),
        ("Role ambiguity", "Mixed", "Mixed", "true"),
    ]


def test_themes_by_category(kg):
    result = run(kg, "themes_by_category")
    assert [
        (row["theme"], int(row["findings"]), int(row["benefits"]), int(row["challenges"]), int(row["references"]))
        for row in result
    ] == [
        # Role ambiguity: Mixed [64] benefit; PSWs [23, 34], Service users [39, 55], Mixed [42, 63, 64] challenge.
        ("Role ambiguity", 4, 1, 3, 7),
        ("Disclosure of peer status", 2, 0, 2, 4),
        ("Boundaries", 2, 0, 2, 4),
        ("Role conflict and professionalization", 2, 0, 2, 4),
    ]
    other = run(kg, "themes_by_category", category="id/theme-category/other")
    assert [(row["theme"], row["findings"], row["benefits"], row["challenges"]) for row in other] == [
        ("Offering treatment choice", "1", "0", "0"),
    ]


def test_findings_for_theme(kg):
    result = run(kg, "findings_for_theme")
    assert [(row["valence"], row["sample_group"], row["references"]) for row in result] == [
        ("benefit", "PSWs", "23, 34, 55"),
        ("benefit", "Service users", "39, 55, 61"),
        ("benefit", "Non-peer staff", "61"),
        ("benefit", "Peer support group members", "49"),
        ("benefit", "Mixed", "60, 64"),
        ("challenge", "Service users", "61"),
    ]
    assert result[2]["summary"] == (
        "From working with PSWs, non-peer staff developed increased empathy towards people in recovery and a "
        "belief in recovery."
    )
    assert result[4]["stakeholders"] == (
        "non-peer staff, PSWs, service users, policy makers, peer programme developers, carers"
    )
    assert [row["stakeholders"] for row in result if row["sample_group"] != "Mixed"] == [None] * 5


def test_findings_by_sample_group(kg):
    result = run(kg, "findings_by_sample_group")
    assert [(row["theme"], row["valence"], row["references"]) for row in result] == [
        ("Recovery and role models", "benefit", "39, 55, 61"),
        ("Recovery and role models", "challenge", "61"),
        ("Experiential knowledge, normalisation and stigma", "benefit", "39, 55"),
        ("Experiential knowledge, normalisation and stigma", "challenge", "39"),
        ("Rapport and empathy with service users", "benefit", "39, 61"),
        ("Role ambiguity", "challenge", "39, 55"),
    ]
    assert {row["reported_as"] for row in result} == {"sample group"}


def test_findings_by_sample_group_with_the_mixed_samples_that_list_it(kg):
    # Carers never report as a sample group of their own; eight mixed-sample lists name them.
    assert run(kg, "findings_by_sample_group", group="id/sample-group/carers") == []
    result = run(kg, "findings_by_sample_group", group="id/sample-group/carers", include_mixed="true")
    assert [row["theme"] for row in result] == [
        "Wellbeing and recovery",
        "Recovery and role models",
        "Career, social inclusion and identity",
        "Role ambiguity",
        "Boundaries",
        "Lack of support and training",
        "Challenges for healthcare staff/organisations",
        "Offering treatment choice",
    ]
    assert {row["reported_as"] for row in result} == {"stakeholder of a mixed sample"}
    psws = run(kg, "findings_by_sample_group", group="id/sample-group/psws", include_mixed="true")
    # 12 PSWs paragraphs; all 18 mixed-sample lists name PSWs ("PSWs" or "PSW").
    assert (sum(row["reported_as"] == "sample group" for row in psws), len(psws)) == (12, 30)


def test_theme_references(kg):
    result = run(kg, "theme_references")
    assert [(row["number"], row["valence_lines"], row["paragraphs"]) for row in result] == [
        ("23", "benefit, challenge", "benefit PSWs; challenge PSWs"),
        # "Challenge [23, 42, 55, 60]" leaves out the 34 of "PSWs [23, 34]" below it.
        ("34", "benefit", "benefit PSWs; challenge PSWs"),
        ("42", "challenge", "challenge Mixed"),
        ("55", "challenge", "challenge Mixed"),
        ("60", "challenge", "challenge Mixed"),
        ("61", "benefit", "benefit PSWs"),
    ]
    choice = run(kg, "theme_references", theme="id/theme/offering-treatment-choice")
    assert pick(choice, "number", "valence_lines", "paragraphs") == [("60", "none", "none Mixed")]


def test_most_cited_references(kg):
    result = run(kg, "most_cited_references")
    table = [tuple(map(int, cells)) for cells in pick(result, "number", "findings", "themes", "benefits", "challenges")]
    assert table == [
        (61, 14, 10, 7, 7),
        (64, 13, 11, 4, 9),
        (23, 11, 9, 3, 8),
        (34, 10, 9, 3, 7),
        (39, 7, 6, 3, 4),
        (55, 5, 4, 3, 2),
        (60, 5, 5, 1, 3),
        (63, 5, 5, 0, 5),
        (42, 4, 4, 1, 3),
        (49, 3, 2, 2, 1),
        (46, 1, 1, 0, 1),
    ]
    paragraphs = table6_paragraphs()
    for number, findings, *_ in table:
        assert findings == sum(number in refs for *_, refs in paragraphs)
    assert [row["number"] for row in run(kg, "most_cited_references", min_findings="10")] == ["61", "64", "23", "34"]


def test_valence_reference_disagreements(kg):
    result = run(kg, "valence_reference_disagreements")
    assert [(row["theme"], row["valence"], row["number"], row["found"], row["groups"]) for row in result] == [
        ("Wellbeing and recovery", "challenge", "34", "paragraphs only", "PSWs"),
        # "Challenge [32, 38, 42, 43, 53, 54]" over PSWs [23, 34], Service users [39, 55], Mixed [42, 63, 64].
        ("Role ambiguity", "challenge", "23", "paragraphs only", "PSWs"),
        ("Role ambiguity", "challenge", "32", "valence line only", None),
        ("Role ambiguity", "challenge", "34", "paragraphs only", "PSWs"),
        ("Role ambiguity", "challenge", "38", "valence line only", None),
        ("Role ambiguity", "challenge", "39", "paragraphs only", "Service users"),
        ("Role ambiguity", "challenge", "43", "valence line only", None),
        ("Role ambiguity", "challenge", "53", "valence line only", None),
        ("Role ambiguity", "challenge", "54", "valence line only", None),
        ("Role ambiguity", "challenge", "55", "paragraphs only", "Service users"),
        ("Role ambiguity", "challenge", "63", "paragraphs only", "Mixed"),
        ("Role ambiguity", "challenge", "64", "paragraphs only", "Mixed"),
    ]


def test_mixed_sample_stakeholders(kg):
    result = run(kg, "mixed_sample_stakeholders")
    # 18 mixed paragraphs on 16 themes; "PSW" (5 lists) and "PSWs" (13) are one group.
    assert [(row["stakeholder"], int(row["findings"]), int(row["themes"])) for row in result] == [
        ("Non-peer staff", 18, 16),
        ("PSWs", 18, 16),
        ("Service users", 18, 16),
        ("Peer programme developers", 13, 11),
        ("Policy makers", 13, 11),
        ("Carers", 8, 8),
        ("Mental health organisations", 5, 5),
        ("Unspecified", 1, 1),
    ]


def test_finding_provenance(kg):
    lines = seed_text(UMBRELLA).splitlines()
    assert run(kg, "finding_provenance") == [
        {
            "finding": ID + "finding/workload/challenge/mixed",
            "document": UMBRELLA,
            "line": "165",
            "locator": "Table 6, theme 'Workload', Challenge, Mixed paragraph",
            "text": lines[164],
        }
    ]
    continued = run(kg, "finding_provenance", finding="id/finding/colleagues-and-stigma/challenge/mixed")
    assert [(row["line"], row["text"]) for row in continued] == [(str(n), lines[n - 1]) for n in (175, 177, 179)]
    assert continued[2]["locator"] == "Table 6, theme 'Colleagues and stigma', Challenge, Mixed paragraph (continued)"
    # Any resource read from a seed: a work both documents describe has a passage in each.
    work = run(kg, "finding_provenance", finding="id/work/mowbray-1996")
    assert [(row["document"], row["line"], row["locator"]) for row in work] == [
        (REVIEW, "10", "Table 3, row 2"),
        (JOB_DESCRIPTION, "26", "reference 10"),
    ]


# --- studies, informants, methods (Table 3, the metasynthesis, the job description) ------------------------


def test_focus_group_studies(kg):
    result = run(kg, "focus_group_studies")
    assert [(key(row["study"]), row["year"], row["informant_groups"], row["informants"]) for row in result] == [
        ("mowbray-1996", "1996", "1", "11"),
        ("gates-2007", "2007", "2", "108"),  # Mental health agency staff (n=93) and peer providers (n=15)
        ("chinman-2008", "2008", "2", "93"),  # Consumer-providers (n=59) and supervisors (n=34)
        ("jacobson-job-description", None, "0", None),  # "interviews, focus groups, and activity logs"; no n
    ]
    assert result[1]["method_as_written"] == "Semi-structured telephone interviews and focus groups."
    assert result[3]["label"] == "What do peer support workers do? A job description"


def test_studies_using_interviews_include_the_narrower_kinds(kg):
    result = run(kg, "focus_group_studies", method="id/method/interviews")
    assert [(key(row["study"]), row["informants"]) for row in result] == [
        ("armstrong-1995", "23"),
        ("mowbray-1998", "11"),
        ("yuen-2003", "3"),
        ("doherty-2004", "12"),
        ("gates-2007", "108"),
        ("moll-2009", "12"),
        ("jacobson-job-description", None),
    ]


def test_informants_by_study(kg):
    result = run(kg, "informants_by_study")
    assert [(key(row["study"]), row["informant"], row["role"], row["sample_size"]) for row in result] == [
        ("armstrong-1995", "Consumer volunteers", "Consumer volunteers", "23"),
        ("mowbray-1996", "Peer support specialists who completed the training",
         "Peer support specialists who completed the training", "11"),
        ("mowbray-1998", "Former peer support specialists", "Former peer support specialists", "11"),
        ("yuen-2003", "Consumer-staff employed", "Consumer-staff employed", "3"),
        ("doherty-2004", "Consumer employees", "Consumer employees", "2"),
        ("doherty-2004", "other team members", "Other team members", "10"),
        ("gates-2007", "Mental health agency staff", "Mental health agency staff", "93"),
        ("gates-2007", "peer providers", "Peer providers", "15"),
        ("chinman-2008", "Consumer-providers", "Consumer-providers", "59"),
        ("chinman-2008", "supervisors", "Supervisors", "34"),
        ("moll-2009", "Peer support workers", "Peer support workers", "6"),
        ("moll-2009", "managers", "Managers", "6"),
        # The metasynthesis has no informant groups: the groups its page names are the populations of the 27
        # studies it reviews (pkg:reviewedPopulation), which 0.1.0 listed here as its informants.
    ]
    assert result[0]["label"] == "Armstrong et al. 1995"
    one = run(kg, "informants_by_study", study="id/study/gates-2007")
    assert pick(one, "informant", "sample_size") == [("Mental health agency staff", "93"), ("peer providers", "15")]


def test_informants_by_role(kg):
    result = run(kg, "informants_by_role")
    # The metasynthesis's populations are no longer counted as informants (they were in 0.1.0: "Peer support
    # workers" had 2 studies and 1 group without size, and "Nonpeer colleagues" and "Recipients of peer
    # support services" a row each).
    assert [(row["role"], row["kind"], row["studies"], row["stated_total"], row["groups_without_size"]) for row in result] == [
        ("Mental health agency staff", "Non-peer staff", "1", "93", "0"),
        ("Consumer-providers", "Peer workers", "1", "59", "0"),
        ("Supervisors", "Non-peer staff", "1", "34", "0"),
        ("Consumer volunteers", "Peer workers", "1", "23", "0"),
        ("Peer providers", "Peer workers", "1", "15", "0"),
        ("Former peer support specialists", "Peer workers", "1", "11", "0"),
        ("Peer support specialists who completed the training", "Peer workers", "1", "11", "0"),
        ("Other team members", "Non-peer staff", "1", "10", "0"),
        ("Managers", "Non-peer staff", "1", "6", "0"),
        ("Peer support workers", "Peer workers", "1", "6", "0"),
        ("Consumer-staff employed", "Peer workers", "1", "3", "0"),
        ("Consumer employees", "Peer workers", "1", "2", "0"),
    ]
    # Every stated n of Table 3: 23 + 11 + 11 + 3 + (2 + 10) + (93 + 15) + (59 + 34) + (6 + 6).
    assert sum(int(row["stated_total"] or 0) for row in result) == 273
    # Peer workers against staff, by the role hierarchy (skos:broader), no label patterns.
    by_kind = {kind: sum(int(row["stated_total"]) for row in result if row["kind"] == kind) for kind in ("Peer workers", "Non-peer staff")}
    assert by_kind == {"Peer workers": 59 + 23 + 15 + 11 + 11 + 6 + 3 + 2, "Non-peer staff": 93 + 34 + 10 + 6}


def test_methods_hierarchy(kg):
    result = run(kg, "methods_hierarchy")
    assert pick(result, "method", "kind", "broader", "depth", "studies_direct", "studies_including_narrower") == [
        ("grounded theory", "analysis", None, "0", "0", "1"),
        ("modified grounded theory", "analysis", "grounded theory", "1", "1", "1"),
        ("metasynthesis", "analysis", None, "0", "0", "1"),
        ("qualitative metasynthesis", "analysis", "metasynthesis", "1", "1", "1"),
        ("activity logs", "data collection", None, "0", "1", "1"),
        ("focus groups", "data collection", None, "0", "4", "4"),
        ("interviews", "data collection", None, "0", "1", "7"),
        ("semi-structured interviews", "data collection", "interviews", "1", "1", "6"),
        ("in-depth semi-structured interviews", "data collection", "semi-structured interviews", "2", "1", "1"),
        ("semi-structured individual interviews", "data collection", "semi-structured interviews", "2", "3", "3"),
        ("semi-structured telephone interviews", "data collection", "semi-structured interviews", "2", "1", "1"),
    ]
    assert result[5]["alt_labels"] == "focus group interviews"


def test_conclusions_mentioning(kg):
    role = run(kg, "conclusions_mentioning")
    assert [row["label"] for row in role] == [
        "Mowbray et al. 1996",  # focused theme "Roles, benefits, …"
        "Doherty et al. 2004",  # "a positive role model"
        "Gates & Akabas 2007",  # "role conflict"
        "Chinman et al. 2008",  # focused theme "… duties, roles and barriers …"
        "Moll et al. 2009",  # "defining and establishing roles"
    ]
    assert len(run(kg, "conclusions_mentioning", term="")) == 8
    assert [row["label"] for row in run(kg, "conclusions_mentioning", term="SICK LEAVE")] == ["Doherty et al. 2004"]


def test_role_activities_by_group(kg):
    result = run(kg, "role_activities_by_group")
    assert len(result) == 8 + 7 + 7
    assert {row["activity"]: row["alt_labels"] for row in result if row["alt_labels"]} == {
        "skill building/mentoring/goal setting": "skill building, mentoring, goal setting",
        "socialization/self-esteem building": "socialization, self-esteem building",
        "supervision/training": "supervision, training",
        "education/awareness building": "education, awareness building",
    }
    direct = run(kg, "role_activities_by_group", group="id/role-activity/direct-work")
    assert [row["activity"] for row in direct] == [
        "advocacy", "connecting to resources", "experiential sharing", "building community",
        "relationship building", "group facilitation", "skill building/mentoring/goal setting",
        "socialization/self-esteem building",
    ]
    assert {row["group_label"] for row in direct} == {"direct work"}


# --- works, references, citations ---------------------------------------------------------------------------


def test_citing_articles(kg):
    result = run(kg, "citing_articles")
    # In the order of the PubMed page, newest first.
    assert [key(row["citing"]) for row in result] == [
        "brieger-2025", "moran-2025", "roson-rodriguez-2025", "walde-2024", "schlachter-2024",
    ]
    assert pick(result, "journal", "year", "pmid", "pmcid", "doi") == [
        ("Nervenarzt", "2025", "40087176", None, "10.1007/s00115-025-01815-9"),
        ("Epidemiol Psychiatr Sci", "2025", "39801361", "PMC11735117", "10.1017/S2045796024000751"),
        ("Nurs Open", "2025", "39754413", "PMC11702393", "10.1002/nop2.70100"),
        ("Psychiatr Prax", "2024", "39694049", "PMC11903109", "10.1055/a-2490-6896"),
        ("BMC Public Health", "2024", "39543550", "PMC11562621", "10.1186/s12889-024-20323-0"),
    ]
    assert result[1]["title"] == (
        "Facing the paradox of professionalizing peer roles in MH services: how addressing self-disclosure with "
        "self-determination theory might help"
    )
    assert (result[3]["volume"], result[3]["issue"], result[3]["pages"]) == ("52", "2", "70-79")
    mowbray = run(kg, "citing_articles", work="id/work/mowbray-1996")
    assert [key(row["citing"]) for row in mowbray] == ["jacobson-job-description", "review-2012"]


def test_reference_list_gives_the_job_description_references_in_order(kg):
    result = run(kg, "reference_list")
    # Every entry of the seed's list is "    1. <citation>" (the page numbers them all 1.), from line 17 on.
    written = [line.strip().removeprefix("1. ") for line in seed_text(JOB_DESCRIPTION).splitlines()[16:55]]
    assert [row["number"] for row in result] == [str(n) for n in range(1, 40)]
    assert [row["citation"] for row in result] == written
    tenth = result[9]
    assert (key(tenth["cited"]), tenth["type"], tenth["year"], tenth["title"]) == (
        "mowbray-1996",
        "JournalArticle",
        "1996",
        "Consumers as community support providers: issues created by role innovation",
    )
    # As this article writes the authors, not as Table 3 does ("Mowbray et al.").
    assert tenth["authors"] == "Mowbray CT, Moxley DP, Thrasher S, Bybee D, McCrohan N, Harris S, Clover G"
    assert [(row["number"], row["type"], row["year"]) for row in result if row["year"] is None] == [
        ("19", "Expression", None), ("20", "Expression", None), ("37", "Expression", None),
    ]


def test_reference_list_of_the_literature_review(kg):
    result = run(kg, "reference_list", work="id/work/review-2012")
    assert [(row["number"], key(row["cited"]), row["authors"]) for row in result] == [
        ("39", "doherty-2004", "Doherty et al."),
        ("40", "mowbray-1996", "Mowbray et al."),
        ("41", "chinman-2008", "Chinman et al."),
        ("42", "mowbray-1998", "Mowbray et al."),
        ("45", "yuen-2003", "Yuen & Fossey"),
        ("46", "armstrong-1995", "Armstrong et al."),
        ("50", "gates-2007", "Gates & Akabas"),
        ("51", "moll-2009", "Moll et al."),
    ]


def test_works_by_author(kg):
    result = run(kg, "works_by_author")
    assert [(row["family"], key(row["work"]), row["author"], row["position"], row["year"]) for row in result] == [
        ("Mowbray", "mowbray-1994", "Mowbray CT", "1", "1994"),
        ("Mowbray", "mowbray-1996", "Mowbray CT", "1", "1996"),
        ("Mowbray", "mowbray-1998", "Mowbray CT", "1", "1998"),
    ]
    assert result[1]["cited_by"] == f"{ID}work/jacobson-job-description {ID}work/review-2012"
    campbell = run(kg, "works_by_author", family="campbell")
    # "Leff HS, Campbell J, …", "Campbell J. In: On our own, together", "Rogers ES, Teague GB, Lichenstein C,
    # Campbell J, …", "Campbell J. Federal multi-site study … ." (no year).
    assert [(key(row["work"]), row["position"], row["year"]) for row in campbell] == [
        ("leff-1997", "2", "1997"),
        ("campbell-2005", "1", "2005"),
        ("rogers-2007", "4", "2007"),
        ("campbell-nd-federal", "1", None),
    ]


def test_works_cited_by_year(kg):
    result = run(kg, "works_cited_by_year")
    by_year = {row["year"]: (int(row["works"]), row["keys"]) for row in result}
    # 39 references of the job description + 8 of Table 3 - 4 works in both + the metasynthesis (cited 5 times).
    assert sum(works for works, _ in by_year.values()) == 44
    assert by_year["1996"] == (3, "chamberlin-1996 manning-1996 mowbray-1996")
    assert by_year["2008"] == (5, "castelein-2008 chinman-2008 lawn-2008 resnick-2008 silverstein-2008")
    assert by_year["2013"] == (1, "metasynthesis-2013")
    assert result[0]["year"] == "1987" and result[-1]["year"] is None
    assert by_year[None] == (
        3,
        "campbell-nd-federal department-of-health-and-human-services-state-of-maine-nd-intentional rogers-nd-systematic",
    )


def test_works_in_several_documents(kg):
    result = run(kg, "works_in_several_documents")
    assert [(key(row["work"]), row["documents"], row["match_key"]) for row in result] == [
        ("gates-2007", f"{REVIEW} | {JOB_DESCRIPTION}", "Gates 2007"),
        ("moll-2009", f"{REVIEW} | {JOB_DESCRIPTION}", "Moll 2009"),
        ("mowbray-1996", f"{REVIEW} | {JOB_DESCRIPTION}", "Mowbray 1996"),
        ("mowbray-1998", f"{REVIEW} | {JOB_DESCRIPTION}", "Mowbray 1998"),
    ]
    mowbray = result[2]
    assert mowbray["authors_as_written"] == (
        "Mowbray et al. | Mowbray CT, Moxley DP, Thrasher S, Bybee D, McCrohan N, Harris S, Clover G"
    )
    assert mowbray["evidence"].startswith("Same first author (Mowbray) and year (1996) in 2 documents")
    assert mowbray["passages"] == f"{REVIEW} line 10 (Table 3, row 2) | {JOB_DESCRIPTION} line 26 (reference 10)"


def test_abstract_sections(kg):
    for work, file_name, headings in [
        (
            "metasynthesis-2013",
            METASYNTHESIS,
            ["Objectives", "Method", "Results", "Conclusions And Implications For Practice"],
        ),
        ("jacobson-job-description", JOB_DESCRIPTION, ["Background", "Methods", "Results", "Conclusions"]),
    ]:
        result = run(kg, "abstract_sections", work=f"id/work/{work}")
        assert [row["heading"] for row in result] == headings
        lines = seed_text(file_name).splitlines()
        for row in result:
            assert f"{row['heading']}: {row['text']}" in lines


def test_source_documents(kg):
    result = run(kg, "source_documents")
    assert [(row["file"], key(row["article"]), int(row["passages"])) for row in result] == [
        (REVIEW, "review-2012", 9),  # the citation line and 8 rows
        (UMBRELLA, "umbrella-review", 97),  # caption, 4 categories, 20 themes, 26 valence lines, 44 paragraphs, 2 footnotes
        (METASYNTHESIS, "metasynthesis-2013", 14),  # title, 4 overview lines, 4 abstract sections, 5 citing articles
        (JOB_DESCRIPTION, "jacobson-job-description", 45),  # title, authors, 4 abstract sections, 39 references
    ]
    for row in result:
        assert row["sha256"] == hashlib.sha256((SEEDS / row["file"]).read_bytes()).hexdigest()
        assert row["built"]


def test_describe(kg):
    results = queries.get(QUERIES, "describe").run(kg, {"resource": "id/study/mowbray-1996"})
    graph = Graph().parse(data=results.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    study = URIRef("https://w3id.org/peerkg/id/study/mowbray-1996")
    pkg = "https://w3id.org/peerkg/ontology#"
    assert graph.value(study, RDFS.label) == Literal("Mowbray et al. 1996")
    assert len(list(graph.predicate_objects(study))) == 9
    assert set(graph.subject_predicates(study)) == {
        (URIRef("https://w3id.org/peerkg/id/study/review-2012"), URIRef(pkg + "reviews")),
        (URIRef("https://w3id.org/peerkg/id/work/mowbray-1996"), URIRef(pkg + "reports")),
    }
    passage = graph.value(study, PROV.wasDerivedFrom)
    assert str(graph.value(passage, PROV.value)).startswith("Mowbray et al. 1996 [40] Roles, benefits, challenges")
    work = URIRef("https://w3id.org/peerkg/id/work/mowbray-1996")
    assert str(graph.value(work, URIRef("http://purl.org/dc/terms/title"))) == "Consumers as community support providers: issues created by role innovation"


def test_named_graph(kg):
    assert len(run(kg, "named_graph")) == 24
    # 50 fewer than in 0.1.0: the 12 role concepts and their scheme moved to vocab/informant-roles.ttl.
    assert len(run(kg, "named_graph", graph="graph/review_table3")) == 314


def test_nearby_iris(kg):
    themes = [row["iri"] for row in run(kg, "nearby_iris", prefix="https://w3id.org/peerkg/id/theme/")]
    assert len(themes) == 12 and themes[0] == "https://w3id.org/peerkg/id/theme/boundaries"
    assert [row["iri"] for row in run(kg, "nearby_iris", prefix="https://w3id.org/peerkg/id/match/")] == [
        "https://w3id.org/peerkg/id/match/gates-2007", "https://w3id.org/peerkg/id/match/moll-2009",
        "https://w3id.org/peerkg/id/match/mowbray-1996", "https://w3id.org/peerkg/id/match/mowbray-1998",
    ]


def test_sitemap_resources(kg):
    subjects = {q.subject.value for q in kg.quads() if q.subject.value.startswith(ID) and isinstance(q.subject, ox.NamedNode)}
    listed = [row["resource"] for row in run(kg, "sitemap_resources")]
    assert listed == sorted(subjects) and len(listed) > 600
    assert [row["resource"] for row in run(kg, "sitemap_resources", space=ID + "theme/")] == sorted(
        s for s in subjects if s.startswith(ID + "theme/"))


def test_health(kg):
    assert len(run(kg, "health")) == 1

"""The graph gives the source tables back: table3.rq, table6.rq and role_activities.rq against the seed text."""

from __future__ import annotations

from itertools import groupby

from conftest import PROJECT_ROOT, rows, seed_text
from peerkg import queries

QUERIES = PROJECT_ROOT / "queries"


def run(kg, name):
    return rows(queries.get(QUERIES, name).run(kg))


def test_table3_gives_every_row_back_cell_by_cell(kg):
    result = run(kg, "table3")
    assert len(result) == 12
    assert list(result[0]) == ["study", "authors", "year", "ref", "focused_theme", "informant", "n", "method", "conclusion"]
    source_rows = seed_text("000_55cb9b85baa6787a.txt").splitlines()[8:16]
    rebuilt = []
    for _, group in groupby(result, key=lambda row: row["study"]):
        group = list(group)
        first = group[0]
        informants = " and ".join(f"{row['informant']} (n={row['n']})" for row in group) + "."
        rebuilt.append(
            f"{first['authors']} {first['year']} [{first['ref']}] {first['focused_theme']} {informants} "
            f"{first['method']} {first['conclusion']}"
        )
    assert rebuilt == source_rows


def test_table6_gives_every_paragraph_back(kg):
    result = run(kg, "table6")
    assert len(result) == 42
    assert list(result[0]) == [
        "scheme", "category", "theme", "valence", "valence_refs", "sample_group", "group_refs", "summary", "stakeholders",
    ]
    source = [line.strip() for line in seed_text("001_85302dd9911c6030.txt").splitlines() if line.strip()]
    rebuilt, previous = [], (None, None, None)
    for row in result:
        if row["category"] != previous[0]:
            rebuilt.append(row["category"])
        if row["theme"] != previous[1]:
            rebuilt.append(row["theme"])
        if (row["theme"], row["valence"]) != previous[1:]:
            rebuilt.append(f"{row['valence'] or ''} [{row['valence_refs']}]".strip())
        label = "Mixeda" if row["sample_group"] == "Mixed" else row["sample_group"]
        paragraphs = f"{label} [{row['group_refs']}]: {row['summary']}".split("\n\n")
        if row["stakeholders"]:
            paragraphs[-1] += f" ({row['stakeholders']})"
        rebuilt.extend(paragraphs)
        previous = (row["category"], row["theme"], row["valence"])
    body = source[6:-2]  # after the furniture, caption, source and column headers, source and column headers; before the footnotes
    assert len(rebuilt) == len(body)
    for made, written in zip(rebuilt, body):
        # The source ends some stakeholder lists with a full stop and some without.
        assert written in (made, made + "."), f"{made!r} != {written!r}"


def test_role_activities_give_the_job_description_back(kg):
    result = run(kg, "role_activities")
    assert len(result) == 8 + 7 + 2 + 7
    results_text = next(line for line in seed_text("003_271100d76ceb042c.txt").splitlines() if line.startswith("Results:"))
    by_group = {group: [row["activity"] for row in members] for group, members in groupby(result, key=lambda r: r["group"])}
    assert list(by_group) == [
        "direct work", "indirect work", "work aimed at building relationships with staff",
        "work aimed at legitimizing the peer role", "philosophy of work",
    ]
    for group in ("direct work", "indirect work"):
        *head, last = by_group[group]
        assert f"The main types of {group} are {', '.join(head)}, and {last}." in results_text
    *head, last = by_group["philosophy of work"]
    assert f"{', '.join(head).capitalize()}, and {last} can be seen as the tangible enactments of peers' philosophy of work." in results_text
    assert "peers also do work aimed at building relationships with staff and work aimed at legitimizing the peer role." in results_text
    assert by_group["work aimed at building relationships with staff"] == ["work aimed at building relationships with staff"]
    assert (len(by_group["direct work"]), len(by_group["indirect work"]), len(by_group["philosophy of work"])) == (8, 7, 7)

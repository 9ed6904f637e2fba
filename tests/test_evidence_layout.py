"""The evidence map's grid and layout, from canned query evidence_map on the seed graph."""

from __future__ import annotations

import pytest

from conftest import PROJECT_ROOT, rows
from peerkg import queries
from peerkg.web import evidence_layout

ID = "https://w3id.org/peerkg/id/"


@pytest.fixture(scope="module")
def grid(kg):
    return evidence_layout.grid(rows(queries.get(PROJECT_ROOT / "queries", "evidence_map").run(kg)))


def test_grid_rows_are_themes_by_category_and_columns_the_groups_in_table_order(grid):
    assert [c.label for c in grid.categories] == [
        "What the PSW role can bring", "Confusion over the PSW role", "Organisational challenges and impact", "Other",
    ]
    assert [len(c.themes) for c in grid.categories] == [9, 4, 6, 1]
    assert grid.groups == ["PSWs", "Mixed", "Service users", "Non-peer staff", "Peer support group members",
                           "Mental health organisations"]
    assert len(grid.marks) == 42 and sum(m.references for m in grid.marks) == 78


def test_a_cell_holds_one_mark_per_finding_benefit_first(grid):
    wellbeing = grid.categories[0].themes[0]
    assert wellbeing.label == "Wellbeing and recovery"
    assert [(m.valence, m.references, m.finding) for m in wellbeing.cells["PSWs"]] == [
        ("benefit", 3, ID + "finding/wellbeing-and-recovery/benefit/psws"),
        ("challenge", 2, ID + "finding/wellbeing-and-recovery/challenge/psws"),
    ]
    assert "Service users" not in wellbeing.cells
    offering = grid.categories[3].themes[0].cells["Mixed"][0]
    assert offering.valence is None and offering.says == "Offering treatment choice, Mixed: no valence given, 1 reference"


def test_layout_places_every_mark_inside_the_picture_without_overlap(grid):
    layout = evidence_layout.layout(grid, "Evidence map")
    assert len(layout.marks) == 42 and len(layout.legend) == 3
    boxes = [p.box for p in layout.marks]
    for box in boxes:
        assert 0 < box.x and box.x + box.w < layout.width and 0 < box.y and box.y + box.h < layout.height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
    # Two marks of one cell sit side by side on the theme's row.
    first, second = layout.marks[0], layout.marks[1]
    assert first.box.y == second.box.y and second.box.x == first.box.x + evidence_layout.MARK_W + evidence_layout.GAP
    assert first.shape is not None and first.shape[2][1] < first.shape[0][1]  # ▲: the apex is above the base
    assert second.shape[2][1] > second.shape[0][1]  # ▼
    assert layout.marks[-1].shape is None and layout.marks[-1].circle is not None  # ○


def test_column_headers_wrap_to_their_width():
    assert evidence_layout.wrap("Peer support group members", evidence_layout.HEADER_WRAP, evidence_layout.SMALL) == [
        "Peer support", "group members"]
    assert evidence_layout.wrap("PSWs", evidence_layout.HEADER_WRAP) == ["PSWs"]


def test_a_store_without_findings_gives_an_empty_map_not_an_error():
    layout = evidence_layout.layout(evidence_layout.grid([]), "Evidence map")
    assert layout.marks == [] and len(layout.legend) == 3 and layout.width > 0

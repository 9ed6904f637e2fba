"""The evidence map: the rows of canned query ``evidence_map`` as a grid, and that grid laid out as a picture.

Rows of the grid are the themes, grouped by category, in the order of Table 6; columns are the sample
groups in the order they first appear there. A cell holds one mark per finding (a sample-group paragraph):
its valence (benefit, challenge, or none where the table gives none) and the number of distinct references
behind it. The layout gives every box, text and mark a position in pixels, once; the SVG template and the
PNG drawing both draw from it, so the two pictures are the same picture. Text is measured with Pillow's
bundled font, the one the PNG is drawn in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from math import ceil

from PIL import ImageFont

VALENCES = ("benefit", "challenge", None)
# Fill, text colour and meaning per valence: blue and orange stay apart for colour-blind readers, and each
# mark also has its own shape (▲ benefit, ▼ challenge, ○ none) and its number, so colour is never alone.
STYLE = {
    "benefit": {"fill": "#1f5fa8", "ink": "#ffffff", "stroke": "#1f5fa8", "says": "benefit"},
    "challenge": {"fill": "#a8500a", "ink": "#ffffff", "stroke": "#a8500a", "says": "challenge"},
    None: {"fill": "#ffffff", "ink": "#1b1b1b", "stroke": "#595959", "says": "no valence given"},
}
INK, GRID, BAND, STRIPE = "#1b1b1b", "#c8c8c8", "#e8eef6", "#f6f6f6"
FONT_SIZE, SMALL, TITLE_SIZE = 13, 12, 16
MARGIN, ROW, CATEGORY_ROW, MARK_W, MARK_H, GAP, PAD = 16, 30, 28, 40, 20, 4, 8
HEADER_WRAP = 104  # column headers wrap to this width
SLACK = 1.12  # browsers draw the SVG's text in their own sans-serif, a little wider than Pillow's font


@dataclass(frozen=True)
class Mark:
    finding: str  # the finding's IRI
    theme: str
    group: str
    valence: str | None
    references: int

    @property
    def says(self) -> str:
        noun = "reference" if self.references == 1 else "references"
        return f"{self.theme}, {self.group}: {STYLE[self.valence]['says']}, {self.references} {noun}"


@dataclass
class Theme:
    label: str
    cells: dict[str, list[Mark]] = field(default_factory=dict)  # sample group → its marks


@dataclass
class Category:
    label: str
    themes: list[Theme] = field(default_factory=list)


@dataclass
class Grid:
    categories: list[Category]
    groups: list[str]

    @property
    def marks(self) -> list[Mark]:
        return [m for c in self.categories for t in c.themes for marks in t.cells.values() for m in marks]


def grid(rows: list[dict[str, str | None]]) -> Grid:
    """The grid of the query's rows, which come in table order."""
    categories: dict[str, Category] = {}
    themes: dict[tuple[str, str], Theme] = {}
    groups: list[str] = []
    for row in rows:
        category = categories.setdefault(row["category"], Category(row["category"]))
        key = (row["category"], row["theme"])
        if key not in themes:
            themes[key] = Theme(row["theme"])
            category.themes.append(themes[key])
        if row["sample_group"] not in groups:
            groups.append(row["sample_group"])
        mark = Mark(row["finding"], row["theme"], row["sample_group"], row["valence"], int(row["references"]))
        themes[key].cells.setdefault(row["sample_group"], []).append(mark)
    for theme in themes.values():
        for marks in theme.cells.values():
            marks.sort(key=lambda m: VALENCES.index(m.valence))
    return Grid(list(categories.values()), groups)


# --- layout ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: int = FONT_SIZE
    anchor: str = "start"  # or "middle"
    weight: str = "normal"
    fill: str = INK


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Placed:
    """A mark at its place: its box, its shape (▲ ▼ as a triangle's points, ○ as a circle) and its number."""

    mark: Mark
    box: Box
    shape: tuple[tuple[float, float], ...] | None  # triangle points, or None for the circle
    circle: tuple[float, float, float] | None  # cx, cy, r
    number: Text
    style: dict


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    title: str
    boxes: list[Box]
    texts: list[Text]
    marks: list[Placed]
    legend: list[Placed]


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def measure(text: str, size: int = FONT_SIZE) -> float:
    return font(size).getlength(text) * SLACK


def wrap(text: str, width: float, size: int = FONT_SIZE) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def place(mark: Mark, x: float, y: float, number: str | None = None) -> Placed:
    style = STYLE[mark.valence]
    cx, cy, r = x + 12, y + MARK_H / 2, 5.5
    if mark.valence == "benefit":
        shape, circle = ((cx - r, cy + r - 1), (cx + r, cy + r - 1), (cx, cy - r)), None
    elif mark.valence == "challenge":
        shape, circle = ((cx - r, cy - r + 1), (cx + r, cy - r + 1), (cx, cy + r)), None
    else:
        shape, circle = None, (cx, cy, r - 1)
    text = Text(x + MARK_W - 11, y + 15, number or str(mark.references), SMALL, "middle", "bold", style["ink"])
    return Placed(mark, Box(x, y, MARK_W, MARK_H, style["fill"], style["stroke"]), shape, circle, text, style)


def layout(grid: Grid, title: str) -> Layout:
    boxes: list[Box] = []
    texts: list[Text] = []
    marks: list[Placed] = []
    theme_w = ceil(max((measure(t.label) for c in grid.categories for t in c.themes), default=measure("Theme")) + 2 * PAD + 12)
    headers = [wrap(group, HEADER_WRAP, SMALL) for group in grid.groups]
    col_w = ceil(max((measure(line, SMALL) + 2 * PAD for lines in headers for line in lines), default=0))
    col_w = max(col_w, 2 * MARK_W + GAP + 2 * PAD)  # room for a benefit and a challenge side by side
    width = round(2 * MARGIN + theme_w + col_w * len(grid.groups))
    texts.append(Text(MARGIN, MARGIN + TITLE_SIZE, title, TITLE_SIZE, weight="bold"))
    top = MARGIN + TITLE_SIZE + 14
    header_h = 16 * max((len(lines) for lines in headers), default=1) + 10
    texts.append(Text(MARGIN + PAD, top + header_h - 10, "Theme", SMALL, weight="bold"))
    for i, lines in enumerate(headers):
        cx = MARGIN + theme_w + col_w * (i + 0.5)
        first = top + header_h - 10 - 16 * (len(lines) - 1)
        texts.extend(Text(cx, first + 16 * n, line, SMALL, "middle", "bold") for n, line in enumerate(lines))
    y = top + header_h
    boxes.append(Box(MARGIN, y - 1, width - 2 * MARGIN, 2, INK))
    for category in grid.categories:
        boxes.append(Box(MARGIN, y, width - 2 * MARGIN, CATEGORY_ROW, BAND))
        texts.append(Text(MARGIN + PAD, y + 19, category.label, FONT_SIZE, weight="bold"))
        y += CATEGORY_ROW
        for n, theme in enumerate(category.themes):
            if n % 2:
                boxes.append(Box(MARGIN, y, width - 2 * MARGIN, ROW, STRIPE))
            texts.append(Text(MARGIN + PAD + 12, y + 20, theme.label))
            for i, group in enumerate(grid.groups):
                cell = theme.cells.get(group, [])
                x = MARGIN + theme_w + col_w * i + (col_w - (len(cell) * (MARK_W + GAP) - GAP)) / 2
                for k, mark in enumerate(cell):
                    marks.append(place(mark, x + k * (MARK_W + GAP), y + (ROW - MARK_H) / 2))
            y += ROW
    boxes.extend(Box(MARGIN + theme_w + col_w * i, top, 1, y - top, GRID) for i in range(len(grid.groups)))
    boxes.append(Box(MARGIN, y, width - 2 * MARGIN, 1, GRID))
    legend, x, y = [], MARGIN, y + 14
    for valence in VALENCES:
        legend.append(place(Mark("", "", "", valence, 0), x, y, number="n"))
        words = STYLE[valence]["says"]
        texts.append(Text(x + MARK_W + 6, y + 15, words, SMALL))
        x += MARK_W + 6 + ceil(measure(words, SMALL)) + 18
    texts.append(Text(MARGIN, y + MARK_H + 20, "The number in a mark is the number of distinct references behind "
                      "the finding. Each mark links to its finding.", SMALL))
    return Layout(width, round(y + MARK_H + 20 + MARGIN), title, boxes, texts, marks, legend)

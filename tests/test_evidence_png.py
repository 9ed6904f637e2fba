"""The evidence map's PNG: the layout drawn by Pillow at twice its size."""

from __future__ import annotations

import io

from PIL import Image

from peerkg.web import evidence_layout, evidence_png


def mark(valence, references):
    return evidence_layout.Mark("https://w3id.org/peerkg/id/finding/x", "Theme", "Group", valence, references)


def test_marks_are_drawn_in_their_colours_at_their_places():
    grid = evidence_layout.Grid([evidence_layout.Category("Category", [evidence_layout.Theme("Theme", {
        "PSWs": [mark("benefit", 3), mark("challenge", 2)], "Mixed": [mark(None, 1)]})])], ["PSWs", "Mixed"])
    layout = evidence_layout.layout(grid, "A small map")
    image = Image.open(io.BytesIO(evidence_png.render(layout)))
    assert image.format == "PNG" and image.size == (layout.width * 2, layout.height * 2)
    rgb = image.convert("RGB")
    for placed in layout.marks:
        # Just inside the left edge, at mid height: the mark's fill, not the ink of its shape or number.
        x, y = (placed.box.x + 3) * 2, (placed.box.y + placed.box.h / 2) * 2
        assert "#%02x%02x%02x" % rgb.getpixel((int(x), int(y))) == placed.box.fill
    assert rgb.getpixel((1, 1)) == (255, 255, 255)

"""The evidence map as a PNG: the layout of ``evidence_layout`` drawn with Pillow (its wheels need no system
libraries), at twice the size for sharp slides and print."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from .evidence_layout import Layout, Placed, font

SCALE = 2


def render(layout: Layout) -> bytes:
    image = Image.new("RGB", (layout.width * SCALE, layout.height * SCALE), "#ffffff")
    draw = ImageDraw.Draw(image)
    for box in layout.boxes:
        draw.rectangle(_box(box.x, box.y, box.w, box.h), fill=box.fill)
    for text in layout.texts:
        _text(draw, text)
    for placed in (*layout.marks, *layout.legend):
        _mark(draw, placed)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    return x * SCALE, y * SCALE, (x + w) * SCALE - 1, (y + h) * SCALE - 1


def _text(draw: ImageDraw.ImageDraw, text) -> None:
    anchor = "ms" if text.anchor == "middle" else "ls"  # the SVG's text-anchor, at the baseline
    bold = SCALE // 2 if text.weight == "bold" else 0  # the bundled font has no bold face: stroke it
    draw.text((text.x * SCALE, text.y * SCALE), text.text, fill=text.fill, font=font(text.size * SCALE),
              anchor=anchor, stroke_width=bold, stroke_fill=text.fill)


def _mark(draw: ImageDraw.ImageDraw, placed: Placed) -> None:
    box = placed.box
    dashed = placed.mark.valence is None
    draw.rounded_rectangle(_box(box.x, box.y, box.w, box.h), radius=4 * SCALE, fill=box.fill,
                           outline=box.stroke, width=1 if dashed else SCALE)
    ink = placed.style["ink"]
    if placed.shape:
        draw.polygon([(x * SCALE, y * SCALE) for x, y in placed.shape], fill=ink)
    else:
        cx, cy, r = placed.circle
        draw.ellipse(((cx - r) * SCALE, (cy - r) * SCALE, (cx + r) * SCALE, (cy + r) * SCALE), outline=ink, width=3)
    _text(draw, placed.number)

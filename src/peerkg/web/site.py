"""The site's own pages: the home page, with the dataset's sources, counts and the evidence map; the icon."""

from __future__ import annotations

import functools
import io

from flask import Blueprint, Response, render_template
from PIL import Image, ImageDraw

from ..iris import BIRO, PKG
from . import dataset, evidence_layout, evidence_map, pages

bp = Blueprint("site", __name__)

# What the home page counts (the dataset's class partitions), in the order a reader meets them.
COUNTED = (
    (PKG.QualitativeStudy, "qualitative studies"),
    (PKG.InformantGroup, "informant groups"),
    (PKG.ThemeCategory, "theme categories"),
    (PKG.Theme, "themes"),
    (PKG.Finding, "findings"),
    (BIRO.BibliographicReference, "reference entries"),
    (PKG.RoleActivity, "peer role activities"),
    (PKG.SourcePassage, "source passages"),
)


@bp.get("/")
def home() -> str:
    facts = dataset.gathered()  # counted when the version was published
    per_class = dict(facts.classes)
    counts = [(per_class.get(str(term), 0), noun) for term, noun in COUNTED]
    return render_template("home.html", counts=counts, triples=facts.stats["triples"], sources=pages.sources(facts.sources),
                           svg=evidence_map.inline_svg(), schema_org=dataset.schema_org())


@bp.get("/favicon.ico")
def favicon() -> Response:
    response = Response(_icon(), mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@functools.cache
def _icon() -> bytes:
    """The evidence map's benefit mark (a ▲ in its colours), drawn by Pillow at 64 px and kept at 16, 32 and 48."""
    mark = evidence_layout.STYLE["benefit"]
    image = Image.new("RGBA", (64, 64), mark["fill"])
    ImageDraw.Draw(image).polygon([(32, 10), (56, 52), (8, 52)], fill=mark["ink"])
    out = io.BytesIO()
    image.save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()

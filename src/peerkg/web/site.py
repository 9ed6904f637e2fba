"""The site's own pages: the home page, with the dataset's sources, live counts and the evidence map."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..iris import BIRO, PKG
from . import answers, evidence_map, pages

bp = Blueprint("site", __name__)

# What the home page counts (canned query stats_classes), in the order a reader meets them.
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
    per_class = {row["class"]: int(row["resources"]) for row in answers.rows("stats_classes")}
    counts = [(per_class.get(str(term), 0), noun) for term, noun in COUNTED]
    triples = int(answers.rows("void_stats")[0]["triples"])
    return render_template("home.html", counts=counts, triples=triples,
                           sources=pages.sources(answers.graph("source_articles")), svg=evidence_map.inline_svg())

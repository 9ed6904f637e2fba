"""``/evidence-map``: themes × sample groups from canned query ``evidence_map``, as a page, an SVG and a PNG.

The picture is built once per store version: the query's rows → the grid → one layout, drawn as SVG (a
template) and as PNG (Pillow). In the page every mark links to the finding's page; in the SVG download to
the finding's IRI, so the picture still points at the graph when it is pasted into a paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request

from . import answers, evidence_layout, evidence_png, kg, pages

bp = Blueprint("evidence_map", __name__)

QUERY = "evidence_map"


@dataclass(frozen=True)
class Picture:
    grid: evidence_layout.Grid
    layout: evidence_layout.Layout


def picture() -> Picture:
    """The grid and layout of the current store version (built on first use)."""
    def build() -> Picture:
        grid = evidence_layout.grid(answers.rows(QUERY))
        return Picture(grid, evidence_layout.layout(grid, kg.canned()[QUERY].title))

    return kg.per_version("evidence map", build)


def inline_svg() -> str:
    """The SVG for a page of this site: marks link to the findings' pages here."""
    return render_template("evidence_map.svg", map=picture().layout, link=pages.href)


@bp.get("/evidence-map")
def page() -> Response:
    shown = picture()
    return _response(render_template("evidence_map.html", grid=shown.grid, svg=inline_svg(), query=kg.canned()[QUERY], href=pages.href),
                     "text/html")


@bp.get("/evidence-map.svg")
def svg() -> Response:
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + render_template("evidence_map.svg", map=picture().layout, link=str)
    return _response(body, "image/svg+xml", "peerkg-evidence-map.svg")


@bp.get("/evidence-map.png")
def png() -> Response:
    return _response(kg.per_version("evidence map png", lambda: evidence_png.render(picture().layout)), "image/png",
                     "peerkg-evidence-map.png")


def _response(body, media: str, filename: str | None = None) -> Response:
    response = Response(body, mimetype=media)
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)

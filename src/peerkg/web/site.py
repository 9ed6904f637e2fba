"""The site's own pages: the home page."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("site", __name__)


@bp.get("/")
def home() -> str:
    return render_template("home.html")

"""``/robots.txt`` and ``/sitemap.xml``: what crawlers read first.

The sitemap lists every page: the site's own pages, each canned query's page, each named graph's page and the
page of every resource the graph describes (canned query ``sitemap_resources``, bound to the dataset's URI
space). Past ``SITEMAP_MAX_URLS`` URLs (50,000, the Sitemaps protocol's limit for one file) ``/sitemap.xml``
is a sitemap index of ``/sitemap-1.xml``, ``/sitemap-2.xml``…, each holding that many URLs at most. URLs are
absolute and on the host the crawler asked, as the protocol requires; resource pages are their HTML
documents (``…/id/theme/workload.html``), which answer 200 where the thing's IRI answers 303.
"""

from __future__ import annotations

import math

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from .. import iris, resource_list
from ..errors import NotFound
from . import answers, kg, pages

bp = Blueprint("sitemap", __name__)

MAX_URLS = 50_000
# The site's own pages (endpoint, arguments), before the canned queries, the graphs and the resources.
SITE_PAGES = (("site.home", {}), ("evidence_map.page", {}), ("queries.index", {}), ("editor.page", {}),
              ("downloads.index", {}), ("dataset.describe", {}), ("resources.ontology", {"suffix": "html"}),
              ("curation.validate_form", {}))


@bp.get("/robots.txt")
def robots() -> Response:
    text = render_template("robots.txt", sitemap=url_for("sitemap.index", _external=True))
    return _cacheable(Response(text, mimetype="text/plain"))


@bp.get("/sitemap.xml")
def index() -> Response:
    urls, size = _urls(), current_app.config["SITEMAP_MAX_URLS"]
    if len(urls) <= size:
        return _xml(render_template("sitemap.xml", urls=urls))
    sitemaps = [url_for("sitemap.part", number=n, _external=True) for n in range(1, math.ceil(len(urls) / size) + 1)]
    return _xml(render_template("sitemap_index.xml", sitemaps=sitemaps))


@bp.get("/sitemap-<int:number>.xml")
def part(number: int) -> Response:
    urls, size = _urls(), current_app.config["SITEMAP_MAX_URLS"]
    parts = math.ceil(len(urls) / size)
    if not 1 <= number <= parts:
        raise NotFound(f"the sitemap has {parts} part{'' if parts == 1 else 's'}: /sitemap-1.xml to /sitemap-{parts}.xml")
    return _xml(render_template("sitemap.xml", urls=urls[(number - 1) * size: number * size]))


def _urls() -> list[str]:
    """Every page's URL on this host, made once per (store version, URL root)."""
    return kg.per_version("peerkg.sitemap", _list)


def _list() -> list[str]:
    root = request.url_root.rstrip("/")
    site = [url_for(endpoint, _external=True, **arguments) for endpoint, arguments in SITE_PAGES]
    queries = [url_for("queries.run", name=name, _external=True) for name in kg.canned()]
    graphs = sorted(row["graph"] for row in answers.rows("stats_graphs"))
    resources = resource_list.read(kg.products())  # listed when the version was published
    if resources is None:
        resources = [row["resource"] for row in answers.rows("sitemap_resources", (("space", ox.Literal(iris.uri_space())),))]
    return site + queries + [f"{root}{pages.href(iri)}.html" for iri in graphs + resources]


def _xml(text: str) -> Response:
    return _cacheable(Response(text, mimetype="application/xml"))


def _cacheable(response: Response) -> Response:
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)

"""``/dataset`` and ``/.well-known/void``: the dataset described in VoID and DCAT, by negotiation.

The description is built once per store version and URL root (its IRIs are the server's as the client
reached it), from the facts gathered when the version was published (or, without them, by queries in the
app's killable query processes, like the service description's). While the job publishing a version is
still writing its downloads, the description has no distributions yet and is not kept: a page, not a 503.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SDO

from .. import dataset as description
from .. import formats, guard
from ..errors import NotReady, UserInputError
from ..backends import Query
from ..iris import VOID
from . import downloads, kg, pages
from .negotiation import NotAcceptable, prefers

bp = Blueprint("dataset", __name__)

SCHEMA_ORG = Path(__file__).with_name("schema_org.rq")
# schema.org's terms, with its URL-valued properties written as plain strings, as schema.org's own context does.
SCHEMA_ORG_CONTEXT = {"@vocab": str(SDO)} | {term: {"@type": "@id"} for term in ("contentUrl", "url", "license", "sameAs")}

# media type → format name in formats.RDF (None: the HTML page). The first is the answer to */* and to no
# Accept: what asks /.well-known/void without saying what it wants is a crawler, not a browser.
TYPES = {f.media_type: f.name for f in formats.RDF.values() if not f.datasets or f.name == "jsonld"} | {
    "text/html": None,
    "application/json": "jsonld",
}
# ?format= for links and clients that cannot set Accept: a format's name or suffix, or html.
FORMATS = {key: f.media_type for f in formats.RDF.values() if f.media_type in TYPES for key in (f.name, f.suffix)} | {
    "json-ld": "application/ld+json", "html": "text/html",
}


@bp.get("/.well-known/void")
def well_known() -> Response:
    """The VoID well-known location (RFC 8615, VoID section 7.2) answers as /dataset does."""
    return describe()


@bp.get("/dataset")
def describe() -> Response:
    media = _choose()
    graph, page = _description()
    name = TYPES[media]
    body = render_template("dataset.html", **page) if name is None else formats.serialize_graph(graph, name)
    response = Response(body, mimetype=media)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


def _choose() -> str:
    requested = request.args.get("format")
    if requested is not None:
        if requested.lower() not in FORMATS:
            raise UserInputError(f"unknown format {requested!r}; use one of {', '.join(sorted(FORMATS))}")
        return FORMATS[requested.lower()]
    media = prefers(*TYPES)
    if media is None:
        raise NotAcceptable(
            f"none of the media types in Accept ({request.headers.get('Accept')}) can represent the dataset description; "
            f"offered: {', '.join(TYPES)}"
        )
    return media


def schema_org() -> str:
    """The same description as schema.org JSON-LD, for the home page (mapped by ``schema_org.rq``)."""
    if _files() is None:
        return _schema_org()
    return kg.per_version("peerkg.schema_org", _schema_org)


def _schema_org() -> str:
    description = _description()[0]  # first: its queries take the parser lock too
    with guard.PARSER_LOCK:  # rdflib's SPARQL parser is not thread-safe
        mapped = description.query(SCHEMA_ORG.read_text(encoding="utf-8")).graph
    return pages.script_json(mapped.serialize(format="json-ld", context=SCHEMA_ORG_CONTEXT))


def _description() -> tuple[Graph, dict]:
    """The graph and the HTML page's values, made once per (store version, URL root)."""
    files = _files()
    if files is None:
        return _build(())
    return kg.per_version("peerkg.dataset", lambda: _build(files))


def _files() -> list | None:
    """The version's download files; None while its publishing job writes them (waited for a while first)."""
    try:
        return downloads.listing()[1]
    except NotReady:
        return None


def _build(files) -> tuple[Graph, dict]:
    facts = gathered()
    urls = description.Urls(
        description=url_for("dataset.describe", _external=True),
        landing_page=request.url_root,
        sparql=url_for("sparql.endpoint", _external=True),
        downloads=url_for("downloads.index", _external=True),
    )
    graph = description.describe(facts, files, urls)
    return graph, _page(graph, facts, files, urls)


def gathered() -> description.Facts:
    """The facts of this request's version, as gathered when it was published (made once per version)."""
    return kg.per_version("peerkg.facts", _facts)


def _facts() -> description.Facts:
    # A version published without its downloads gets them now, and its facts with them; while its job is
    # still writing them, the facts are counted by queries instead.
    _files()
    return description.load(kg.products()) or description.gather(_run, Path(current_app.config["QUERIES_DIR"]), kg.version())


def _run(query: str, result_format: str, substitutions: tuple = ()) -> bytes:
    return kg.run(Query(query, result_format, substitutions))


def _page(graph: Graph, facts: description.Facts, files, urls: description.Urls) -> dict:
    """What dataset.html shows, read from the graph where the graph says it."""
    dataset = description.node(urls, "dataset")
    licence = graph.value(dataset, DCTERMS.license)
    creator = graph.value(dataset, DCTERMS.creator)
    return {
        "title": graph.value(dataset, DCTERMS.title),
        "description": graph.value(dataset, DCTERMS.description),
        "licence": {"href": str(licence), "label": graph.value(licence, RDFS.label) or str(licence)},
        "creator": {"href": pages.href(str(creator)), "label": graph.value(creator, FOAF.name) or str(creator)},
        "version": facts.version,
        "modified": facts.modified,
        "stats": facts.stats,
        "uri_space": graph.value(dataset, VOID.uriSpace),
        "sparql": urls.sparql,
        "sources": pages.sources(facts.sources),
        "distributions": [
            {"path": f.path, "url": description.download_url(urls, f), "media_type": f.content_media_type,
             "compressed": f.media_type != f.content_media_type, "size": f.size, "sha256": f.sha256}
            for f in files if f.dump
        ],
        "classes": [{"href": pages.href(iri), "short": pages.short(iri), "entities": n} for iri, n in facts.classes],
        "properties": [{"href": pages.href(iri), "short": pages.short(iri), "triples": n} for iri, n in facts.properties],
        "vocabularies": sorted(str(v) for v in graph.objects(dataset, VOID.vocabulary)),
        "examples": [{"href": pages.href(iri), "short": pages.short(iri)} for iri in facts.examples],
        "formats": [(f"?format={suffix}", name) for suffix, name in
                    (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))],
        "jsonld": pages.script_json(graph.serialize(format="json-ld", auto_compact=True)),
        "iri": URIRef(dataset),
    }

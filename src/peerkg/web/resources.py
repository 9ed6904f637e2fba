"""Dereferenceable IRIs: ``/id/…``, ``/graph/…`` and ``/ontology`` answer with a description of their thing.

Following the W3C note "Cool URIs for the Semantic Web", a thing's IRI (no suffix) answers ``303 See Other``
to the document that describes it, chosen by ``Accept``: ``<iri>.html``, ``.ttl``, ``.jsonld``, ``.nt``,
``.nq``, ``.trig`` or ``.rdf``. The documents answer ``200`` with ``Link`` headers to the other variants and to the thing they
describe. The IRIs are the configured base's (``PEERKG_BASE``); a server on another host serves them at
the same paths.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request
from rdflib import Graph, URIRef

from .. import formats, guard, iris, resource_list
from ..errors import NotFound
from ..backends import Query
from . import answers, kg, ontology_docs, pages
from .negotiation import NotAcceptable, prefers

bp = Blueprint("resources", __name__)
NEARBY = 12  # IRIs a 404 names, as many as canned query nearby_iris gives

# suffix → (media type, format name in formats.RDF); HTML first: the default for browsers and */*. A
# description is one graph: in N-Quads and TriG (which Comunica asks for first) its triples are in the
# default graph, where a client's triple patterns find them.
VARIANTS = {"html": ("text/html", None)} | {f.suffix: (f.media_type, f.name) for f in formats.RDF.values()}
BY_MEDIA = {media: suffix for suffix, (media, _) in VARIANTS.items()} | {"application/json": "jsonld", "application/xhtml+xml": "html"}


@bp.get("/id/<path:path>")
def thing(path: str) -> Response:
    return _dereference("id/" + path, _describe)


@bp.get("/graph/<path:name>")  # curated graphs are graph/curated/<name>
def named_graph(name: str) -> Response:
    return _dereference("graph/" + name, _graph)


@bp.get("/ontology")
@bp.get("/ontology.<suffix>")
@bp.get("/ontology/<path:rest>")
def ontology(suffix: str | None = None, rest: str | None = None) -> Response:
    """The ontology IRI, its version IRI (``/ontology/0.1.0``) and their documents."""
    if rest is not None:
        return _dereference("ontology/" + rest, _ontology)
    return _dereference("ontology" + (f".{suffix}" if suffix else ""), _ontology)


def _dereference(path: str, describe) -> Response:
    """303 from a thing's IRI to its document; 200 for a document (``…/x.ttl``)."""
    stem, _, suffix = path.rpartition(".") if _has_suffix(path) else (path, "", "")
    if not suffix:
        chosen = BY_MEDIA.get(prefers(*BY_MEDIA))
        if chosen is None:
            raise NotAcceptable(f"/{stem} is described as {', '.join(media for media, _ in VARIANTS.values())}")
        describe(stem, check_only=True)
        response = redirect(f"/{stem}.{chosen}", code=303)
        response.vary.add("Accept")
        response.headers["Link"] = _links(stem)
        return response
    graph, iri, title = describe(stem)
    media, name = VARIANTS[suffix]
    body = describe_html(stem, graph, iri, title) if name is None else formats.serialize_graph(graph, name)
    response = Response(body, mimetype=media)
    response.headers["Link"] = _links(stem, iri=iri, current=suffix)
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


def describe_html(stem: str, graph: Graph, iri: URIRef, title: str) -> str:
    if stem.startswith("ontology"):
        return ontology_docs.html()
    counted = answers.rows("link_counts", (("resource", ox.NamedNode(str(iri))),)) if stem.startswith("id/") else []
    totals = counted[0] if counted else {}  # nothing when the resource is only an object
    return pages.resource(graph, iri, title, alternates=_alternates(stem),
                          totals={name: int(totals[name]) for name in ("statements", "incoming") if totals.get(name)})


def _has_suffix(path: str) -> bool:
    return path.rpartition("/")[2].rpartition(".")[2] in VARIANTS and "." in path.rpartition("/")[2]


def _alternates(stem: str) -> list[tuple[str, str, str]]:
    return [(f"/{stem}.{suffix}", media, suffix) for suffix, (media, _) in VARIANTS.items()]


def _links(stem: str, iri: URIRef | None = None, current: str | None = None) -> str:
    links = [f'<{href}>; rel="alternate"; type="{media}"' for href, media, suffix in _alternates(stem) if suffix != current]
    if iri is not None:
        links.append(f'<{iri}>; rel="describes"')
    return ", ".join(links)


def _describe(stem: str, check_only: bool = False):
    """The resource's description from the store (canned query ``describe``), or a helpful 404."""
    iri, graph = _construct(stem, "describe", "resource", check_only)
    return None if graph is None else (graph, iri, pages.label(graph, iri) or stem)


def _graph(stem: str, check_only: bool = False):
    """A named graph's IRI describes the graph: its own triples (canned query ``named_graph``)."""
    iri, graph = _construct(stem, "named_graph", "graph", check_only)
    return None if graph is None else (graph, iri, f"Named graph {stem.rsplit('/', 1)[-1]}")


def _construct(stem: str, query_name: str, variable: str, check_only: bool) -> tuple[URIRef, Graph | None]:
    """Run a canned CONSTRUCT for the IRI at ``stem``; nothing at all is a 404 naming IRIs nearby."""
    iri = URIRef(iris.base() + stem)
    try:
        node = ox.NamedNode(str(iri))
    except ValueError:  # a space, a quote, a brace…: no IRI the graph could hold
        raise NotFound(f"/{guard.excerpt(stem, 100)} is not the path of an IRI: the graph's IRIs have no spaces, quotes, "
                       "angle brackets, braces or control characters; see /queries or ask /sparql") from None
    if check_only and resource_list.lists(kg.products(), str(iri)):
        return iri, None  # a resource the version lists has a description: no need to make it for a 303
    query = kg.canned()[query_name]
    ntriples = kg.run(Query(query.text, "ntriples", ((variable, node),)))
    if not ntriples:
        raise NotInGraph(str(iri), _near(stem))
    return iri, None if check_only else pages.graph_with_prefixes().parse(data=ntriples, format="nt")


def _ontology(stem: str, check_only: bool = False):
    if stem not in ("ontology", f"ontology/{ontology_docs.version()}"):
        raise NotInGraph(iris.ONTOLOGY_IRI + stem.removeprefix("ontology"), [iris.ONTOLOGY_IRI])
    if check_only:
        return None
    return ontology_docs.graph(), URIRef(iris.ONTOLOGY_IRI), "peerkg ontology"


def _near(stem: str) -> list[str]:
    """IRIs of the graph that share the missing one's parent path, for a 'did you mean': from the version's
    list of resources, or (a version published without one) canned query ``nearby_iris``."""
    parent = iris.base() + stem.rsplit("/", 1)[0] + "/"
    listed = resource_list.starting_with(kg.products(), parent, NEARBY)
    if listed is not None:
        return listed
    query = kg.canned()["nearby_iris"]
    body = kg.run(Query(query.text, "json", (("prefix", ox.Literal(parent)),)))
    return [row["iri"]["value"] for row in json.loads(body)["results"]["bindings"]]


class NotInGraph(NotFound):
    def __init__(self, iri: str, near: list[str]):
        hint = f"; IRIs nearby: {', '.join(near[:5])}" if near else "; see /queries or ask /sparql"
        super().__init__(f"the graph holds nothing about <{iri}>{hint}", details={"iri": iri, "near": near})


"""The HTML page of a ``/sparql`` query, for browsers (as Fuseki, Virtuoso and QLever give one): the query
with a link that opens it in the editor, its results as a table with IRIs linking to their pages, and the
same results in every format to download."""

from __future__ import annotations

import json

from flask import Response, render_template, request, url_for

from ..backends import Query
from ..guard import Checked
from . import kg, pages, query_page

DOWNLOADS = {
    False: (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV")),
    True: (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("nquads", "N-Quads"), ("rdfxml", "RDF/XML")),
}


def result_format(graph_result: bool) -> str:
    """The format the page's query is run in: N-Triples for a graph, SPARQL JSON for a table."""
    return "ntriples" if graph_result else "json"


def render(query: str, checked: Checked, dataset) -> Response:
    body = kg.run(Query.checked(checked, result_format(checked.graph_result), dataset=dataset))
    boolean, columns, rows = None, [], []
    if checked.graph_result:
        columns, rows = query_page.triple_rows(pages.graph_with_prefixes().parse(data=body, format="nt"))
    elif "boolean" in (parsed := json.loads(body)):
        boolean = parsed["boolean"]
    else:
        columns, rows = query_page.solution_rows(body)
    default_graphs, named_graphs = dataset or ((), ())
    graphs = {"default-graph-uri": list(default_graphs or ()), "named-graph-uri": list(named_graphs or ())}
    page = render_template(
        "sparql_results.html",
        query=query,
        boolean=boolean,
        columns=columns,
        rows=rows[: query_page.MAX_ROWS],
        total=len(rows),
        max_rows=query_page.MAX_ROWS,
        permalink=None,
        downloads=[(label, url_for("sparql.endpoint", query=query, format=name, **graphs))
                   for name, label in DOWNLOADS[checked.graph_result]],
        editor=url_for("editor.page", query=query),
        dataset=[(name, iri) for name, iris in graphs.items() for iri in iris],
        href=pages.href,
    )
    response = Response(page, mimetype="text/html")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)

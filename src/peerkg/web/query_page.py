"""The HTML page of a canned query: what it asks, its SPARQL, a form made from its parameters, its results.

The form is a GET form, so the page's URL is the permalink: it names every parameter's value (defaults
written out), and the downloads are the same URL with a suffix. IRIs in the results link to their pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, render_template, request, url_for
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..errors import UserInputError
from ..guard import Checked
from ..queries import CannedQuery
from . import answers, kg, pages

MAX_ROWS = 1000
INPUT_TYPES = {"integer": "number", "date": "date"}  # iri and string are text; boolean is a choice
DOWNLOADS = {False: (("csv", "CSV"), ("json", "JSON"), ("tsv", "TSV")), True: (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))}


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    note: str | None = None  # a literal's language or datatype


def render(query: CannedQuery, checked: Checked, given: dict[str, str]) -> Response:
    """The page, with the results of ``given`` (a 400 page when a value does not fit its parameter)."""
    types = {param.name: param.type for param in query.params}
    # An emptied field means "leave it out" here; "" is a value only for a string (as in the URL API).
    values = {key: value for key, value in given.items() if value != "" or types.get(key) == "string"}
    shown = {param.name: values.get(param.name, param.default or "") for param in query.params}
    error, columns, rows, total = None, [], [], 0
    try:
        bound = query.substitutions(values)
    except UserInputError as problem:
        error = problem.message
    else:
        substitutions = tuple(sorted((variable.value, term) for variable, term in bound.items()))
        columns, rows = (_triples if checked.graph_result else _solutions)(query, substitutions)
        total = len(rows)
    permalink_values = {name: value for name, value in shown.items() if value != ""}
    page = render_template(
        "query.html",
        query=query,
        error=error,
        fields=[_field(param, shown[param.name]) for param in query.params],
        columns=columns,
        rows=rows[:MAX_ROWS],
        total=total,
        max_rows=MAX_ROWS,
        permalink=url_for("queries.run", name=query.name, _external=True, **permalink_values),
        downloads=[(label, url_for("queries.run", name=f"{query.name}.{suffix}", **permalink_values))
                   for suffix, label in DOWNLOADS[checked.graph_result]],
    )
    response = Response(page, status=400 if error else 200, mimetype="text/html")
    response.vary.add("Accept")
    if error:
        response.headers["Cache-Control"] = "no-store"
        return response
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


def _field(param, value: str) -> dict:
    return {
        "name": param.name,
        "type": param.type,
        "input": INPUT_TYPES.get(param.type, "text"),
        "value": value,
        "default": param.default,
        "example": param.example,
        "description": param.description,
    }


def _solutions(query: CannedQuery, substitutions: tuple) -> tuple[list[str], list[list[Cell]]]:
    return solution_rows(kg.run(answers.job(query.name, "json", substitutions)))


def _triples(query: CannedQuery, substitutions: tuple) -> tuple[list[str], list[list[Cell]]]:
    return triple_rows(answers.graph(query.name, substitutions))


def solution_rows(body: bytes) -> tuple[list[str], list[list[Cell]]]:
    """The columns and cells of SPARQL JSON results (an ASK is one column, ``_askResult``)."""
    variables, bindings = answers.terms(body)
    return variables, [[_cell(binding.get(v)) for v in variables] for binding in bindings]


def triple_rows(graph) -> tuple[list[str], list[list[Cell]]]:
    """A graph as a table of subject, predicate and object, sorted."""
    return ["subject", "predicate", "object"], [[_node(s), _node(p), _node(o)] for s, p, o in sorted(graph)]


def _cell(term: dict | None) -> Cell:
    if term is None:
        return Cell("")
    if term["type"] == "uri":
        return Cell(pages.short(term["value"]), pages.href(term["value"]))
    if term["type"] == "bnode":
        return Cell("_:" + term["value"])
    return Cell(term["value"], note=term.get("xml:lang") or _datatype(term.get("datatype")))


def _node(node) -> Cell:
    if isinstance(node, URIRef):
        return Cell(pages.short(str(node)), pages.href(str(node)))
    if isinstance(node, Literal):
        return Cell(str(node), note=node.language or _datatype(node.datatype and str(node.datatype)))
    return Cell("_:" + str(node))


def _datatype(iri: str | None) -> str | None:
    return None if iri is None or iri in (str(XSD.string), str(RDF.langString)) else pages.short(iri)

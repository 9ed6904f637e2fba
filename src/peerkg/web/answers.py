"""Canned queries answered for the site's own pages: run in the app's query processes, read back as rows or a graph.

The pages (home, evidence map, query pages) show what the endpoint would answer: the same canned query
files, the same backend and cache, never SPARQL of their own.
"""

from __future__ import annotations

import json

from rdflib import Graph

from ..backends import Query
from . import kg, pages


def job(name: str, result_format: str, substitutions: tuple = ()) -> Query:
    return Query(kg.canned()[name].text, result_format, substitutions)


def rows(name: str, substitutions: tuple = ()) -> list[dict[str, str | None]]:
    """A canned SELECT's solutions as dicts of lexical values (None where unbound), in the query's order."""
    variables, bindings = terms(kg.run(job(name, "json", substitutions)))
    return [{v: (b[v]["value"] if v in b else None) for v in variables} for b in bindings]


def terms(body: bytes) -> tuple[list[str], list[dict]]:
    """The variables and bindings of SPARQL JSON results, each value ``{"value", "type": uri|literal|bnode, …}``;
    an ASK is one column, ``_askResult``."""
    results = json.loads(body)
    if "boolean" in results:
        return ["_askResult"], [{"_askResult": {"type": "literal", "value": str(results["boolean"]).lower()}}]
    return results["head"]["vars"], results["results"]["bindings"]


def graph(name: str, substitutions: tuple = ()) -> Graph:
    """A canned CONSTRUCT's triples, with the project's prefixes bound."""
    return pages.graph_with_prefixes().parse(data=kg.run(job(name, "ntriples", substitutions)), format="nt")

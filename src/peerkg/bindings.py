"""Parameters bound into a query's text, for engines that take no bindings with a query.

The SPARQL 1.1 Protocol has no parameters: an engine over HTTP runs text. pyoxigraph's ``substitutions=``
replace a variable by a term everywhere it occurs, subqueries included, and that is what the canned
queries are written for. Appending a ``VALUES`` block (what rdflib's SPARQLStore does) is not the same
query: a trailing ``VALUES`` is joined after the subqueries and filters ran without the value. So each
occurrence of the variable is replaced by the term, as Jena's ParameterizedSparqlString does, on the
tokens of the query (strings, IRIs and comments are never touched), where the grammar wants a term:

- in the query's SELECT projection, ``?x`` becomes ``(term AS ?x)``, so the solutions still have the
  column; a subquery's projection drops it (the term is everywhere the subquery's answer would have
  carried it, and ``AS`` may not name a variable the pattern below binds);
- after ``GROUP BY`` and ``ORDER BY``, it becomes ``(term)``;
- everywhere else (triple patterns, expressions, templates, DESCRIBE) the term itself.

The terms come from pyoxigraph, whose N-Triples form is escaped by the library, never by this module.
One difference remains: pyoxigraph binds a variable inside a subquery only where the subquery projects it
(elsewhere it is another variable of the same name), while this module replaces it there too. Canned
queries project a parameter from every subquery that uses it; tests/test_backends.py checks each of them
on both backends.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

# One alternative per token kind; the first that matches at a position wins. IRIREF before "<" as an
# operator: an IRI has no spaces, so "?a < ?b" is two variables and an operator.
TOKENS = re.compile(
    r'''(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')'''
    r'''|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'''
    r'''|(?P<comment>\#[^\n]*)'''
    r'''|(?P<variable>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)'''
    r'''|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)'''
    r'''|(?P<other>\s+|.)''',
    re.DOTALL,
)
# Where a projection ends: the words that may follow a SELECT clause.
AFTER_PROJECTION = {"WHERE", "FROM"}


def bind(text: str, bindings: tuple[tuple[str, ox.NamedNode | ox.Literal | ox.BlankNode], ...]) -> str:
    """``text`` with every occurrence of each bound variable replaced by its term."""
    if not bindings:
        return text
    terms = {name: _term(term) for name, term in bindings}
    out: list[str] = []
    in_projection = False  # between SELECT and its WHERE / FROM / "{"
    depth = 0  # of braces: a SELECT inside any is a subquery
    projection_depth = 0
    after_modifier = False  # after GROUP BY or ORDER BY, until a brace or another clause
    previous_word = ""
    for match in TOKENS.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "word":
            upper = token.upper()
            if upper == "SELECT":
                in_projection, after_modifier, projection_depth = True, False, depth
            elif upper in AFTER_PROJECTION:
                in_projection = False
            elif upper == "BY" and previous_word in ("GROUP", "ORDER"):
                after_modifier = True
            elif upper in ("HAVING", "LIMIT", "OFFSET", "VALUES"):
                after_modifier = False
            previous_word = upper
        elif kind == "other" and token == "{":
            in_projection = after_modifier = False
            depth += 1
        elif kind == "other" and token == "}":  # a subquery's GROUP BY ends with it
            after_modifier = False
            depth -= 1
        if kind == "variable" and token[1:] in terms:
            term = terms[token[1:]]
            if in_projection and _defines(out):
                pass  # (… AS ?x) names the column
            elif in_projection:
                token = f"({term} AS {token})" if projection_depth == 0 else ""
            elif after_modifier:
                token = f"({term})"
            else:
                token = term
        out.append(token)
    return "".join(out)


def _defines(out: list[str]) -> bool:
    """Whether the variable being read is the target of ``(… AS ?x)``: then it stays a variable."""
    for token in reversed(out):
        if token.strip():
            return token.upper() == "AS"
    return False


def _term(term) -> str:
    if not isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        raise TypeError(f"a query parameter must be an RDF term, not {type(term).__name__}")
    return str(term)  # the N-Triples form: <iri>, "text"@lang, "1"^^<datatype>, _:b

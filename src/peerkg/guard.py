"""Read a SPARQL request before anything runs: its form, and whether it may run at all.

pyoxigraph would fetch any URL a query's SERVICE (or an update's LOAD) names, so both are refused here,
from the parsed query rather than by matching text. Updates are never run by the query endpoint.
Parsing with rdflib costs milliseconds, so verdicts are cached by query text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import Refused, UserInputError

FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}



@dataclass(frozen=True)
class Checked:
    form: str  # select, ask, construct, describe
    has_dataset: bool = False  # FROM / FROM NAMED: the query names its own dataset

    @property
    def graph_result(self) -> bool:
        return self.form in ("construct", "describe")


@functools.lru_cache(maxsize=1024)
def check(query: str) -> Checked:
    """The query's form; ``UserInputError`` (400) for bad syntax, ``Refused`` (403) for updates and SERVICE."""
    try:
        tree = parseQuery(query)
    except RecursionError:
        raise UserInputError("the query is nested too deeply to be read; flatten its parentheses or groups") from None
    except ParseException as problem:
        if _is_update(query):
            raise Refused(
                "this endpoint answers queries only; SPARQL updates (INSERT, DELETE, LOAD, CLEAR…) are not accepted"
            ) from None
        raise UserInputError(_syntax_message(problem), details={"line": problem.lineno, "column": problem.col}) from None
    if _mentions(tree, "ServiceGraphPattern"):
        raise Refused("SERVICE (federated query) is not allowed here: this endpoint never fetches other endpoints.")
    form = next((FORMS[node.name] for node in tree if isinstance(node, CompValue) and node.name in FORMS), None)
    if form is None:
        raise UserInputError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return Checked(form, has_dataset=_mentions(tree, "DatasetClause"))


def _syntax_message(problem: ParseException) -> str:
    """Where the parser stopped, what it found there, and the line with a caret under it."""
    found = problem.line[problem.col - 1 :].split()[0] if problem.line[problem.col - 1 :].strip() else "end of query"
    caret = " " * (problem.col - 1) + "^"
    return (
        f"SPARQL syntax error at line {problem.lineno}, column {problem.col}: unexpected {found!r} "
        f"(the parser expected {problem.msg.removeprefix('Expected ')})\n{problem.line}\n{caret}"
    )


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except ParseException:
        return False
    return True


def _mentions(node, name: str) -> bool:
    """Whether a parse tree contains a node called ``name``, at any depth."""
    if isinstance(node, CompValue):
        if node.name == name:
            return True
        return any(_mentions(value, name) for value in node.values())
    if isinstance(node, (ParseResults, list, tuple)):
        return any(_mentions(child, name) for child in node)
    return False

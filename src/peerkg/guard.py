"""Read a SPARQL request before anything runs: its form, and whether it may run at all.

pyoxigraph would fetch any URL a query's SERVICE (or an update's LOAD) names, so both are refused here,
from the parsed query rather than by matching text. Updates are never run by the query endpoint.
Parsing with rdflib costs milliseconds, so verdicts are cached by query text.

The guard and the engine must read the same text: rdflib ends a ``#`` comment only at LF, Oxigraph at CR
too, so ``# x\rSERVICE <…>`` was a comment to one and a SERVICE to the other. Line ends are normalised
(CRLF and CR become LF, as XML does) before the guard reads the query, and ``Checked.text`` is what runs.
The query processes cannot open network sockets either (sandbox.py), whatever a parser decides.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import Refused, UserInputError

FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}
# What a process parses first, to set the parser up: prefixes, a group, a filter, an optional, a modifier.
WARM_UP = "PREFIX x: <urn:x:> SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s a x:T ; ?p ?o FILTER (?o > 1) OPTIONAL { ?o ?q ?r } } GROUP BY ?s LIMIT 1"

EXCERPT = 200  # characters of a client's input an error message may quote
# rdflib's SPARQL grammar (pyparsing) keeps parse state on shared objects: two threads of a web worker
# parsing at once corrupt each other's parse (TypeError inside pyparsing). One parse at a time per process.
PARSER_LOCK = threading.Lock()  # also held by the few in-process rdflib queries (web/dataset.py)


@dataclass(frozen=True)
class Checked:
    form: str  # select, ask, construct, describe
    has_dataset: bool = False  # FROM / FROM NAMED: the query names its own dataset
    text: str = ""  # the query as the guard read it, line ends normalised: the text the engine runs

    @property
    def graph_result(self) -> bool:
        return self.form in ("construct", "describe")


# A verdict is a function of the text alone: verdicts this guard gave in another process (the canned
# queries', read before gunicorn forks) are taken as this process's own, instead of parsed again here
# (20-90 ms each in every query process).
_KNOWN: dict[str, Checked] = {}


def remember(verdicts: Iterable[Checked]) -> None:
    """Take verdicts that ``check`` gave in another process."""
    _KNOWN.update((verdict.text, verdict) for verdict in verdicts)


def warm() -> None:
    """Make this process's first parse now: it sets up the grammar (about 20 ms more than the next)."""
    with PARSER_LOCK:
        parseQuery(WARM_UP)


@functools.lru_cache(maxsize=1024)
def check(query: str) -> Checked:
    """The query's form; ``UserInputError`` (400) for bad syntax, ``Refused`` (403) for updates and SERVICE."""
    query = normalise(query)
    if query in _KNOWN:
        return _KNOWN[query]
    try:
        with PARSER_LOCK:
            tree = parseQuery(query)
    except (ValueError, OverflowError) as problem:  # e.g. a \U escape past U+10FFFF
        raise UserInputError(excerpt(f"the query cannot be read: {problem}")) from None
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
    return Checked(form, has_dataset=_mentions(tree, "DatasetClause"), text=query)


def normalise(query: str) -> str:
    """Line ends as LF only, so that no two parsers can split the text into lines differently."""
    return query.replace("\r\n", "\n").replace("\r", "\n")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most ``limit`` characters of a message that quotes a client's input."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit:,} more characters)"


def _syntax_message(problem: ParseException) -> str:
    """Where the parser stopped, what it found there, and the line with a caret under it."""
    rest = problem.line[problem.col - 1 :]
    found = excerpt(rest.split()[0], 40) if rest.strip() else "end of query"
    # The line with a caret under the place: a window around it, not a whole (maybe megabyte-long) line.
    start = max(problem.col - 1 - 60, 0)
    window = problem.line[start : problem.col - 1 + 60]
    caret = " " * (problem.col - 1 - start) + "^"
    return (
        f"SPARQL syntax error at line {problem.lineno}, column {problem.col}: unexpected {found!r} "
        f"(the parser expected {excerpt(problem.msg.removeprefix('Expected '), 120)})\n{window}\n{caret}"
    )


def _is_update(text: str) -> bool:
    try:
        with PARSER_LOCK:
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

"""SHACL core constraints compiled to SPARQL, run on Oxigraph over every focus node at once.

pyshacl walks the data node by node in Python, over an rdflib graph; at 10^5 triples that is tens of
seconds and gigabytes. Here the constraints of each shape become SELECT queries, generated from the
shapes graph, whose solutions are the constraints' validation results for every focus node of the shape
(found once per node shape, into a scratch graph of the store that the queries read): one query for all
the constraints of a shape that a row of a focus node and one of its values shows broken, one for each
other constraint. The results form the W3C report pyshacl writes (focus node, path, value, source shape,
component, severity, message), which tests/test_shacl_sparql.py compares with pyshacl's on a corpus that
breaks every constraint: pyshacl stays the reference.

Terms from the shapes graph enter a query only as N-Triples terms written by pyoxigraph (``str()`` of an
``ox.NamedNode`` or ``ox.Literal``), never as pasted text. A constraint parameter this module does not know
raises ``UserInputError``: a shape is never checked halfway.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD

from . import iris
from .errors import UserInputError
from .formats import to_rdflib
from .iris import SH

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
# Predicates of a shape that are not constraints (sh:flags goes with sh:pattern; sh:sparql is peerkg.shapes').
_NOT_CONSTRAINTS = {RDF.type, SH.path, SH.message, SH.name, SH.description, SH.order, SH.group, SH.severity,
                    SH.deactivated, SH.flags, SH.property, SH.sparql, *TARGETS}
_NODE_KINDS = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
               SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
               SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
# Datatypes whose lexical form pyshacl checks (through rdflib's conversion to a Python value): a literal of
# one of them is well formed when SPARQL can cast its string to it; xsd:hexBinary's has no cast in SPARQL.
_CASTS = (XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.date, XSD.time, XSD.dateTime)
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
# The constraints ``_conforms`` tests on each value alone (sh:class has a query of its own, see ``_query``).
_VALUE_TESTS = {SH.datatype, SH.nodeKind, *_COMPARISONS, SH.pattern, SH.languageIn, SH["in"], SH["or"], SH["and"],
                SH["not"], SH.node}
_RDF_TYPE, _SUBCLASS = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_FOCUS_GRAPH, _FOCUS_NODE = str(ox.NamedNode(iris.FOCUS_GRAPH)), str(ox.NamedNode(iris.FOCUS["node"]))
_TRUE = ox.Literal(True)


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as the query that finds its results."""

    shape: URIRef  # sh:sourceShape
    node_shape: URIRef  # whose focus nodes the query reads from the scratch graph (see ``run``)
    component: URIRef  # sh:sourceConstraintComponent
    query: str  # binds ?this, and ?value where the result has one
    path: object  # sh:resultPath: the shape's path in the shapes graph, or None
    severity: URIRef
    message: Literal
    with_value: bool  # whether a result names the value (sh:value): not for counts, sh:hasValue, sh:uniqueLang
    broken: str | None = None  # in a query shared with other constraints, the variable true where this one fails


def compile(shapes: Graph) -> list[Check]:
    """The checks of every targeted node shape and of its property shapes."""
    checks = []
    for node_shape in sorted({s for t in TARGETS for s in shapes.subjects(t, None)}, key=str):
        if _deactivated(shapes, node_shape):
            continue
        checks += _checks(shapes, node_shape, node_shape, path=None)
        for shape in sorted(shapes.objects(node_shape, SH.property), key=str):
            if not _deactivated(shapes, shape):
                checks += _checks(shapes, shape, node_shape, path=shapes.value(shape, SH.path))
    return checks


def focus_pattern(shapes: Graph, node_shape) -> str:
    """A group graph pattern binding ?this to each focus node of ``node_shape`` (classes with subclasses)."""
    parts = []
    for cls in shapes.objects(node_shape, SH.targetClass):
        parts.append(f"?class {_SUBCLASS}* {_term(cls)} . ?this {_RDF_TYPE} ?class .")
    for predicate in shapes.objects(node_shape, SH.targetSubjectsOf):
        parts.append(f"?this {_term(predicate)} ?object .")
    for predicate in shapes.objects(node_shape, SH.targetObjectsOf):
        parts.append(f"?subject {_term(predicate)} ?this .")
    for node in shapes.objects(node_shape, SH.targetNode):
        parts.append(f"VALUES ?this {{ {_term(node)} }}")
    if not parts:
        raise UserInputError(f"{node_shape} has no target peerkg can read (sh:targetClass, sh:targetSubjectsOf, "
                             "sh:targetObjectsOf, sh:targetNode)")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {p} }}" for p in parts) + " } }"


def _stored_focus(node_shape) -> str:
    """The pattern binding ?this to the focus nodes of ``node_shape`` that ``run`` stored in the scratch graph
    (the shape is the subject: a focus node can be a literal)."""
    if not isinstance(node_shape, URIRef):
        raise UserInputError(f"a node shape with targets needs an IRI here, not a blank node ({node_shape})")
    return f"GRAPH {_FOCUS_GRAPH} {{ {_term(node_shape)} {_FOCUS_NODE} ?this }}"


def run(checks: list[Check], store: ox.Store, shapes: Graph, report: Graph) -> None:
    """Add the results of every check on ``store`` to ``report`` (a graph holding one sh:ValidationReport)."""
    root = report.value(None, RDF.type, SH.ValidationReport)
    # Each node shape's focus nodes are found once, into a scratch graph its checks read: every query
    # evaluating the shape's targets again took a third of the checks' time. The data is the default graph,
    # and no query reads another named graph; the caller may go on reading the store, so it goes at the end.
    for node_shape in dict.fromkeys(check.node_shape for check in checks):
        store.update(f"INSERT {{ {_stored_focus(node_shape)} }} WHERE {{ {focus_pattern(shapes, node_shape)} }}")
    try:
        for query, sharing in _by_query(checks).items():
            reported = set()
            for solution in store.query(query):
                for check in sharing:
                    if check.broken is not None and solution[check.broken] != _TRUE:
                        continue
                    if check.broken is not None and not check.with_value:
                        # A count fails once per focus node, but its shared query has a row per value.
                        if (check, solution["this"]) in reported:
                            continue
                        reported.add((check, solution["this"]))
                    _add(report, root, check, solution, shapes)
    finally:
        store.remove_graph(ox.NamedNode(iris.FOCUS_GRAPH))


def _by_query(checks: list[Check]) -> dict[str, list[Check]]:
    """The checks by their query, in their order: a shared query runs once."""
    sharing: dict[str, list[Check]] = {}
    for check in checks:
        sharing.setdefault(check.query, []).append(check)
    return sharing


def _add(report: Graph, root, check: Check, solution: ox.QuerySolution, shapes: Graph) -> None:
    """One validation result of ``check``, as pyshacl writes it."""
    node = BNode()
    report.add((root, SH.result, node))
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.focusNode, to_rdflib(solution["this"])))
    report.add((node, SH.resultSeverity, check.severity))
    report.add((node, SH.sourceShape, check.shape))
    report.add((node, SH.sourceConstraintComponent, check.component))
    report.add((node, SH.resultMessage, check.message))
    if check.with_value:
        report.add((node, SH.value, to_rdflib(solution["value"])))
    if check.path is not None:
        report.add((node, SH.resultPath, check.path))
        if isinstance(check.path, BNode):
            _copy(shapes, check.path, report)


def _checks(shapes: Graph, shape, node_shape, path) -> list[Check]:
    """One check per constraint of ``shape`` (its value nodes reached by ``path``, or the focus node itself).

    The constraints a row of one focus node and one of its values can show broken share one query: the
    value tests, and sh:minCount 1 and sh:maxCount 0 or 1 of a path. One pass over the values instead of
    one per constraint; and a per-row test instead of a GROUP BY over every focus node, which made the
    counts the slowest checks.
    """
    parameters = sorted({p for p in shapes.predicates(shape, None) if p not in _NOT_CONSTRAINTS}, key=str)
    if not parameters:
        return []
    messages = list(shapes.objects(shape, SH.message))
    if len(messages) != 1:
        raise UserInputError(f"{shape}: a shape that reports results needs exactly one sh:message")
    severity = shapes.value(shape, SH.severity) or SH.Violation
    reach = f"?this {path_text(shapes, path)} ?value ." if path is not None else "BIND (?this AS ?value)"
    focus = _stored_focus(node_shape)
    constraints = [(parameter, argument) for parameter in parameters for argument in shapes.objects(shape, parameter)]
    # The counts last: sh:maxCount 1's EXISTS is the dearest test, and || stops at the first true one.
    in_rows = ([(p, a) for p, a in constraints if p in _VALUE_TESTS]
               + [(p, a) for p, a in constraints if _row_count(p, a, path)])
    optional = any(p == SH.minCount for p, _ in in_rows)  # a focus node without values is a row too
    fresh = count()
    tests = [_fails(shapes, p, a, path, optional, fresh) for p, a in in_rows]
    # The FILTER finds the rows; each test is evaluated again on those alone, to say which constraints failed
    # (faster than BINDing each test's outcome on every row). A test raising an error keeps no row by itself
    # and leaves its variable unbound: the value conforms to it, as with FILTER (!(test)).
    shared = (f"SELECT DISTINCT ?this ?value {' '.join(f'({test} AS ?broken{i})' for i, test in enumerate(tests))} "
              f"WHERE {{ {focus} {f'OPTIONAL {{ {reach} }}' if optional else reach} FILTER ({' || '.join(tests)}) }}"
              if tests else None)
    checks = []
    for parameter, argument in constraints:
        component = SH[_component(parameter) + "ConstraintComponent"]
        with_value = parameter not in (SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang)
        if (parameter, argument) in in_rows:
            query, broken = shared, f"broken{in_rows.index((parameter, argument))}"
        else:
            query, broken = _query(shapes, parameter, argument, focus, reach, path), None
        checks.append(Check(shape, node_shape, component, query, path, severity, messages[0], with_value, broken))
    return checks


def _row_count(parameter, argument, path) -> bool:
    """Whether a count can be tested on each row of a focus node and a value of ``path``."""
    return path is not None and ((parameter == SH.minCount and int(argument) == 1)
                                 or (parameter == SH.maxCount and int(argument) in (0, 1)))


def _fails(shapes: Graph, parameter, argument, path, optional: bool, fresh) -> str:
    """A SPARQL expression true on a row (?this, ?value) that shows the constraint broken (?value unbound:
    a focus node without values, in an OPTIONAL)."""
    if parameter == SH.minCount:
        return "!BOUND(?value)"
    if parameter == SH.maxCount:
        if int(argument) == 0:
            return "BOUND(?value)"
        return f"EXISTS {{ ?this {path_text(shapes, path)} ?other FILTER (!sameTerm(?other, ?value)) }}"
    test = f"!({_conforms(shapes, parameter, argument, '?value', fresh)})"
    return f"(BOUND(?value) && {test})" if optional else test


def _component(parameter: URIRef) -> str:
    name = parameter.removeprefix(str(SH))
    return {"minInclusive": "MinInclusive", "maxInclusive": "MaxInclusive", "minExclusive": "MinExclusive",
            "maxExclusive": "MaxExclusive", "nodeKind": "NodeKind", "minCount": "MinCount", "maxCount": "MaxCount",
            "hasValue": "HasValue", "languageIn": "LanguageIn", "uniqueLang": "UniqueLang"}.get(name, name[:1].upper() + name[1:])


def _query(shapes: Graph, parameter, argument, focus: str, reach: str, path) -> str:
    """The SELECT whose solutions are the results of one constraint."""
    if parameter == SH.minCount:
        return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {reach} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(argument)})")
    if parameter == SH.maxCount:
        return f"SELECT ?this WHERE {{ {focus} {reach} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(argument)})"
    if parameter == SH.hasValue:
        return f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {reach} FILTER (sameTerm(?value, {_term(argument)})) }} }}"
    if parameter == SH.uniqueLang:
        if not argument.toPython():
            return "SELECT ?this WHERE { FILTER (false) }"
        return (f"SELECT ?this WHERE {{ {focus} {reach} FILTER (isLiteral(?value) && LANG(?value) != \"\") }} "
                f"GROUP BY ?this (LCASE(LANG(?value))) HAVING (COUNT(DISTINCT ?value) > 1)")
    if parameter == SH.equals:
        if path is None:
            raise UserInputError("sh:equals on a node shape is not supported")
        other = _term(argument)
        return (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {{ {reach} FILTER NOT EXISTS {{ ?this {other} ?value }} }} "
                f"UNION {{ ?this {other} ?value FILTER NOT EXISTS {{ {reach} }} }} }}")
    if parameter == SH["class"]:
        # MINUS finds the instances once; Oxigraph ran the same test as a FILTER NOT EXISTS in about a
        # millisecond per value (10,000 works citing one: 3.7 s, where this takes 20 ms).
        return (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {reach} "
                f"MINUS {{ ?value {_RDF_TYPE}/{_SUBCLASS}* {_term(argument)} }} }}")
    return f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {reach} FILTER (!({_conforms(shapes, parameter, argument, '?value', count())})) }}"


def _conforms(shapes: Graph, parameter, argument, v: str, fresh) -> str:
    """A SPARQL expression true when the node in variable ``v`` meets one value constraint."""
    if parameter == SH["class"]:
        return f"EXISTS {{ {v} {_RDF_TYPE}/{_SUBCLASS}* {_term(argument)} }}"
    if parameter == SH.datatype:
        return f"COALESCE({_datatype_test(argument, v)}, false)"
    if parameter == SH.nodeKind:
        if argument not in _NODE_KINDS:
            raise UserInputError(f"sh:nodeKind {argument} is not a node kind")
        return _NODE_KINDS[argument].format(v=v)
    if parameter in _COMPARISONS:
        return f"COALESCE({v} {_COMPARISONS[parameter]} {_term(argument)}, false)"
    if parameter == SH.pattern:
        flags = shapes.value(shapes.value(predicate=SH.pattern, object=argument), SH.flags)
        arguments = ", ".join(_term(Literal(str(a))) for a in (argument, *([flags] if flags is not None else [])))
        return f"(!isBlank({v}) && COALESCE(REGEX(STR({v}), {arguments}), false))"
    if parameter == SH.languageIn:
        tags = [_term(Literal(str(tag))) for tag in Collection(shapes, argument)]
        return "COALESCE(" + " || ".join(f"langMatches(LANG({v}), {tag})" for tag in tags or ['""']) + ", false)"
    if parameter == SH["in"]:
        members = [f"sameTerm({v}, {_term(member)})" for member in Collection(shapes, argument)]
        return "(" + (" || ".join(members) or "false") + ")"
    if parameter in (SH["or"], SH["and"]):
        parts = [_shape_conforms(shapes, member, v, fresh) for member in Collection(shapes, argument)]
        joiner = " || " if parameter == SH["or"] else " && "
        return "(" + (joiner.join(parts) or ("false" if parameter == SH["or"] else "true")) + ")"
    if parameter == SH["not"]:
        return f"(!{_shape_conforms(shapes, argument, v, fresh)})"
    if parameter == SH.node:
        return _shape_conforms(shapes, argument, v, fresh)
    raise UserInputError(f"peerkg's SHACL engine does not support {parameter}")


def _shape_conforms(shapes: Graph, shape, v: str, fresh) -> str:
    """A SPARQL expression true when the node in ``v`` conforms to ``shape`` (used inside sh:or, sh:not…)."""
    tests = []
    path = shapes.value(shape, SH.path)
    for parameter in sorted({p for p in shapes.predicates(shape, None) if p not in _NOT_CONSTRAINTS}, key=str):
        for argument in shapes.objects(shape, parameter):
            if path is None:
                tests.append(_conforms(shapes, parameter, argument, v, fresh))
                continue
            value = f"?v{next(fresh)}"
            reach = f"{v} {path_text(shapes, path)} {value}"
            if parameter == SH.minCount and int(argument) <= 1:
                tests.append(f"EXISTS {{ {reach} }}" if int(argument) == 1 else "true")
            elif parameter == SH.maxCount and int(argument) == 0:
                tests.append(f"NOT EXISTS {{ {reach} }}")
            elif parameter == SH.hasValue:
                tests.append(f"EXISTS {{ {reach} FILTER (sameTerm({value}, {_term(argument)})) }}")
            elif parameter in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.equals):
                raise UserInputError(f"{shape}: {parameter} {argument} inside a logical constraint is not supported")
            else:
                tests.append(f"NOT EXISTS {{ {reach} FILTER (!({_conforms(shapes, parameter, argument, value, fresh)})) }}")
    for member in shapes.objects(shape, SH.property):
        tests.append(_shape_conforms(shapes, member, v, fresh))
    return "(" + (" && ".join(tests) or "true") + ")"


def _datatype_test(datatype, v: str) -> str:
    if datatype == RDF.langString:
        return f"(isLiteral({v}) && LANG({v}) != \"\")"
    same = f"(isLiteral({v}) && sameTerm(DATATYPE({v}), {_term(datatype)}))"
    if datatype in _CASTS:
        return f"({same} && isLiteral({_term(datatype)}(STR({v}))))"
    if datatype == XSD.hexBinary:
        return f"({same} && REGEX(STR({v}), \"^([0-9A-Fa-f]{{2}})*$\"))"
    return same


def path_text(shapes: Graph, path) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return _term(path)
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(path_text(shapes, step) for step in Collection(shapes, path)) + ")"
    for predicate, written in ((SH.inversePath, "^({})"), (SH.alternativePath, None), (SH.zeroOrMorePath, "({})*"),
                               (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = shapes.value(path, predicate)
        if inner is None:
            continue
        if predicate == SH.alternativePath:
            return "(" + "|".join(path_text(shapes, step) for step in Collection(shapes, inner)) + ")"
        return written.format(path_text(shapes, inner))
    raise UserInputError(f"not a SHACL property path: {path}")


def _term(term) -> str:
    """An rdflib term of the shapes graph as an N-Triples term, written by pyoxigraph."""
    if isinstance(term, URIRef):
        return str(ox.NamedNode(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return str(ox.Literal(str(term), language=term.language))
        return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string))))
    raise UserInputError(f"a blank node ({term}) cannot be a constraint's value here")


def _deactivated(shapes: Graph, shape) -> bool:
    return shapes.value(shape, SH.deactivated) == Literal(True)


def _copy(shapes: Graph, node, report: Graph) -> None:
    """The triples of a complex path (a blank-node structure) into the report, as pyshacl writes them."""
    for _, predicate, obj in shapes.triples((node, None, None)):
        if (node, predicate, obj) not in report:
            report.add((node, predicate, obj))
            if isinstance(obj, BNode):
                _copy(shapes, obj, report)

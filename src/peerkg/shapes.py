"""The SHACL gate: every triple passes the shapes in shapes/ before it enters the store.

The data is validated in an Oxigraph store: the core constraints compiled to SPARQL (peerkg.shacl_sparql),
the shapes' sh:sparql constraints as one query each. pyshacl is the reference the tests compare with.
"""

from __future__ import annotations

from collections.abc import Collection
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from . import formats, shacl_sparql
from .errors import ValidationFailed, UserInputError
from .iris import PREFIXES, SH


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms a curator acts on."""

    severity: str  # Violation, Warning, Info
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str
    line: int | None = None  # in the submitted file, when there is one
    file: str | None = None  # the file ``line`` is in: the submission, or the document an import read it from
    suggestion: str | None = None  # a fix, where one can be computed ("did you mean …")
    source_constraint: str | None = None  # sh:sourceConstraint: which SPARQL constraint, for one with an IRI

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" ({self.focus_label})" if self.focus_label else "")
        parts = [f"{self.severity}: {where}"]
        if self.path:
            parts.append(f"path {short(self.path)}")
        if self.value is not None:
            parts.append(f"value {self.value}")
        return "; ".join(parts) + f"\n    {self.message}  [{short(self.constraint)} in {short(self.shape)}]"


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: list[Result]
    graph: Graph  # the W3C validation report

    def text(self) -> str:
        if self.conforms:
            return "Conforms: no violations."
        lines = [f"Does not conform: {len(self.results)} result(s)."]
        lines += [str(result) for result in self.results]
        return "\n".join(lines)


def load(shapes_dir: Path) -> Graph:
    """Every ``*.ttl`` of ``shapes_dir`` as one shapes graph; a syntax error names the file and line."""
    return formats.read_files(sorted(shapes_dir.glob("*.ttl")))


def check(data: Graph | ox.Store, shapes: Graph, ontology: Graph | None = None, focus: Collection | None = None) -> Report:
    """Validate ``data`` (with ``ontology`` for class hierarchy) and return the report.

    ``data`` is an rdflib graph (copied into a store) or an ``ox.Store`` whose default graph holds the data
    (the ontology's triples are added to it). With ``focus``, only results about those nodes are kept: the
    rest of ``data`` is context.
    """
    store = data if isinstance(data, ox.Store) else store_of(data)
    if ontology is not None:
        store.bulk_extend(_ontology_quads(ontology))
    checks, sparql = _compiled(shapes)
    report_graph = Graph()
    report_graph.add((BNode(), RDF.type, SH.ValidationReport))
    shacl_sparql.run(checks, store, shapes, report_graph)
    _run_sparql_constraints(sparql, store, shapes, report_graph)
    nodes = list(report_graph.subjects(SH.resultSeverity, None))
    if focus is not None:
        kept = set(focus)
        _drop(report_graph, [n for n in nodes if report_graph.value(n, SH.focusNode) not in kept])
        nodes = [n for n in nodes if report_graph.value(n, SH.focusNode) in kept]
    nodes = _one_per_problem(report_graph, nodes)
    results = sorted((_result(report_graph, store, node) for node in nodes), key=order)
    conforms = not any(r.severity == "Violation" for r in results)
    report = report_graph.value(None, RDF.type, SH.ValidationReport)
    report_graph.set((report, SH.conforms, Literal(conforms)))
    return Report(conforms, results, report_graph)


def order(result: Result) -> tuple:
    """Results by focus node, path and message, then value and constraint: a total order, so that a report
    never depends on the order the engine found its results in."""
    return (result.focus, result.path or "", result.message, result.value or "", result.constraint, result.shape)


def store_of(graph: Graph) -> ox.Store:
    """An in-memory store whose default graph holds ``graph``'s triples (through N-Triples, parsed by Oxigraph)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                      for t in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return store


_ontology_cache: dict[int, tuple[Graph, list[ox.Quad]]] = {}


def _ontology_quads(ontology: Graph) -> list[ox.Quad]:
    cached = _ontology_cache.get(id(ontology))
    if cached and cached[0] is ontology:
        return cached[1]
    quads = list(store_of(ontology))
    _ontology_cache.clear()
    _ontology_cache[id(ontology)] = (ontology, quads)
    return quads


def _drop(report: Graph, nodes) -> None:
    for node in nodes:
        report.remove((None, SH.result, node))
        report.remove((node, None, None))


# For one wrong value, the constraint whose message and fix say most; the others it sets off are dropped.
_PRECEDENCE = [SH[f"{name}ConstraintComponent"] for name in (
    "SPARQL", "Datatype", "NodeKind", "In", "Class", "Pattern", "MinInclusive", "MaxInclusive", "MinExclusive",
    "MaxExclusive", "MinLength", "MaxLength", "LanguageIn", "HasValue", "Equals")]
UNKNOWN_PROPERTY = URIRef("https://w3id.org/peerkg/shapes#KnownTerms-property")
UNKNOWN_CLASS = URIRef("https://w3id.org/peerkg/shapes#KnownTerms-class")


def _one_per_problem(report: Graph, nodes: list) -> list:
    """One result for one mistake, dropping from the report (and the list) the results it only sets off:

    * of the results about the same focus node and value, the first by ``_PRECEDENCE`` (a sample size
      "twelve" is a datatype error, not also one below the minimum; a misspelled valence is not in the
      list, not also unequal to its statement's);
    * an sh:maxCount result on a path that has such a wrong value (removing the value fixes both);
    * an sh:class result whose value is a node typed with an unknown class (the class is the mistake).
    """
    def get(node, predicate):
        return report.value(node, predicate)

    rank = {component: i for i, component in enumerate(_PRECEDENCE)}
    best: dict[tuple, object] = {}
    for node in nodes:
        value = get(node, SH.value)
        if value is None:
            continue
        key = (get(node, SH.focusNode), value)
        if key not in best or rank.get(get(node, SH.sourceConstraintComponent), len(rank)) < rank.get(
                get(best[key], SH.sourceConstraintComponent), len(rank)):
            best[key] = node
    wrong_paths = {(get(n, SH.focusNode), get(n, SH.resultPath)) for n in best.values()}
    untyped = {get(n, SH.focusNode) for n in nodes if get(n, SH.sourceConstraint) == UNKNOWN_CLASS}
    dropped = []
    for node in nodes:
        focus, value, component = get(node, SH.focusNode), get(node, SH.value), get(node, SH.sourceConstraintComponent)
        if value is not None and best[(focus, value)] != node:
            dropped.append(node)
        elif value is None and component == SH.MaxCountConstraintComponent and (focus, get(node, SH.resultPath)) in wrong_paths:
            dropped.append(node)
        elif component == SH.ClassConstraintComponent and value in untyped:
            dropped.append(node)
    _drop(report, dropped)
    return [n for n in nodes if n not in dropped]


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Like ``check``, but a non-conforming graph raises ``ValidationFailed`` carrying the report."""
    report = check(data, shapes, ontology)
    if not report.conforms:
        raise ValidationFailed(report.text(), report)
    return report


# SHACL-SPARQL constraints run as one query per constraint on Oxigraph, over every focus node at once:
# pyshacl runs them once per focus node, at about 7 ms each. Only the pre-bound $this is supported.
_UNSUPPORTED_BINDINGS = ("$PATH", "$currentShape", "$shapesGraph", "?PATH", "?currentShape", "?shapesGraph")


@dataclass(frozen=True)
class _SparqlConstraint:
    shape: URIRef  # the node shape the constraint belongs to
    constraint: URIRef | BNode
    query: str  # with its PREFIX declarations
    message: str


_compiled_cache: dict[int, tuple[Graph, list[shacl_sparql.Check], list[_SparqlConstraint]]] = {}


def _compiled(shapes: Graph) -> tuple[list[shacl_sparql.Check], list[_SparqlConstraint]]:
    """The checks of the core constraints, and the shapes' SPARQL constraints."""
    cached = _compiled_cache.get(id(shapes))
    if cached and cached[0] is shapes:
        return cached[1], cached[2]
    constraints = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = str(shapes.value(constraint, SH.select))
        if any(name in select for name in _UNSUPPORTED_BINDINGS):
            raise UserInputError(f"SPARQL constraint {constraint} pre-binds more than $this, which peerkg does not support")
        declarations = [
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>"
            for source in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(source, SH.declare)
        ]
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message) or "SPARQL constraint violated"
        constraints.append(_SparqlConstraint(shape, constraint, "\n".join([*declarations, select]), str(message)))
    checks = shacl_sparql.compile(shapes)
    _compiled_cache.clear()
    _compiled_cache[id(shapes)] = (shapes, checks, constraints)
    return checks, constraints


def _run_sparql_constraints(constraints: list[_SparqlConstraint], store: ox.Store, shapes: Graph, report: Graph) -> None:
    """Run each constraint once on ``store``; add its results to ``report``."""
    root = report.value(None, RDF.type, SH.ValidationReport)
    # A shape's focus nodes are found at its constraints' first solution, once: data that conforms gives
    # none, and finding them cost more than the queries (shapes:KnownTermsShape's 50,000 in c300k: 0.4 s).
    targets: dict[URIRef, set] = {}
    for constraint in constraints:
        for solution in store.query(constraint.query):
            if constraint.shape not in targets:
                targets[constraint.shape] = focus_nodes(constraint.shape, shapes, store)
            this = formats.to_rdflib(solution["this"])
            if this not in targets[constraint.shape]:
                continue
            node = BNode()
            report.add((root, SH.result, node))
            report.add((node, RDF.type, SH.ValidationResult))
            report.add((node, SH.resultSeverity, shapes.value(constraint.shape, SH.severity) or SH.Violation))
            report.add((node, SH.focusNode, this))
            report.add((node, SH.sourceShape, constraint.shape))
            report.add((node, SH.sourceConstraint, constraint.constraint))
            report.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            report.add((node, SH.resultMessage, Literal(_message(constraint.message, solution))))
            for variable, predicate in (("path", SH.resultPath), ("value", SH.value)):
                if solution[variable] is not None:
                    report.add((node, predicate, formats.to_rdflib(solution[variable])))


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _message(template: str, solution: ox.QuerySolution) -> str:
    """SHACL-SPARQL message templates: ``{?name}`` or ``{$name}`` is the solution's value, as a short name."""
    def value(match: re.Match) -> str:
        term = solution[match[1]]  # None for a variable the query does not bind
        if term is None:
            return match[0]
        return short(term.value) if isinstance(term, ox.NamedNode) else str(term)
    return _PLACEHOLDER.sub(value, template)


def focus_nodes(shape: URIRef, shapes: Graph, data: Graph | ox.Store) -> set:
    """The focus nodes of a node shape's targets in ``data`` (classes with their subclasses), as rdflib terms."""
    store = data if isinstance(data, ox.Store) else store_of(data)
    query = f"SELECT ?this WHERE {{ {shacl_sparql.focus_pattern(shapes, shape)} }}"
    return {formats.to_rdflib(solution["this"]) for solution in store.query(query)}


def _result(report: Graph, store: ox.Store, node) -> Result:
    focus = report.value(node, SH.focusNode)
    value = report.value(node, SH.value)
    label = label_of(store, focus, (RDFS.label, SKOS.prefLabel))
    return Result(
        severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
        focus=str(focus),
        focus_label=label,
        path=_path_text(report.value(node, SH.resultPath)),
        value=value.n3() if value is not None else None,
        message=str(report.value(node, SH.resultMessage) or "constraint violated"),
        shape=str(report.value(node, SH.sourceShape)),
        constraint=str(report.value(node, SH.sourceConstraintComponent)),
        source_constraint=_iri_text(report.value(node, SH.sourceConstraint)),
    )


def label_of(store, node, predicates=(SKOS.prefLabel, RDFS.label)) -> str | None:
    """The first label of ``node`` in ``store`` (an ``ox.Store`` or a backend), by the first predicate that has one."""
    if not isinstance(node, (URIRef, BNode)):
        return None
    subject = ox.NamedNode(str(node)) if isinstance(node, URIRef) else ox.BlankNode(str(node))
    for predicate in predicates:
        for quad in store.quads_for_pattern(subject, ox.NamedNode(str(predicate)), None, None):
            return quad.object.value
    return None


def _iri_text(term) -> str | None:
    return str(term) if isinstance(term, URIRef) else None


def _path_text(path) -> str | None:
    return str(path) if isinstance(path, URIRef) else (None if path is None else "complex path")


def short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri

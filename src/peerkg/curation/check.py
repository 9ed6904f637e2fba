"""Validation in context: a submission against the shapes, with the part of the graph it touches.

Validating the whole store would take seconds. Instead the data validated, in an in-memory Oxigraph store
(no rdflib graph of it), is the submission plus its context: every triple of each IRI the submission mentions (and the inverse-path triples the shapes read
about it), and every triple of the nodes those point to, so that sh:class, sh:equals and SPARQL
constraints see what they need. Only results about nodes the submission mentions are reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import replace
from itertools import chain, islice
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.util import from_n3

from .. import iris, shapes
from ..config import Settings
from .. import formats
from ..formats import to_rdflib
from ..iris import SH
from . import report as reports, rules, submission as submissions
from .submission import Submission

KNOWN_INSTANCES = (Path(__file__).with_name("rules") / "known_instances.rq").read_text()
KNOWN_INSTANCES_SHAPE = "https://w3id.org/peerkg/shapes#KnownInstanceShape"
KNOWN_INSTANCES_MESSAGE = "An IRI in the graph's instance space must name something the graph or the submission describes."
CLASS_COMPONENT = str(SH.ClassConstraintComponent)
DATATYPE_COMPONENT = str(SH.DatatypeConstraintComponent)
IN_COMPONENT = str(SH.InConstraintComponent)
MIN_INCLUSIVE_COMPONENT = str(SH.MinInclusiveConstraintComponent)

# A node's context costs a lookup or more (its triples, the inverse paths, the nodes it points to): a store
# with fewer quads than this many per mentioned node is copied whole instead.
CONTEXT_LOOKUPS = 4

log = logging.getLogger(__name__)


class Context(Protocol):
    """What the check reads from a store: an ``ox.Store`` or a backend both fit."""

    def quads_for_pattern(self, subject, predicate, object, graph_name=None): ...


def check(submission: Submission, context: Context | None, shapes_graph: Graph, ontology: Graph,
          *, replacing: ox.NamedNode | None = None) -> shapes.Report:
    """Validate ``submission`` with ``context`` (the published store; without the graph it would replace)."""
    # A backend finds its published version once for every read of the check, the suggestions' included
    # (an ox.Store has no versions): one version throughout, and no lookup of it per read.
    with context.pinned() if hasattr(context, "pinned") else nullcontext():
        return _checked(submission, context, shapes_graph, ontology, replacing)


def _checked(submission: Submission, context: Context | None, shapes_graph: Graph, ontology: Graph,
             replacing: ox.NamedNode | None) -> shapes.Report:
    triples = submission.triples
    mentioned = {term for t in triples for term in (t.subject, t.object) if isinstance(term, (ox.NamedNode, ox.BlankNode))}
    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    if context is not None:
        whole = _whole(context, CONTEXT_LOOKUPS * len(mentioned), replacing)
        found = whole if whole is not None else _context(context, mentioned, _inverse_predicates(shapes_graph), replacing)
        data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in found)
    known = _known_instances(data, lambda: set(triples))  # before the ontology joins the store
    focus = {to_rdflib(term) for term in mentioned}
    report = shapes.check(data, shapes_graph, ontology, focus=focus)
    already = {(r.focus, r.path, r.value) for r in report.results}
    for result in known:
        if (result.focus, result.path, result.value) not in already:
            report.results.append(result)
            _add_to_report(report.graph, result)
    results = report.results
    lookup = _Candidates(context, data, ontology)
    results = [replace(r, **_place(submission, r), suggestion=_suggest(r, shapes_graph, lookup),
                       focus_label=r.focus_label or shapes.label_of(data, URIRef(r.focus))) for r in results]
    results.sort(key=lambda r: (r.file or "", r.line or 0, *shapes.order(r)))
    conforms = not any(r.severity == "Violation" for r in results)
    report.graph.set((report.graph.value(None, RDF.type, SH.ValidationReport), SH.conforms, Literal(conforms)))
    return shapes.Report(conforms, results, report.graph)


def whole(base: list[ox.Quad], added: list[ox.Quad], shapes_graph: Graph, ontology: Graph) -> shapes.Report:
    """``base`` and ``added`` validated as one graph, with the rule that no triple of ``added`` names an IRI
    of the instance space that nothing describes: what ``check`` of each graph of ``added`` finds with the
    whole graph as its context, in one pass (results about every node, without lines or suggestions)."""
    data = ox.Store()
    data.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in chain(base, added))
    known = _known_instances(data, lambda: {q.triple for q in added})
    report = shapes.check(data, shapes_graph, ontology)
    if not known:
        return report
    for result in known:
        _add_to_report(report.graph, result)
    report.graph.set((report.graph.value(None, RDF.type, SH.ValidationReport), SH.conforms, Literal(False)))
    return shapes.Report(False, sorted([*report.results, *known], key=shapes.order), report.graph)


def _place(submission: Submission, result: shapes.Result) -> dict:
    file, line = submission.place(result.focus, result.path, _iri_of(result.value))
    return {"file": file, "line": line}


def validate_document(backend, data: bytes, format_name: str, name: str, settings: Settings) -> tuple[dict, str]:
    """Parse and check a submitted document in the context of what ``backend`` publishes: the report's
    summary and the W3C report in Turtle. Run in a confined worker process: the input is untrusted."""
    submitted = submissions.parse(data, formats.RDF[format_name], name)
    context = backend if backend.version() is not None else None
    # The counts are for a job's progress (job_process._reporting).
    log.info("validating %s triples in context", f"{len(submitted.triples):,}",
             extra={"counts": {"triples": len(submitted.triples)}})
    shapes_graph, ontology = rules.load(settings)
    result = check(submitted, context, shapes_graph, ontology)
    return reports.summarize(result, submitted), result.graph.serialize(format="turtle")


def _whole(store: Context, limit: int, replacing) -> list[ox.Triple] | None:
    """Every triple of a local ``store`` (outside ``replacing``) if it holds at most ``limit`` quads, else
    None. A large submission mentions more nodes than a small store has quads: copying the store is then
    cheaper than looking each node up, and gives the same results about those nodes (the lookups read
    every triple such a result depends on)."""
    if not (isinstance(store, ox.Store) or getattr(store, "reads_locally", False)):
        return None  # an engine's quads come by request: counting them would fetch them all
    if sum(1 for _ in islice(iter(store.quads_for_pattern(None, None, None, None)), limit + 1)) > limit:
        return None  # counted, not kept: a large store is not held in memory only to be dropped
    quads = store.quads_for_pattern(None, None, None, None)
    return list({q.triple for q in quads if replacing is None or q.graph_name != replacing})


def _context(store: Context, mentioned: set, inverse: set[ox.NamedNode], replacing):
    """The store's triples about ``mentioned`` nodes, and the triples of the nodes they point to."""
    seen: set[ox.Triple] = set()
    ends = set()

    def keep(quads):
        for quad in quads:
            if replacing is not None and quad.graph_name == replacing:
                continue
            if quad.triple not in seen:
                seen.add(quad.triple)
                yield quad.triple

    for node in mentioned:
        if not isinstance(node, ox.NamedNode):
            continue  # a submission's blank nodes are its own
        for triple in keep(store.quads_for_pattern(node, None, None, None)):
            ends.add(triple.object)
            yield triple
        for predicate in inverse:
            for triple in keep(store.quads_for_pattern(None, predicate, node, None)):
                ends.add(triple.subject)
                yield triple
    for node in ends - mentioned:
        if isinstance(node, (ox.NamedNode, ox.BlankNode)):
            yield from keep(store.quads_for_pattern(node, None, None, None))


def _inverse_predicates(shapes_graph: Graph) -> set[ox.NamedNode]:
    """The predicates whose triples pointing at a node the shapes read: inverse paths, and the targets that
    make a node a focus node by a triple pointing at it (sh:targetObjectsOf)."""
    return {ox.NamedNode(str(p)) for inverse in (SH.inversePath, SH.targetObjectsOf)
            for p in shapes_graph.objects(None, inverse) if isinstance(p, URIRef)}


def _known_instances(store: ox.Store, submitted: Callable[[], Collection[ox.Triple]]) -> list[shapes.Result]:
    """Objects in the instance space that nothing describes, in the ``submitted`` triples (asked for only
    when there are such objects: usually there are none, and a set of a large submission takes a while):
    the one rule that needs the whole store, run with SPARQL over the submission and its context (which
    holds every such IRI's triples)."""
    space = ox.Literal(iris.uri_space())
    found = [ox.Triple(s["this"], s["path"], s["value"]) for s in store.query(KNOWN_INSTANCES, substitutions={ox.Variable("space"): space})]
    if not found:
        return []
    kept = submitted()
    results = []
    for triple in found:
        if triple not in kept:
            continue
        focus, path, value = (to_rdflib(term) for term in triple)
        results.append(shapes.Result("Violation", str(focus), None, str(path), value.n3(),
                                     f"{value} is not in the graph or in the submission. {KNOWN_INSTANCES_MESSAGE}",
                                     KNOWN_INSTANCES_SHAPE, str(SH.SPARQLConstraintComponent)))
    return results


def _add_to_report(graph: Graph, result: shapes.Result) -> None:
    node = BNode()
    graph.add((graph.value(None, RDF.type, SH.ValidationReport), SH.result, node))
    for predicate, obj in ((RDF.type, SH.ValidationResult), (SH.resultSeverity, SH.Violation), (SH.focusNode, URIRef(result.focus)),
                           (SH.resultPath, URIRef(result.path)), (SH.value, from_n3(result.value)),
                           (SH.resultMessage, Literal(result.message)), (SH.sourceShape, URIRef(result.shape)),
                           (SH.sourceConstraintComponent, URIRef(result.constraint))):
        graph.add((node, predicate, obj))


class _Candidates:
    """Existing resources that a wrong value may have meant, with their labels: read once per class for a
    whole check (a document with a thousand bad citations read every typed resource a thousand times)."""

    def __init__(self, store: Context | None, data: ox.Store, ontology: Graph):
        self.store, self.data, self.ontology = store, data, ontology
        self._of_class: dict[str | None, dict[str, str]] = {}

    def of_class(self, cls: str | None) -> dict[str, str]:
        """The resources of class ``cls`` (or its subclasses; None: of any class), IRI to label; not to be
        changed, as every result of the check shares it."""
        if cls not in self._of_class:
            self._of_class[cls] = self._read(cls)
        return self._of_class[cls]

    def _read(self, cls: str | None) -> dict[str, str]:
        classes = {URIRef(cls)} | set(self.ontology.transitive_subjects(RDFS.subClassOf, URIRef(cls))) if cls else {None}
        found: dict[str, str] = {}
        for c in classes:
            pattern = (None, ox.NamedNode(RDF.type), ox.NamedNode(c) if c else None, None)
            for store in (self.data, self.store) if self.store is not None else (self.data,):
                for quad in store.quads_for_pattern(*pattern):
                    if quad.subject.value not in found and (store is self.data or isinstance(quad.subject, ox.NamedNode)):
                        found[quad.subject.value] = shapes.label_of(store, formats.to_rdflib(quad.subject)) or ""
        return found


def _suggest(result: shapes.Result, shapes_graph: Graph, candidates: _Candidates) -> str | None:
    """A fix that can be computed: an existing IRI, concept or term close to a wrong value, or the datatype."""
    if result.source_constraint in (str(shapes.UNKNOWN_PROPERTY), str(shapes.UNKNOWN_CLASS)):
        return _nearest_term(result, candidates.ontology)
    if result.value is None:
        return None
    shape = URIRef(result.shape)
    expected = shapes_graph.value(shape, SH["class"])
    datatype = shapes_graph.value(shape, SH.datatype)
    value = _iri_of(result.value)
    if result.constraint == IN_COMPONENT:
        allowed = [str(term) for term in Collection(shapes_graph, shapes_graph.value(shape, SH["in"]))]
        near = process.extractOne(value or _literal_text(result.value), allowed, scorer=DamerauLevenshtein.distance)
        return f"did you mean {_curie(near[0])}?" if near else None
    if result.constraint == MIN_INCLUSIVE_COMPONENT:
        bound = shapes_graph.value(shape, SH.minInclusive)
        return f"write a value of at least {bound}" + (" (or leave it out, when the source states none)" if bound == Literal(1) else "")
    if value is not None and (result.constraint == CLASS_COMPONENT or result.shape == KNOWN_INSTANCES_SHAPE):
        pool = candidates.of_class(str(expected) if expected else None)
        if value in pool:
            return None  # it exists, with another type: nothing close to propose
        scope = value.rsplit("/", 1)[0] + "/"
        near = [iri for iri in pool if iri.startswith(scope)] or list(pool)
        limit = max(2, len(value.rsplit("/", 1)[-1]) // 4)  # edits allowed: more for longer keys
        # Sorted first: the pool's order follows set iteration, which differs between processes (hash seeds),
        # and ties must come out the same in every process (a job's report equals the request's).
        matches = process.extract(value, sorted(near), scorer=DamerauLevenshtein.distance, limit=3, score_cutoff=limit)
        if matches:
            return "did you mean " + " or ".join(f"<{iri}>" + (f" ({pool[iri]})" if pool[iri] else "") for iri, _, _ in matches) + "?"
        return None
    if value is None and expected is not None:  # a literal where a concept's IRI belongs
        pool = candidates.of_class(str(expected))
        by_label = {label.lower(): iri for iri, label in sorted(pool.items()) if label}
        match = process.extractOne(_literal_text(result.value).lower(), sorted(by_label), scorer=fuzz.ratio, score_cutoff=60)
        if match:
            iri = by_label[match[0]]
            return f"did you mean <{iri}> ({pool[iri]})? Use the IRI, not a label."
    if datatype is not None and value is None and result.constraint == DATATYPE_COMPONENT:
        return f"write the value as a literal of datatype {shapes.short(str(datatype))}"
    return None


def _nearest_term(result: shapes.Result, ontology: Graph) -> str | None:
    """The declared property (or class) nearest in spelling to an unknown one."""
    is_class = result.source_constraint == str(shapes.UNKNOWN_CLASS)
    unknown = _iri_of(result.value) if is_class else result.path
    kinds = (OWL.Class,) if is_class else (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    known = sorted({str(term) for kind in kinds for term in ontology.subjects(RDF.type, kind) if isinstance(term, URIRef)})
    match = process.extractOne(unknown, known, scorer=DamerauLevenshtein.distance, score_cutoff=max(2, len(unknown) // 10))
    return f"did you mean {_curie(match[0])}?" if match else None


def _curie(iri: str) -> str:
    short = shapes.short(iri)
    return short if short != iri else f"<{iri}>"


def _iri_of(n3: str | None) -> str | None:
    return n3[1:-1] if n3 and n3.startswith("<") and n3.endswith(">") else None


def _literal_text(n3: str) -> str:
    return str(from_n3(n3))

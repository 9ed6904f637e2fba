"""The SHACL engine of the gate (peerkg.shacl_sparql) reports exactly what pyshacl, the reference, reports.

The corpus breaks every constraint of every targeted shape: for each such shape, an empty focus node
(every sh:minCount, sh:hasValue, sh:or of required values) and an overfull one (on every path a blank node
and two French strings: every value constraint, sh:maxCount, sh:uniqueLang, sh:equals), generated from the
shapes graph, plus tests/data/broken-shapes.ttl for what those cannot reach. ``test_every_constraint_is_broken``
fails when a constraint has no breaking case, so a new kind of constraint needs one.
"""

from __future__ import annotations

from collections import Counter

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from peerkg import build, formats, iris, shacl_sparql, shapes
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.iris import SH

SHAPES = shapes.load(PROJECT_ROOT / "shapes")
ONTOLOGY = formats.read_files([PROJECT_ROOT / "ontology" / "peerkg.ttl"])
CORE = Graph()
for _triple in SHAPES:
    if _triple[1] != SH.sparql:
        CORE.add(_triple)


def _paths(shape) -> list:
    return [SHAPES.value(p, SH.path) for p in SHAPES.objects(shape, SH.property)]


def _steps(path) -> tuple[str, URIRef]:
    """How a generated node reaches its values on ``path``: forward or inverse, through its first predicate."""
    if isinstance(path, URIRef):
        return "forward", path
    inverse = SHAPES.value(path, SH.inversePath)
    if inverse is not None:
        return "inverse", inverse
    return "forward", SHAPES.value(path, RDF.first)  # a sequence: its first step


def generated() -> Graph:
    """Two nodes per targeted shape: one with no values, one with three wrong values on each path."""
    graph = Graph()
    for n, shape in enumerate(sorted({s for t in shacl_sparql.TARGETS for s in SHAPES.subjects(t, None)}, key=str)):
        empty, full = (iris.mint("broken", f"{kind}-{n}") for kind in ("empty", "full"))
        for node in (empty, full):
            for cls in SHAPES.objects(shape, SH.targetClass):
                graph.add((node, RDF.type, cls))
            for predicate in SHAPES.objects(shape, SH.targetSubjectsOf):
                graph.add((node, predicate, iris.mint("broken", "object")))
            for predicate in SHAPES.objects(shape, SH.targetObjectsOf):
                graph.add((iris.mint("broken", "subject"), predicate, node))
        for path in _paths(shape):
            direction, predicate = _steps(path)
            values = [BNode(), Literal("x", lang="fr"), Literal("y", lang="fr")]
            for value in values:
                graph.add((full, predicate, value) if direction == "forward" else (BNode(), predicate, full))
    return graph


CORPUS = generated() + formats.read_files([PROJECT_ROOT / "tests" / "data" / "broken-shapes.ttl"])


def _key(report: Graph, result) -> tuple:
    """A result as the facts it states; a blank node as ``_`` (each engine names them its own way)."""
    def text(term):
        if term is None:
            return None
        if isinstance(term, BNode):
            return "_"
        return term.n3()
    path = report.value(result, SH.resultPath)
    return (text(report.value(result, SH.focusNode)),
            shacl_sparql.path_text(SHAPES, path) if isinstance(path, BNode) else text(path),
            text(report.value(result, SH.value)), str(report.value(result, SH.sourceShape)),
            str(report.value(result, SH.sourceConstraintComponent)), str(report.value(result, SH.resultSeverity)),
            str(report.value(result, SH.resultMessage)))


def fast(data: Graph) -> Counter:
    report = Graph()
    report.add((BNode(), RDF.type, SH.ValidationReport))
    store = shapes.store_of(data + ONTOLOGY)
    shacl_sparql.run(shacl_sparql.compile(SHAPES), store, SHAPES, report)
    return Counter(_key(report, r) for r in report.subjects(SH.resultSeverity, None))


def reference(data: Graph) -> Counter:
    _, report, _ = pyshacl_validate(data + ONTOLOGY, shacl_graph=CORE, inference="none", advanced=False, allow_warnings=False)
    return Counter(_key(report, r) for r in report.subjects(SH.resultSeverity, None))


@pytest.fixture(scope="module")
def corpus_results() -> tuple[Counter, Counter]:
    return fast(CORPUS), reference(CORPUS)


def test_every_constraint_is_broken(corpus_results):
    """Every (shape, constraint component) the engine checks has at least one result on the corpus."""
    found, _ = corpus_results
    checked = {(str(c.shape), str(c.component)) for c in shacl_sparql.compile(SHAPES)}
    hit = {(shape, component) for _, _, _, shape, component, _, _ in found}
    assert sorted(checked - hit) == []
    assert len(checked) == 415


def test_the_engine_reports_what_pyshacl_reports_on_the_corpus(corpus_results):
    found, expected = corpus_results
    assert sorted((found - expected).elements()) == []
    assert sorted((expected - found).elements()) == []
    assert sum(found.values()) == 1186


def test_the_engine_reports_what_pyshacl_reports_on_the_build(tmp_path):
    graphs = build.assemble(Settings(data_dir=tmp_path))
    data = Graph()
    for name, graph in graphs.items():
        if name != build.ONTOLOGY:
            data += graph
    found, expected = fast(data), reference(data)
    assert found == expected
    assert sorted(found) == [(f"<{iris.study('jacobson-job-description')}>", f"<{iris.PKG.hasInformantGroup}>", None,
                              "https://w3id.org/peerkg/shapes#QualitativeStudy-hasInformantGroup",
                              str(SH.MinCountConstraintComponent), str(SH.Warning), shapes_message("QualitativeStudy-hasInformantGroup"))]


def test_the_engine_reports_what_pyshacl_reports_on_the_broken_example():
    data = formats.read_files([PROJECT_ROOT / "examples" / "broken-study.ttl"])
    found = fast(data)
    assert found == reference(data)
    assert sum(found.values()) > 0


def shapes_message(local: str) -> str:
    return str(SHAPES.value(URIRef(f"https://w3id.org/peerkg/shapes#{local}"), SH.message))


def test_the_engine_reports_what_pyshacl_reports_on_literal_and_blank_focus_nodes():
    """A target can make a literal or a blank node a focus node (here of shapes:BuildInputShape, the objects
    of prov:used): the scratch graph that holds each shape's focus nodes while the checks run has them as
    objects. The store is left as it was."""
    build_ = iris.mint("broken", "build")
    data = Graph()
    data.add((build_, PROV.used, Literal("input.txt")))
    data.add((build_, PROV.used, BNode()))
    found = fast(data)
    assert found == reference(data)
    assert {focus for focus, *_ in found} == {'"input.txt"', "_"}
    store = shapes.store_of(data + ONTOLOGY)
    before = set(store)
    report = Graph()
    report.add((BNode(), RDF.type, SH.ValidationReport))
    shacl_sparql.run(shacl_sparql.compile(SHAPES), store, SHAPES, report)
    assert set(store) == before

"""The SHACL gate (shapes/): the real build conforms to it, and every one of its constraints can fail.

The generic test reads the shapes graph, not a list kept here: for each property shape of a targeted node
shape and each constraint parameter on it (and each node-level constraint, such as a SPARQL constraint or
an sh:or), it takes a focus node of the real data, breaks exactly that constraint, validates, and expects a
result naming that shape and its message. A parameter it does not know how to break fails the test: a new
kind of constraint needs a breaker here, it is never skipped.

To stay fast, each case validates only the focus node's neighbourhood (its triples in both directions, the
triples of the nodes it links to, the type of every node mentioned and the ontology's class hierarchy),
with the settings of ``peerkg.shapes.check`` (see ``check_node``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
import pytest
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from peerkg import build, formats, iris, shapes
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.iris import BIRO, CITO, PKG, SH

SHAPES_NS = Namespace("https://w3id.org/peerkg/shapes#")
SHAPES = shapes.load(PROJECT_ROOT / "shapes")

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
# Predicates of a shape that are not constraint parameters (sh:flags belongs to sh:pattern).
NOT_PARAMETERS = {
    RDF.type, RDFS.comment, SH.path, SH.message, SH.name, SH.description, SH.order, SH.group, SH.severity,
    SH.deactivated, SH.flags, SH.property, *TARGETS,
}


# --- The cases: read from the shapes graph --------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One constraint: ``parameter`` (with ``value``) of ``shape``, reached through targeted ``node_shape``."""

    node_shape: URIRef
    shape: URIRef  # the property shape, or the node shape itself for a node-level constraint
    parameter: URIRef
    value: object

    @property
    def id(self) -> str:
        name = _local(self.shape) if self.shape == self.node_shape else f"{_local(self.node_shape)}/{_local(self.shape)}"
        extra = f"/{_local(self.value)}" if self.parameter == SH.sparql else ""
        return f"{name}/{_local(self.parameter)}{extra}"

    @property
    def message(self) -> str | None:
        source = self.value if self.parameter == SH.sparql else self.shape
        message = SHAPES.value(source, SH.message)
        return str(message) if message is not None else None

    @property
    def component(self) -> URIRef:
        if self.parameter == SH.sparql:
            return SH.SPARQLConstraintComponent
        name = _local(self.parameter)
        return SH[name[0].upper() + name[1:] + "ConstraintComponent"]


def targeted_node_shapes() -> list[URIRef]:
    return sorted({s for target in TARGETS for s in SHAPES.subjects(target, None)})


def cases() -> list[Case]:
    found = []
    for node_shape in targeted_node_shapes():
        for parameter, value in sorted(SHAPES.predicate_objects(node_shape)):
            if parameter not in NOT_PARAMETERS:
                found.append(Case(node_shape, node_shape, parameter, value))
        for shape in sorted(SHAPES.objects(node_shape, SH.property)):
            for parameter, value in sorted(SHAPES.predicate_objects(shape)):
                if parameter not in NOT_PARAMETERS:
                    found.append(Case(node_shape, shape, parameter, value))
    return found


CASES = cases()


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# --- The real data ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    """Every graph of a build from the real seeds, under the default base."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PEERKG_BASE", raising=False)
        return build.assemble(Settings())


@pytest.fixture(scope="module")
def data(graphs) -> Graph:
    """What the build validates: the union of every graph but the ontology."""
    union = Graph()
    for name, graph in graphs.items():
        if name != build.ONTOLOGY:
            union += graph
    return union


@pytest.fixture(scope="module")
def provenance(kg) -> Graph:
    """The build activity graph of a real build (the build adds it after validation)."""
    dump = kg.dump(ox.RdfFormat.N_TRIPLES, graph=ox.NamedNode(str(iris.graph(build.BUILD))))
    return Graph().parse(data=dump, format="nt")


@pytest.fixture(scope="module")
def curation_log() -> Graph:
    """Log entries of two commits, as peerkg.curation.commit writes them: one that writes, one that removes."""
    from peerkg.curation import commit, submission

    first = submission.read(PROJECT_ROOT / "examples" / "curated-study.ttl")
    second = submission.parse(b"<urn:x> <urn:y> <urn:z> .\n", formats.RDF["ntriples"], "one.nt")
    started = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)
    graph = iris.curated_graph("example-2024")
    log = Graph()
    for version, operation, submitted in (("20261122T090000-000000001", commit.Operation.PUT, first),
                                          ("20261122T090100-000000002", commit.Operation.POST, second),
                                          ("20261122T090200-000000003", commit.Operation.DELETE, None)):
        log += commit._log_entry(version, operation, graph, submitted, "alice", started, 40)
    return log


@pytest.fixture(scope="module")
def world(graphs, data, provenance, curation_log) -> Graph:
    """Everything a shape may see: the data, the ontology mixed in (as pyshacl does), the build graph and a
    curation log."""
    return data + graphs[build.ONTOLOGY] + provenance + curation_log


# --- Conformance --------------------------------------------------------------------------------------


def test_the_assembled_build_conforms(graphs, data):
    report = shapes.check(data, SHAPES, graphs[build.ONTOLOGY])
    assert report.conforms, report.text()
    # The one warning: the job description describes its study without stating informants.
    assert [(r.severity, r.focus, r.path) for r in report.results] == [
        ("Warning", str(iris.study("jacobson-job-description")), str(PKG.hasInformantGroup))]


def test_the_curation_log_conforms(world, curation_log, graphs):
    report = shapes.check(curation_log, SHAPES, graphs[build.ONTOLOGY])
    assert report.conforms, report.text()


def test_every_concept_is_defined_or_scoped(data):
    """Each concept says what it means: curated ones a definition, those the sources only name a scope note."""
    from rdflib.namespace import SKOS

    counts = {}
    for cls in (PKG.Theme, PKG.ThemeCategory, PKG.RoleActivity, PKG.InformantRole, PKG.SampleGroup):
        concepts = set(data.subjects(RDF.type, cls))
        defined = {c for c in concepts if (c, SKOS.definition, None) in data}
        scoped = {c for c in concepts if (c, SKOS.scopeNote, None) in data}
        assert defined | scoped == concepts, cls
        counts[_local(cls)] = (len(concepts), len(defined), len(scoped))
    assert counts == {"Theme": (20, 0, 20), "ThemeCategory": (4, 0, 4), "RoleActivity": (27, 0, 27),
                      "InformantRole": (14, 14, 0), "SampleGroup": (10, 10, 1)}  # the valences: in the ontology


def test_the_build_provenance_graph_conforms(world, provenance):
    focus = sorted({str(s) for s in provenance.subjects()})
    conforms, _, text = shacl_validate(
        world, shacl_graph=SHAPES, inference="none", advanced=False, allow_warnings=False, focus_nodes=focus
    )
    assert conforms, text


def test_every_study_is_derived_from_a_passage(world, data):
    studies = {s for c in world.transitive_subjects(RDFS.subClassOf, PKG.Study) for s in data.subjects(RDF.type, c)}
    assert len(studies) > 10
    assert [s for s in sorted(studies) if (s, PROV.wasDerivedFrom, None) not in data] == []


# --- The shapes graph itself --------------------------------------------------------------------------


def test_every_shape_is_named_by_an_iri():
    shape_nodes = set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    shape_nodes |= set(SHAPES.subjects(SH.path, None)) | set(SHAPES.objects(None, SH.property))
    shape_nodes |= set(SHAPES.objects(None, SH.node)) | set(SHAPES.objects(None, SH["not"]))
    shape_nodes |= set(SHAPES.objects(None, SH.sparql))
    for logical in (SH["or"], SH["and"], SH.xone):
        for head in SHAPES.objects(None, logical):
            shape_nodes |= set(Collection(SHAPES, head))
    assert shape_nodes
    assert sorted(str(s) for s in shape_nodes if not str(s).startswith(str(SHAPES_NS))) == []


def test_every_constraint_has_a_message():
    assert CASES
    assert sorted({case.id for case in CASES if not case.message}) == []


def test_every_class_of_the_data_is_the_target_of_a_shape(world, data):
    targeted = set(SHAPES.objects(None, SH.targetClass))
    untargeted = {c for c in set(data.objects(None, RDF.type)) if not (_superclasses(world, c) & targeted)}
    assert sorted(untargeted) == []


def _superclasses(graph: Graph, cls) -> set:
    return set(graph.transitive_objects(cls, RDFS.subClassOf))


# --- Every constraint can fail ------------------------------------------------------------------------


class Context:
    """A focus node, its neighbourhood (which a breaker mutates) and the real data to borrow values from.

    A breaker first looks for a focus node whose values it can replace; only when none has one
    (``may_add``) does it add a made-up value.
    """

    def __init__(self, world: Graph, focus: URIRef, may_add: bool = False):
        self.world, self.focus, self.may_add = world, focus, may_add
        self.small = neighbourhood(world, focus)


def neighbourhood(world: Graph, focus) -> Graph:
    small = Graph()
    for triple in world.triples((focus, None, None)):
        small.add(triple)
    for triple in world.triples((None, None, focus)):
        small.add(triple)
    linked = {n for n in set(small.subjects()) | set(small.objects()) if isinstance(n, URIRef)} - {focus}
    for node in linked:
        for triple in world.triples((node, None, None)):
            small.add(triple)
    return small


def completed(small: Graph, world: Graph) -> Graph:
    """The neighbourhood with the type of every node it mentions, the class hierarchy, and the ontology's
    disjoint classes and declarations of the terms it uses (which shapes/terms.ttl reads)."""
    graph = Graph() + small
    for node in {n for n in set(small.subjects()) | set(small.objects()) if isinstance(n, URIRef)}:
        for cls in world.objects(node, RDF.type):
            graph.add((node, RDF.type, cls))
    for triple in (*world.triples((None, RDFS.subClassOf, None)), *world.triples((None, OWL.disjointWith, None))):
        graph.add(triple)
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    for term in used:
        for kind in DECLARATIONS:
            if (term, RDF.type, kind) in world:
                graph.add((term, RDF.type, kind))
    return graph


DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@dataclass(frozen=True)
class Found:
    """One validation result, in the terms the tests compare."""

    focus: URIRef
    shape: URIRef
    component: URIRef
    constraint: URIRef
    message: str


def results(report: Graph) -> list[Found]:
    found = (
        Found(
            report.value(r, SH.focusNode), report.value(r, SH.sourceShape),
            report.value(r, SH.sourceConstraintComponent), report.value(r, SH.sourceConstraint),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )
    return sorted(found, key=str)


# pyshacl 0.40's ``focus_nodes`` also filters the value nodes that a property shape applies a nested shape
# to (sh:node, sh:not…), which then always conform. While no property shape nests one, validating the
# focus node alone is exact and fast; otherwise the whole neighbourhood is validated (slower: every
# neighbour is checked too) and the results on the focus node kept. (``use_shapes`` is no help: combined
# with ``focus_nodes`` it reports nothing at all.)
NESTING = (SH.node, SH["not"], SH["or"], SH["and"], SH.xone, SH.qualifiedValueShape)
FOCUS_ONLY = not any((shape, nesting, None) in SHAPES for shape in SHAPES.subjects(SH.path, None) for nesting in NESTING)


def check_node(ctx: Context) -> list[Found]:
    """The results on the focus node, validating its neighbourhood with the build's settings."""
    _, report, _ = shacl_validate(
        completed(ctx.small, ctx.world), shacl_graph=SHAPES, inference="none", advanced=False, allow_warnings=False,
        focus_nodes=[str(ctx.focus)] if FOCUS_ONLY else None,
    )
    return [found for found in results(report) if found.focus == ctx.focus]


def focus_nodes(world: Graph, node_shape: URIRef) -> list:
    """The shape's focus nodes, as peerkg.shapes finds them for its SPARQL constraints."""
    if (node_shape, SH.target, None) in SHAPES:
        pytest.fail(f"{node_shape}: teach peerkg.shapes.focus_nodes() about sh:target")
    return sorted(shapes.focus_nodes(node_shape, SHAPES, world))


# Paths: the links from the focus node to its values, as triples of the neighbourhood.

@dataclass(frozen=True)
class Path:
    kind: str  # predicate, inverse, sequence
    predicates: tuple

    @classmethod
    def of(cls, shape) -> Path:
        path = SHAPES.value(shape, SH.path)
        if isinstance(path, URIRef):
            return cls("predicate", (path,))
        if (path, SH.inversePath, None) in SHAPES:
            return cls("inverse", (SHAPES.value(path, SH.inversePath),))
        if (path, RDF.first, None) in SHAPES:
            return cls("sequence", tuple(Collection(SHAPES, path)))
        pytest.fail(f"{shape}: teach Path about the path {path!r}")

    def links(self, graph: Graph, focus) -> list[tuple]:
        """The triples that link the focus to its values (the first step of a sequence path)."""
        if self.kind == "inverse":
            return sorted(graph.triples((None, self.predicates[0], focus)))
        return sorted(graph.triples((focus, self.predicates[0], None)))

    def value(self, triple):
        return triple[0] if self.kind == "inverse" else triple[2]

    def relinked(self, triple, value):
        return (value, triple[1], triple[2]) if self.kind == "inverse" else (triple[0], triple[1], value)

    def borrowable(self, world: Graph, focus) -> list[tuple]:
        """Links of the same kind elsewhere in the data, re-pointed at the focus: values of the right kind."""
        if self.kind == "sequence":
            return []
        have = {self.value(t) for t in self.links(world, focus)}
        out = []
        for s, p, o in sorted(world.triples((None, self.predicates[0], None))):
            link = (s, p, focus) if self.kind == "inverse" else (focus, p, o)
            if self.value(link) not in have:
                have.add(self.value(link))
                out.append(link)
        return out


# A breaker mutates ctx.small so that ``shape`` (a property shape, or a node shape for node-level
# constraints) violates ``parameter`` with ``value``; it returns False when this focus node offers nothing
# to break (no value to replace, none to borrow…), and the test moves on to the next focus node.
Breaker = Callable[[Context, URIRef, URIRef, object], bool]


def replace_one(ctx: Context, shape, new_value: Callable, literal_only=False) -> bool:
    """Replace one value of the shape's path with ``new_value(old)``, or add ``new_value(None)`` if allowed."""
    path = Path.of(shape)
    if path.kind == "sequence":
        return False
    links = [t for t in path.links(ctx.small, ctx.focus) if not literal_only or isinstance(path.value(t), Literal)]
    if links:
        old, link = path.value(links[0]), links[0]
    elif ctx.may_add and path.kind != "inverse":
        old, link = None, (ctx.focus, path.predicates[0], None)
    else:
        return False
    replacement = new_value(old)
    if replacement is None or (path.kind == "inverse" and isinstance(replacement, Literal)):
        return False
    if old is not None:
        ctx.small.remove(link)
    ctx.small.add(path.relinked(link, replacement))
    return True


def made_up(ctx: Context, old):
    """Another value like ``old``: the next number or day, the text extended, an IRI of the same types."""
    if isinstance(old, Literal):
        value = old.toPython()
        if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
            return Literal(value + 1, datatype=old.datatype)
        if isinstance(value, (dt.date, dt.datetime)):
            return Literal(value + dt.timedelta(days=1), datatype=old.datatype)
        if old.datatype in (None, XSD.string):
            return Literal(f"{old} (another)", lang=old.language)
        return None
    other = URIRef(f"{old}-another")
    for cls in ctx.world.objects(old, RDF.type):
        ctx.small.add((other, RDF.type, cls))
    return other


def break_min_count(ctx, shape, parameter, value) -> bool:
    links = Path.of(shape).links(ctx.small, ctx.focus)
    for link in links:
        ctx.small.remove(link)
    return bool(links) or int(value) > 0


def break_max_count(ctx, shape, parameter, value) -> bool:
    """Add values of the right kind: borrowed from other nodes of the data, else (if allowed) made up."""
    path = Path.of(shape)
    links = path.links(ctx.small, ctx.focus)
    missing = int(value) + 1 - len(links)
    added = path.borrowable(ctx.world, ctx.focus)[:max(missing, 0)]
    if len(added) < missing and ctx.may_add and links:
        template = links[0]
        while len(added) < missing:
            other = made_up(ctx, path.value(added[-1] if added else template))
            if other is None:
                return False
            added.append(path.relinked(template, other))
    if len(added) < missing:
        return False
    for link in added:
        ctx.small.add(link)
    return True


def break_datatype(ctx, shape, parameter, value) -> bool:
    def other(old):
        text = "a literal of another datatype" if old is None else str(old)
        if value == XSD.string:
            return Literal(text, lang="en")
        return Literal(text)  # xsd:string, for every other datatype (rdf:langString included)
    return replace_one(ctx, shape, other, literal_only=True)


def break_class(ctx, shape, parameter, value) -> bool:
    """Point at an instance of another class (the first, in IRI order, of the instance data)."""
    members = set(ctx.world.transitive_subjects(RDFS.subClassOf, value))
    outsider = next(
        s for s in sorted(set(ctx.world.subjects(RDF.type, None)))
        if str(s).startswith(iris.base()) and not (set(ctx.world.objects(s, RDF.type)) & members)
    )
    return replace_one(ctx, shape, lambda old: outsider)


def break_node_kind(ctx, shape, parameter, value) -> bool:
    if value == SH.IRI:
        return replace_one(ctx, shape, lambda old: BNode())
    if value == SH.Literal:
        return replace_one(ctx, shape, lambda old: URIRef(str(ctx.focus) + "/not-a-literal"))
    return False


def break_pattern(ctx, shape, parameter, value) -> bool:
    def other(old):
        bad = f"not {old if old is not None else 'matching'} !"
        if re.search(str(value), bad):
            return None
        if isinstance(old, URIRef):
            return URIRef(bad.replace(" ", "-"))
        return Literal(bad, datatype=getattr(old, "datatype", None), lang=getattr(old, "language", None))
    return replace_one(ctx, shape, other)


def break_in(ctx, shape, parameter, value) -> bool:
    allowed = list(Collection(SHAPES, value))
    def other(old):
        if isinstance(old, URIRef) or (old is None and all(isinstance(a, URIRef) for a in allowed)):
            new = URIRef(f"{old if old is not None else ctx.focus}-not-in-the-list")
        else:
            new = Literal(f"{old if old is not None else 'a value'} (not in the list)")
        return None if new in allowed else new
    return replace_one(ctx, shape, other)


def break_has_value(ctx, shape, parameter, value) -> bool:
    path = Path.of(shape)
    links = [t for t in path.links(ctx.small, ctx.focus) if path.value(t) == value]
    for link in links:
        ctx.small.remove(link)
    return bool(links)


def break_min_inclusive(ctx, shape, parameter, value) -> bool:
    """One below the bound (sampleSize 0), in the datatype of the value it replaces."""
    if not isinstance(value.toPython(), (int, Decimal)):
        return False
    below = value.toPython() - 1
    return replace_one(
        ctx, shape, lambda old: Literal(below, datatype=value.datatype if old is None else old.datatype), literal_only=True
    )


def break_language_in(ctx, shape, parameter, value) -> bool:
    allowed = {str(tag) for tag in Collection(SHAPES, value)}
    tag = next(t for t in ("de", "fr", "nl") if t not in allowed)
    def other(old):
        if old is None:
            return Literal("a label in another language", lang=tag)
        return Literal(str(old), lang=tag) if old.language else None
    return replace_one(ctx, shape, other, literal_only=True)


def break_unique_lang(ctx, shape, parameter, value) -> bool:
    path = Path.of(shape)
    tagged = [t for t in path.links(ctx.small, ctx.focus) if isinstance(path.value(t), Literal) and path.value(t).language]
    if not tagged or str(value).lower() != "true":
        return False
    old = path.value(tagged[0])
    ctx.small.add(path.relinked(tagged[0], Literal(f"{old} (again)", lang=old.language)))
    return True


def break_equals(ctx, shape, parameter, value) -> bool:
    """Drop the focus's values of the compared property; the path's values stay, so the sets differ."""
    links = sorted(ctx.small.triples((ctx.focus, value, None)))
    for link in links:
        ctx.small.remove(link)
    return bool(links)


def break_or(ctx, shape, parameter, value) -> bool:
    """Break every member shape that a breaker knows; the members it cannot break must already fail."""
    broken = False
    for member in Collection(SHAPES, value):
        parts = sorted(SHAPES.objects(member, SH.property)) if (member, SH.path, None) not in SHAPES else [member]
        for part in parts:
            if any(
                BREAKERS[p](ctx, part, p, v)
                for p, v in sorted(SHAPES.predicate_objects(part)) if p in BREAKERS and p != SH["or"]
            ):
                broken = True
                break
    return broken


def break_sparql(ctx, shape, parameter, value) -> bool:
    if value not in SPARQL_BREAKERS:
        pytest.fail(f"no breaker for the SPARQL constraint {value}: add one to SPARQL_BREAKERS")
    return SPARQL_BREAKERS[value](ctx)


def break_citing_work_cites(ctx) -> bool:
    citing, cited = ctx.small.value(ctx.focus, DCTERMS.isPartOf), ctx.small.value(ctx.focus, BIRO.references)
    if citing is None or cited is None:
        return False
    ctx.small.remove((citing, CITO.cites, cited))
    return True


def break_groups_sized(ctx) -> bool:
    groups = sorted(ctx.small.objects(ctx.focus, PKG.hasInformantGroup))
    sizes = [t for g in groups for t in ctx.small.triples((g, PKG.sampleSize, None))]
    for triple in sizes[:1]:
        ctx.small.remove(triple)
    return bool(sizes)


def break_creators_attributed(ctx) -> bool:
    attributions = sorted(ctx.small.objects(ctx.focus, PROV.qualifiedAttribution))
    for attribution in attributions[:1]:
        ctx.small.remove((ctx.focus, PROV.qualifiedAttribution, attribution))
    return bool(attributions)


def break_known_property(ctx) -> bool:
    """A misspelled property: the first of the focus's properties with two letters swapped."""
    for predicate, value in sorted(ctx.small.predicate_objects(ctx.focus)):
        if predicate.startswith(str(PKG._NS)) and len(predicate) > len(PKG._NS) + 3:
            name = predicate[len(PKG._NS):]
            ctx.small.add((ctx.focus, PKG._NS[name[:2] + name[3] + name[2] + name[4:]], value))
            return True
    return False


def break_known_class(ctx) -> bool:
    """A misspelled class: the focus's pkg class with its last letter dropped."""
    classes = sorted(c for c in ctx.small.objects(ctx.focus, RDF.type) if c.startswith(str(PKG._NS)))
    for cls in classes[:1]:
        ctx.small.add((ctx.focus, RDF.type, URIRef(cls[:-1])))
    return bool(classes)


def break_known_disjoint(ctx) -> bool:
    """A second type that the ontology declares disjoint with one the focus has."""
    for cls in sorted(ctx.small.objects(ctx.focus, RDF.type)):
        for other in sorted({*ctx.world.objects(cls, OWL.disjointWith), *ctx.world.subjects(OWL.disjointWith, cls)}):
            ctx.small.add((ctx.focus, RDF.type, other))
            return True
    return False


SPARQL_BREAKERS: dict[URIRef, Callable[[Context], bool]] = {
    SHAPES_NS["KnownTerms-property"]: break_known_property,
    SHAPES_NS["KnownTerms-class"]: break_known_class,
    SHAPES_NS["KnownTerms-disjoint"]: break_known_disjoint,
    SHAPES_NS["Work-creatorsAttributed"]: break_creators_attributed,
    SHAPES_NS["BibliographicReference-citingWorkCites"]: break_citing_work_cites,
    SHAPES_NS["ReviewedStudy-groupsSized"]: break_groups_sized,
}

BREAKERS: dict[URIRef, Breaker] = {
    SH.minCount: break_min_count,
    SH.maxCount: break_max_count,
    SH.datatype: break_datatype,
    SH["class"]: break_class,
    SH.nodeKind: break_node_kind,
    SH.pattern: break_pattern,
    SH["in"]: break_in,
    SH.hasValue: break_has_value,
    SH.minInclusive: break_min_inclusive,
    SH.languageIn: break_language_in,
    SH.uniqueLang: break_unique_lang,
    SH.equals: break_equals,
    SH["or"]: break_or,
    SH.sparql: break_sparql,
}


TRIES = 3  # focus nodes whose mutation is validated before giving up


def fills(template: str | None, message: str) -> bool:
    """``message`` is ``template`` with its SHACL-SPARQL placeholders (``{?value}``) filled in."""
    if template is None:
        return False
    pattern = "".join(".+" if re.fullmatch(r"\{[?$]\w+\}", part) else re.escape(part)
                      for part in re.split(r"(\{[?$]\w+\})", template))
    return re.fullmatch(pattern, message) is not None


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_constraint_can_fail(case: Case, world):
    breaker = BREAKERS.get(case.parameter)
    if breaker is None:
        pytest.fail(f"no breaker for {case.parameter} (on {case.shape}): teach tests/test_shapes.py to break it")
    constraint = case.value if case.parameter == SH.sparql else None
    tried, last = 0, "no focus node of the data could be mutated to break it"
    for may_add in (False, True):
        for focus in focus_nodes(world, case.node_shape):
            ctx = Context(world, focus, may_add)
            if not breaker(ctx, case.shape, case.parameter, case.value):
                continue
            found = check_node(ctx)
            if any(
                (f.shape, f.component) == (case.shape, case.component) and fills(case.message, f.message)
                and constraint in (None, f.constraint)
                for f in found
            ):
                return
            last = "\n".join(map(str, found)) or "no result on the focus node"
            tried += 1
            if tried == TRIES:
                pytest.fail(f"{case.id} did not fail as expected:\n{last}")
    pytest.fail(f"{case.id} did not fail as expected:\n{last}")


# --- Readable examples ----------------------------------------------------------------------------------


def message(shape: str) -> str:
    return str(SHAPES.value(SHAPES_NS[shape], SH.message))


def test_an_informant_group_may_leave_out_its_sample_size_but_not_state_zero(world):
    group = iris.mint("study", "moll-2009", "informants", "managers")
    ctx = Context(world, group)
    ctx.small.remove((group, PKG.sampleSize, None))
    assert check_node(ctx) == []

    ctx.small.add((group, PKG.sampleSize, Literal(0, datatype=XSD.integer)))
    assert [(f.shape, f.component, f.message) for f in check_node(ctx)] == [
        (SHAPES_NS["InformantGroup-sampleSize"], SH.MinInclusiveConstraintComponent, message("InformantGroup-sampleSize"))
    ]


def test_a_mixed_finding_without_its_stakeholders_fails(world):
    finding = iris.mint("finding", "boundaries", "challenge", "mixed")
    ctx = Context(world, finding)
    ctx.small.remove((finding, PKG.stakeholder, None))
    ctx.small.remove((finding, PKG.stakeholdersAsWritten, None))
    assert [(f.shape, f.message) for f in check_node(ctx)] == [
        (SHAPES_NS.MixedFindingShape, message("MixedFindingShape"))
    ]


def test_a_single_group_finding_with_stakeholders_fails(world):
    finding = iris.mint("finding", "boundaries", "challenge", "psws")
    ctx = Context(world, finding)
    ctx.small.add((finding, PKG.stakeholder, iris.mint("sample-group", "carers")))
    assert [(f.shape, f.message) for f in check_node(ctx)] == [
        (SHAPES_NS.SingleGroupFindingShape, message("SingleGroupFindingShape"))
    ]


def test_a_study_without_the_work_that_reports_it_fails_the_gate(graphs, data):
    study = iris.study("mowbray-1996")
    broken = Graph() + data
    broken.remove((study, PKG.reportedIn, None))
    report = shapes.check(broken, SHAPES, graphs[build.ONTOLOGY])
    assert not report.conforms
    missing = [r for r in report.results if r.path == str(PKG.reportedIn)]
    assert [(r.focus, r.focus_label, r.message) for r in missing] == [
        (str(study), "Mowbray et al. 1996", message("Study-reportedIn"))
    ]
    assert "A study needs at least one pkg:reportedIn" in report.text()


def test_a_reviewed_study_without_its_cells_or_sizes_fails(data, graphs):
    """The facts the review table states of every row are required of every reviewed study."""
    from peerkg import iris, shapes

    study = iris.study("mowbray-1996")
    group = iris.mint("study", "mowbray-1996", "informants", "peer-support-specialists-who-completed-the-training")
    broken = Graph()
    broken += data
    broken.remove((study, PKG.conclusion, None))
    broken.remove((group, PKG.sampleSize, None))
    report = shapes.check(broken, SHAPES, graphs[build.ONTOLOGY])
    messages = {(r.focus, r.message.split(": ")[0]) for r in report.results}
    assert (str(study), "A study a review summarises needs its pkg:conclusion") in messages
    assert (str(study), "Each informant group of a study a review summarises needs its pkg:sampleSize") in messages
    assert len([r for r in report.results if r.severity == "Violation"]) == 2


# --- The shapes agree with the ontology ------------------------------------------------------------------

ONTOLOGY = formats.read_files([PROJECT_ROOT / "ontology" / "peerkg.ttl"])
INTEGER_RANGES = {XSD.positiveInteger: 1, XSD.nonNegativeInteger: 0}


def pkg_property_shapes() -> list[tuple[URIRef, URIRef]]:
    return sorted((shape, path) for shape, path in SHAPES.subject_objects(SH.path)
                  if isinstance(path, URIRef) and path.startswith(str(PKG._NS)))


def test_integer_bounds_of_the_shapes_are_the_ontology_ranges():
    checked = 0
    for shape, path in pkg_property_shapes():
        bound, range_ = SHAPES.value(shape, SH.minInclusive), ONTOLOGY.value(path, RDFS.range)
        if range_ in INTEGER_RANGES:
            assert SHAPES.value(shape, SH.datatype) in (None, XSD.integer), shape
            if bound is not None:
                assert bound.toPython() == INTEGER_RANGES[range_], f"{shape}: sh:minInclusive {bound}, range {range_}"
                checked += 1
    assert checked == 5  # line, referenceNumber, sampleSize, numberOfStudiesSynthesised, statedCitationCount


def test_classes_and_datatypes_of_the_shapes_fit_the_ontology_ranges():
    for shape, path in pkg_property_shapes():
        range_ = ONTOLOGY.value(path, RDFS.range)
        if (cls := SHAPES.value(shape, SH["class"])) is not None:
            assert range_ in set(ONTOLOGY.transitive_objects(cls, RDFS.subClassOf)), f"{shape}: sh:class {cls}, range {range_}"
        if (datatype := SHAPES.value(shape, SH.datatype)) is not None and range_ not in INTEGER_RANGES:
            assert datatype == range_, f"{shape}: sh:datatype {datatype}, range {range_}"

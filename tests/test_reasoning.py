"""The ontology and every graph of a build under reasoning, with the axioms of the reused vocabularies
(ontology/reused-axioms.ttl): OWL 2 RL closure by owlrl, and HermiT (bundled with owlready2, run on Java).

HermiT reads only the datatypes of the OWL 2 datatype map, which has no xsd:gYear: the publication years
are left out of what it is given, as docs/model.md ("Datatypes and reasoners") says.
"""

from __future__ import annotations

import itertools
from collections import Counter

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from peerkg.config import PROJECT_ROOT
from peerkg.iris import PKG, PROV
from peerkg.shapes import short

REUSED_AXIOMS = PROJECT_ROOT / "ontology" / "reused-axioms.ttl"


def everything(kg) -> Graph:
    """The union of the build's named graphs (the ontology's among them) and the reused axioms."""
    graph = Graph()
    graph.parse(data=ox.serialize((quad.triple for quad in kg.quads()), format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph.parse(REUSED_AXIOMS, format="turtle")


@pytest.fixture(scope="module")
def closure(kg) -> Graph:
    graph = everything(kg)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def disjoint_pairs(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    return {(a, b) for a, b in graph.subject_objects(OWL.disjointWith) if isinstance(a, URIRef) and isinstance(b, URIRef)}


def test_the_closure_puts_no_resource_in_two_disjoint_classes(closure):
    pairs = disjoint_pairs(closure)
    assert (URIRef(PROV.Activity), URIRef(PROV.Entity)) in pairs
    clashes = sorted(
        (str(resource), str(a), str(b))
        for a, b in pairs
        for resource in set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b))
    )
    assert clashes == []


def test_the_closure_has_nothing_in_owl_nothing(closure):
    assert list(closure.subjects(RDF.type, OWL.Nothing)) == []


def test_the_closure_types_studies_as_entities_and_builds_as_activities(closure):
    studies = set(closure.subjects(RDF.type, PKG.Study))
    assert len(studies) == 12
    assert all((study, RDF.type, PROV.Entity) in closure for study in studies)
    builds = set(closure.subjects(RDF.type, PROV.Activity)) - set(closure.subjects(RDF.type, PKG.Commit))
    assert [str(b).rsplit("/", 2)[-2] for b in builds] == ["build"]


def test_only_seed_documents_are_source_documents_under_inference(closure):
    documents = sorted(str(d).rsplit("/", 1)[-1] for d in closure.subjects(RDF.type, PKG.SourceDocument))
    assert documents == ["job_description", "metasynthesis_page", "review_table3", "umbrella_table6"]


def test_creators_and_publishers_are_agents_under_inference(closure):
    DCTERMS_AGENT = URIRef("http://purl.org/dc/terms/Agent")
    for predicate in (URIRef("http://purl.org/dc/terms/creator"), URIRef("http://purl.org/dc/terms/publisher")):
        values = set(closure.objects(None, predicate))
        assert values
        assert all((value, RDF.type, DCTERMS_AGENT) in closure for value in values), predicate


# The datatypes of the data that the OWL 2 datatype map (and so HermiT) lacks; docs/model.md.
OUTSIDE_OWL2 = {XSD.gYear, XSD.date}


def hermit_input(kg, tmp_path):
    """The graph HermiT is given, as RDF/XML: everything except the literals of xsd:gYear and xsd:date, which
    no axiom constrains, with the number of triples left out by predicate."""
    graph = everything(kg)
    left_out = [(s, p, o) for s, p, o in graph if getattr(o, "datatype", None) in OUTSIDE_OWL2]
    for triple in left_out:
        graph.remove(triple)
    path = tmp_path / "everything.owl"
    graph.serialize(path, format="xml")
    return path, Counter(short(p) for _, p, _ in left_out)


def test_hermit_finds_the_ontology_and_data_consistent(kg, tmp_path):
    import owlready2

    path, left_out = hermit_input(kg, tmp_path)
    assert left_out == {"fabio:hasPublicationYear": 47, "prism:publicationDate": 2, "dcterms:created": 1, "dcterms:modified": 1}
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load()
    with ontology:
        # Raises OwlReadyInconsistentOntologyError when HermiT finds a contradiction.
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
    study = world[str(PKG.QualitativeStudy)]
    assert study is not None and world[str(PROV.Entity)] in study.ancestors()


def test_hermit_finds_a_study_typed_as_an_activity_inconsistent(kg, tmp_path):
    """The check can fail: one study typed prov:Activity as well contradicts PROV-O's disjointness."""
    import owlready2

    path, _ = hermit_input(kg, tmp_path)
    graph = Graph().parse(path, format="xml")
    graph.add((next(graph.subjects(RDF.type, PKG.QualitativeStudy)), RDF.type, PROV.Activity))
    graph.serialize(path, format="xml")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load()
    with ontology, pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


def test_subclass_axioms_of_the_ontology_stay_in_the_closure(closure):
    for sub, sup in itertools.pairwise([PKG.LiteratureReview, PKG.Review, PKG.Study, PROV.Entity]):
        assert (sub, RDFS.subClassOf, sup) in closure

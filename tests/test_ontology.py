"""ontology/peerkg.ttl: its header, and that it declares exactly the terms of ``peerkg.iris.PKG``."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from peerkg.iris import ONTOLOGY_IRI, PKG, PREFIXES

ONTOLOGY_FILE = Path(__file__).parents[1] / "ontology" / "peerkg.ttl"
ONTOLOGY = URIRef(ONTOLOGY_IRI)
VANN = "http://purl.org/vocab/vann/"
TERMS = sorted(PKG.__annotations__)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def pkg_properties(graph: Graph) -> set[URIRef]:
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if s.startswith(str(PKG._NS))}


def test_the_file_declares_one_ontology(ontology):
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]


def test_the_header_has_its_metadata(ontology):
    def value(predicate):
        values = list(ontology.objects(ONTOLOGY, predicate))
        assert len(values) == 1, f"{predicate} should have one value, has {values}"
        return values[0]

    assert value(OWL.versionInfo) == Literal("0.1.0")
    assert value(OWL.versionIRI) == URIRef("https://w3id.org/peerkg/ontology/0.1.0")
    assert value(DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert value(DCTERMS.created) == Literal("2026-11-22", datatype=XSD.date)
    assert value(DCTERMS.modified) == Literal("2026-11-22", datatype=XSD.date)
    assert value(URIRef(VANN + "preferredNamespacePrefix")) == Literal("pkg")
    assert value(URIRef(VANN + "preferredNamespaceUri")) == Literal(str(PKG._NS))
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert value(predicate).language == "en"
    assert ontology.value(value(DCTERMS.creator), URIRef("http://xmlns.com/foaf/0.1/name")) is not None
    assert (ONTOLOGY, OWL.imports, None) not in ontology


@pytest.mark.parametrize("name", TERMS)
def test_every_term_of_the_code_is_declared_and_documented(ontology, name):
    term = PKG[name]
    assert list(ontology.objects(term, RDF.type)), f"pkg:{name} has no rdf:type"
    labels = [label for label in ontology.objects(term, RDFS.label) if label.language == "en"]
    assert len(labels) == 1, f"pkg:{name} should have one English rdfs:label, has {labels}"
    definitions = list(ontology.objects(term, SKOS.definition))
    assert len(definitions) == 1, f"pkg:{name} should have one skos:definition, has {definitions}"
    assert definitions[0].language == "en"
    assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY


def test_every_term_of_the_ontology_is_in_the_code(ontology):
    described = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(PKG._NS))}
    assert described == {PKG[name] for name in TERMS}


def test_every_property_has_a_domain_and_a_range(ontology):
    properties = pkg_properties(ontology)
    assert properties, "no pkg properties found"
    for prop in sorted(properties):
        assert ontology.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
        assert ontology.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


def test_datatype_properties_range_over_datatypes(ontology):
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        if prop.startswith(str(PKG._NS)):
            assert ontology.value(prop, RDFS.range).startswith(str(XSD)), prop


@pytest.mark.parametrize(
    ("subject", "predicate", "value"),
    [
        (PKG.sampleSize, RDFS.range, XSD.positiveInteger),  # as the shapes: at least 1, never 0
        (PKG.line, RDFS.range, XSD.positiveInteger),
        (PKG.referenceNumber, RDFS.range, XSD.positiveInteger),
        (PKG.reportedIn, OWL.inverseOf, PKG.reports),
        (PKG.reportedIn, RDFS.range, URIRef("http://purl.org/spar/fabio/Expression")),
        (PKG.backedBy, RDFS.range, URIRef("http://purl.org/spar/biro/BibliographicReference")),
        (PKG.LiteratureReview, RDFS.subClassOf, PKG.Review),
        (PKG.Review, RDFS.subClassOf, PKG.Study),
        (PKG.Study, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")),
        (PKG.benefit, SKOS.inScheme, PKG.ValenceScheme),
        (PKG.challenge, SKOS.topConceptOf, PKG.ValenceScheme),
    ],
)
def test_key_axioms(ontology, subject, predicate, value):
    assert (subject, predicate, value) in ontology


# The reused terms the data uses (docs/model.md); the ontology declares them so that tools need no imports.
REUSED = """
    dcterms:title dcterms:description dcterms:isPartOf dcterms:identifier dcterms:bibliographicCitation
    dcterms:creator dcterms:publisher prov:wasDerivedFrom prov:value fabio:hasPublicationYear
    fabio:hasPubMedId fabio:hasPubMedCentralId prism:publicationName prism:volume prism:issueIdentifier
    prism:pageRange prism:doi prism:publicationDate cito:cites cito:isCitedBy biro:references
    schema:position schema:text foaf:name foaf:familyName fabio:Expression fabio:JournalArticle fabio:Book
    fabio:BookChapter biro:BibliographicReference foaf:Person prov:Activity prov:Entity prov:SoftwareAgent
    skos:Concept skos:ConceptScheme
""".split()


@pytest.mark.parametrize("curie", REUSED)
def test_reused_terms_are_declared(ontology, curie):
    prefix, name = curie.split(":")
    term = URIRef(PREFIXES[prefix] + name)
    declarations = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    assert declarations & set(ontology.objects(term, RDF.type)), f"{curie} is not declared"


def test_reused_terms_are_defined_by_their_own_vocabulary(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    reused = {s for kind in kinds for s in ontology.subjects(RDF.type, kind)}
    reused = {s for s in reused if isinstance(s, URIRef) and not s.startswith(str(PKG._NS))}
    assert reused
    for term in sorted(reused):
        defined_by = ontology.value(term, RDFS.isDefinedBy)
        assert defined_by is not None and term.startswith(str(defined_by)), term
        assert ontology.value(term, RDFS.label) is not None, term

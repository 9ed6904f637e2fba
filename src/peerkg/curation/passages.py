"""Where an imported resource was read: the file and line of the ``pkg:SourcePassage`` it derives from.

An import's triples are generated, so a line of their N-Triples means nothing to a curator; each resource
derives (``prov:wasDerivedFrom``) from a passage with its ``pkg:line``, in a document whose
``dcterms:identifier`` is the file's name. ``locate`` turns that into ``IRI → (file, line)`` for the
validation report (``Submission.place``), so that a result reads ``library.ris:12``.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from ..iris import PKG

Place = tuple[str, int | None]  # the file's name, and the line (None: the document as a whole)


def locate(graph: Graph) -> dict[str, Place]:
    """Every resource of ``graph`` that derives from a passage ``graph`` describes (the passages of documents
    already in the store, which a match's evidence cites, have no line here) by the first such passage;
    the passages by their own line, the documents by their file; a resource with no passage of its own (an
    author, an attribution) by the first resource of ``graph`` that points to it and has one."""
    passages: dict[URIRef, Place] = {}
    places: dict[str, Place] = {}
    for document in graph.subjects(RDF.type, PKG.SourceDocument):
        name = graph.value(document, DCTERMS.identifier)
        if name is not None:
            places[str(document)] = (str(name), None)
    for passage in graph.subjects(RDF.type, PKG.SourcePassage):
        line, document = graph.value(passage, PKG.line), graph.value(passage, DCTERMS.isPartOf)
        name = graph.value(document, DCTERMS.identifier) if document is not None else None
        if line is not None and name is not None:
            passages[passage] = places[str(passage)] = (str(name), int(line.toPython()))
    for subject, passage in graph.subject_objects(PROV.wasDerivedFrom):
        if passage in passages:
            _keep_first(places, str(subject), passages[passage])
    derived = dict(places)
    for subject, _, value in graph:
        if isinstance(value, URIRef) and str(value) not in derived and str(subject) in derived and derived[str(subject)][1]:
            _keep_first(places, str(value), derived[str(subject)])
    return places


def _keep_first(places: dict[str, Place], iri: str, place: Place) -> None:
    if iri not in places or (place[0], place[1] or 0) < (places[iri][0], places[iri][1] or 0):
        places[iri] = place

"""Informant groups and their roles, as the review table and the metasynthesis page both state them."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SDO, SKOS, XSD

from .. import iris
from ..iris import PKG
from ..source import Facts, Line


def add_group(facts: Facts, study_key: str, label: str, position: int, line: Line, locator: str, size: int | None = None) -> URIRef:
    """An informant group of a study, with its role concept; a size the text does not state stays absent."""
    group = iris.informant_group(study_key, label)
    role = iris.concept("informant-role", label)
    facts.add_all(group, {
        RDF.type: PKG.InformantGroup,
        RDFS.label: label,
        PKG.role: role,
        PKG.sampleSize: Literal(size, datatype=XSD.integer) if size is not None else None,
        SDO.position: Literal(position, datatype=XSD.integer),
    })
    facts.add(iris.study(study_key), PKG.hasInformantGroup, group)
    facts.add(role, RDF.type, SKOS.Concept)
    facts.add_all(role, {
        RDF.type: PKG.InformantRole,
        SKOS.prefLabel: Literal(label[0].upper() + label[1:], lang="en"),
        SKOS.inScheme: iris.scheme("informant-roles"),
    })
    facts.derive(group, line, locator)
    return group

"""Informant groups and their roles (vocab/informant-roles.ttl), as a review table states them."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SDO, XSD

from .. import iris
from ..iris import PKG
from ..source import Facts, Line


def add_group(facts: Facts, vocab, study_key: str, label: str, position: int, line: Line, locator: str,
              size: int | None = None) -> URIRef:
    """An informant group of a study, with its role concept; a size the text does not state stays absent."""
    group = iris.informant_group(study_key, label)
    try:
        role = vocab.concept("informant-roles", label)
    except KeyError as missing:
        raise facts.error(str(missing.args[0]), line) from None
    facts.add_all(group, {
        RDF.type: PKG.InformantGroup,
        RDFS.label: label,
        PKG.role: role,
        PKG.sampleSize: Literal(size, datatype=XSD.integer) if size is not None else None,
        SDO.position: Literal(position, datatype=XSD.integer),
    })
    facts.add(iris.study(study_key), PKG.hasInformantGroup, group)
    facts.derive(group, line, locator)
    return group

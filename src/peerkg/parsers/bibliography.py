"""What every reader of bibliographic data shares: works, their authors in order, abstract sections, and dates
as pages print them. The seed kinds' readers and the exchange formats (RIS, BibTeX, …) all go through here."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SDO, XSD

from .. import iris
from ..iris import PKG
from ..source import Facts, Line

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def date(year: str, month: str, day: str) -> Literal:
    """``("2013", "Mar", "13")`` → ``"2013-03-13"^^xsd:date``."""
    return Literal(f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}", datatype=XSD.date)


def add_person(facts: Facts, name: str, family: str) -> URIRef:
    """A person named as written (``Mowbray CT``, ``Nora Jacobson``); callers link the works they wrote."""
    person = iris.person(name)
    facts.add_all(person, {RDF.type: FOAF.Person, FOAF.name: name, FOAF.familyName: family})
    return person


def add_authors(facts: Facts, work_key: str, authors: list[tuple[str, str]]) -> list[URIRef]:
    """The persons who wrote the work of ``work_key``, in the order the source lists them: ``(name as written,
    family name)`` pairs. Each is a ``dcterms:creator`` of the work, and for each a ``prov:Attribution`` of the
    work to that person holds its ``schema:position`` (1 for the first author)."""
    work = iris.work(work_key)
    persons = [add_person(facts, name, family) for name, family in authors]
    for position, person in enumerate(persons, start=1):
        attribution = iris.authorship(work_key, position)
        facts.add(work, DCTERMS.creator, person)
        facts.add(work, PROV.qualifiedAttribution, attribution)
        facts.add_all(attribution, {
            RDF.type: PROV.Attribution,
            PROV.agent: person,
            SDO.position: Literal(position, datatype=XSD.integer),
        })
    return persons


def add_organisation(facts: Facts, name: str) -> URIRef:
    """An organisation named as written, such as a publisher (``dcterms:publisher`` wants an agent)."""
    organisation = iris.organisation(name)
    facts.add_all(organisation, {RDF.type: FOAF.Organization, FOAF.name: name})
    return organisation


def add_work(facts: Facts, key: str, values: dict, authors: list[tuple[str, str]] = ()) -> URIRef:
    """A work under its stable key (``iris.work_key``) with its values (predicate → value; ``None`` adds
    nothing) and its authors in order."""
    work = iris.work(key)
    facts.add_all(work, values)
    add_authors(facts, key, list(authors))
    return work


def add_abstract_section(facts: Facts, work_key: str, position: int, heading: str, text: str, line: Line, locator: str) -> URIRef:
    """One labelled section of a work's structured abstract ("Methods: …")."""
    section = iris.abstract_section(work_key, position)
    facts.add_all(section, {
        RDF.type: PKG.AbstractSection,
        DCTERMS.title: heading,
        SDO.text: text,
        SDO.position: Literal(position, datatype=XSD.integer),
        DCTERMS.isPartOf: iris.work(work_key),
    })
    facts.derive(section, line, locator)
    return section

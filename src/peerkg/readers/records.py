"""Bibliographic records as the exchange formats give them (RIS, BibTeX, MEDLINE, PubMed XML, CSL-JSON, JATS),
and their triples: each record a work with its authors in order, year, venue, volume, issue, pages and
identifiers, and the references it lists, each derived from the lines of the file it was read from.

The format readers only turn their library's output into ``Record`` values; everything a work becomes in
the graph is decided here, through the same helpers the seed kinds' readers use (``parsers.bibliography``,
``iris.work_key``), so a work reads the same whichever file it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from .. import iris
from ..iris import FABIO, PKG, PRISM
from ..parsers import bibliography
from ..source import Facts, Line
from . import article_with_references

YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)")
DOI = re.compile(r"10\.\d{4,9}/\S+")
TYPES = {"article": FABIO.JournalArticle, "book": FABIO.Book, "chapter": FABIO.BookChapter, "other": FABIO.Expression}


@dataclass(frozen=True)
class Author:
    family: str
    given: str = ""  # given names or initials, as written

    @property
    def initials(self) -> str:
        """``"Carol T."`` → ``"CT"``; ``"Jean-Luc"`` → ``"JL"``; ``"CT"`` stays ``"CT"``."""
        given = self.given.strip()
        if re.fullmatch(r"[A-ZÀ-ÖØ-Þ]{1,4}", given):
            return given
        return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)

    @property
    def name(self) -> str:
        """The name as a reference list prints it (``Mowbray CT``): the form the seeds' persons have."""
        return f"{self.family} {self.initials}".strip()


def author(written: str) -> Author:
    """``"Mowbray, Carol T."`` or ``"Mowbray CT"`` (MEDLINE's AU) as an author."""
    family, comma, given = written.partition(",")
    if comma:
        return Author(family.strip(), given.strip())
    match = re.fullmatch(r"(?P<family>.+) (?P<initials>[A-ZÀ-ÖØ-Þ]{1,4})", written.strip())
    return Author(match["family"], match["initials"]) if match else Author(written.strip())


@dataclass
class Reference:
    """An entry of a record's reference list: its text as written, and the work it cites when the format
    structures it (JATS); otherwise the text is read as an NLM/Vancouver entry."""

    first: Line
    last: Line
    citation: str
    cited: "Record | None" = None
    doi: str | None = None
    pmid: str | None = None


@dataclass
class Record:
    first: Line  # the record's first line in the file
    last: Line  # and its last
    locator: str  # "record 2", "entry mowbray1996"
    kind: str = "article"  # article, book, chapter or other
    title: str | None = None
    authors: list[Author] = field(default_factory=list)
    authors_as_written: str | None = None
    organisation: str | None = None  # an organisation as author
    year: str | None = None
    venue: str | None = None  # the journal, or the book a chapter is in
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    references: list[Reference] = field(default_factory=list)


def year_of(text: str | None) -> str | None:
    """The four-digit year in a date as formats write it: ``1996/03/01/``, ``1996 Feb``, ``Spring 1996``."""
    match = YEAR.search(text or "")
    return match[1] if match else None


def pages(start: str | None, end: str | None) -> str | None:
    """``("47", "67")`` → ``"47–67"``, the page ranges' dash in the seeds; a start alone stays as it is."""
    if not start:
        return None
    return f"{start}–{end}" if end and end != start else start


def doi_of(text: str | None) -> str | None:
    """The DOI in ``text`` (a bare DOI, ``doi:10…`` or a doi.org URL), without a trailing full stop."""
    match = DOI.search(text or "")
    return match[0].rstrip(".") if match else None


def clean(text: str | None) -> str | None:
    """White space collapsed; an empty value is no value."""
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(text)).split())
    return text or None


def add(facts: Facts, records: list[Record], description: str) -> list[URIRef]:
    """The works of ``records`` and their references, and the file as a source document (an excerpt of its
    one work, when it holds one)."""
    if not records:
        raise facts.error(f"no records: expected {description}")
    keys: dict[str, Record] = {}
    works = []
    for record in records:
        key = _key(facts, record, keys)
        work = bibliography.add_work(facts, key, _values(facts, record), [(a.name, a.family) for a in record.authors])
        facts.derive(work, record.first, record.locator, record.last)
        works.append(work)
        _add_references(facts, work, record)
    facts.add_all(iris.document(facts.stem), {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.description: f"{description}: {len(records)} record{'s' if len(records) != 1 else ''}",
        DCTERMS.isPartOf: works[0] if len(works) == 1 else None,
    })
    return works


def _key(facts: Facts, record: Record, keys: dict[str, Record]) -> str:
    """The stable key: first author + year; a second work with the same key in the file adds its title's first word."""
    first = record.authors[0].family if record.authors else record.organisation or ""
    if not (first or record.title):
        raise facts.error(f"{record.locator} has neither authors nor a title: expected at least one", record.first)
    key = iris.work_key(first or record.title, record.year, record.title or "")
    if key in keys:
        key = iris.work_key(first or record.title, record.year, record.title or "", distinct=True)
    if key in keys:
        raise facts.error(f"{record.locator} and {keys[key].locator} both give the work key {key!r}", record.first)
    keys[key] = record
    return key


def _values(facts: Facts, record: Record) -> dict:
    kind = record.kind
    if kind == "book" and not record.publisher or kind == "chapter" and not (record.publisher and record.venue):
        kind = "other"  # the shapes read a book only with its publisher (and a chapter with its book)
    written = record.authors_as_written or record.organisation or (
        ", ".join(a.name for a in record.authors) if record.authors else None)
    return {
        RDF.type: TYPES[kind],
        DCTERMS.title: record.title,
        PKG.authorsAsWritten: written,
        FABIO.hasPublicationYear: Literal(record.year, datatype=XSD.gYear) if record.year else None,
        PRISM.publicationName: record.venue,
        DCTERMS.publisher: bibliography.add_organisation(facts, record.publisher) if record.publisher else None,
        PRISM.volume: record.volume,
        PRISM.issueIdentifier: record.issue,
        PRISM.pageRange: record.pages,
        PRISM.doi: record.doi,
        FABIO.hasPubMedId: record.pmid,
        FABIO.hasPubMedCentralId: record.pmcid,
    }


def _add_references(facts: Facts, work: URIRef, record: Record) -> None:
    for number, reference in enumerate(record.references, start=1):
        if reference.cited is not None:
            cited = _cited(facts, reference.cited)
        else:
            cited = article_with_references.read_reference(facts, reference.citation, reference.first)
        extra = {PRISM.doi: reference.doi, FABIO.hasPubMedId: reference.pmid}
        cited.values.update({p: v for p, v in extra.items() if v and cited.values.get(p) is None})
        article_with_references.add_reference(facts, work, number, reference.first, reference.citation, cited,
                                              through=reference.last)


def _cited(facts: Facts, record: Record) -> article_with_references.CitedWork:
    first = record.authors[0].family if record.authors else record.organisation or record.title or ""
    if not first:
        raise facts.error(f"{record.locator} names neither authors nor a title", record.first)
    key = iris.work_key(first, record.year, record.title or "")
    return article_with_references.CitedWork(key, [(a.name, a.family) for a in record.authors], _values(facts, record))

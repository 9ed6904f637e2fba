"""Seed text as numbered lines, and the per-document triple collector that records where facts were read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from . import iris
from .errors import SeedError
from .iris import PKG

# Page furniture copied along with the excerpts: navigation links, source badges, widget labels and
# stray page numbers. Never data.
FURNITURE = {"Skip to main content", "Source: PubMed", "Abonnieren"}
_STRAY_NUMBER = re.compile(r"\d{1,3}")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the seed file
    text: str  # the line as written, without surrounding white space
    indent: str = ""  # the white space before it (Table 6 indents themes with an em space)


def lines(text: str) -> list[Line]:
    """The non-blank, non-furniture lines of a seed document."""
    kept = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped and stripped not in FURNITURE and not _STRAY_NUMBER.fullmatch(stripped):
            kept.append(Line(number, stripped, raw[: len(raw) - len(raw.lstrip())]))
    return kept


class Facts:
    """Collects the triples one seed document states, each traceable to a passage of that document."""

    def __init__(self, stem: str, file_name: str, text: str, article_key: str | None = None):
        self.stem = stem  # names the document and its passages: <base>id/document/<stem>
        self.file_name = file_name
        self.article_key = article_key  # the key of the work the document is an excerpt of
        self._raw_lines = text.splitlines()  # passages keep the source exactly, indentation included
        self.graph = Graph()
        for prefix, namespace in iris.PREFIXES.items():
            self.graph.bind(prefix, namespace)

    def add(self, subject: URIRef, predicate: URIRef, value) -> None:
        """Add one triple; plain Python values become literals, ``None`` adds nothing (absent, never 0)."""
        if value is None:
            return
        if not isinstance(value, (URIRef, Literal)):
            value = Literal(value)
        self.graph.add((subject, predicate, value))

    def add_all(self, subject: URIRef, values: dict) -> None:
        for predicate, value in values.items():
            self.add(subject, predicate, value)

    def derive(self, subject: URIRef, line: Line, locator: str, through: Line | None = None) -> URIRef:
        """Record that ``subject`` was read from ``line`` (to ``through``, for a passage of several lines);
        the passage keeps the exact source text of those lines."""
        passage = iris.passage(self.stem, line.number)
        self.graph.add((subject, PROV.wasDerivedFrom, passage))
        if (passage, RDF.type, PKG.SourcePassage) not in self.graph:
            last = (through or line).number
            self.add_all(
                passage,
                {
                    RDF.type: PKG.SourcePassage,
                    DCTERMS.isPartOf: iris.document(self.stem),
                    PKG.line: Literal(line.number, datatype=XSD.integer),
                    PKG.locator: locator,
                    PROV.value: "\n".join(self._raw_lines[line.number - 1 : last]),
                },
            )
        return passage

    def line(self, number: int) -> Line:
        """Line ``number`` (1-based) of the document, as a ``Line``."""
        raw = self._raw_lines[number - 1] if 0 < number <= len(self._raw_lines) else ""
        return Line(number, raw.strip(), raw[: len(raw) - len(raw.lstrip())])

    def error(self, message: str, line: Line | int | None = None) -> SeedError:
        number = line.number if isinstance(line, Line) else line
        return SeedError(message, file=self.file_name, line=number)

"""Readers of kinds of document: each turns a document of its kind into triples with provenance.

The seed kinds (``article-with-references``, ``pubmed-page``, ``study-table``, ``theme-table``) are read by
the readers the build uses for the seeds; the exchange formats (``ris``, ``bibtex``, ``medline``,
``pubmed-xml``, ``csl-json``, ``jats``) by their well-kept libraries. ``detect`` names a document's kind
from its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from rdflib import Graph

from ..errors import UnsupportedMediaType, UserInputError


@dataclass(frozen=True)
class Kind:
    name: str
    module: str  # peerkg.readers.<module>
    what: str

    def parse(self, data: bytes, vocab, stem: str, file_name: str, article_key: str, **options) -> Graph:
        """``options``: what a seed's manifest entry tells its reader (``[seed.reader]``)."""
        reader = import_module(f"{__name__}.{self.module}")
        if self.name == "study-table":
            from . import study_sheet

            if study_sheet.is_sheet(data):
                return study_sheet.parse(study_sheet.text_of(data, file_name), vocab, stem, file_name, article_key,
                                         xlsx=data.startswith(study_sheet.XLSX_MAGIC))
        return reader.parse(decode(data, file_name), vocab, stem, file_name, article_key, **options)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("article-with-references", "article_with_references", "an article's title, authors, structured abstract and numbered reference list (seed 003)"),
    Kind("pubmed-page", "pubmed_page", "an abstract page with overview fields, structured abstract and citing articles (seed 002)"),
    Kind("study-table", "study_table", "a review's table of qualitative studies (seed 000), or the same as a CSV, TSV or XLSX extraction sheet"),
    Kind("theme-table", "theme_table", "a review's table of themes, valence lines and sample-group paragraphs (seed 001)"),
    Kind("ris", "ris", "a RIS export (TY  - … ER  - )"),
    Kind("bibtex", "bibtex", "a BibTeX file (@article{…})"),
    Kind("medline", "medline", "PubMed's MEDLINE text (PMID- …)"),
    Kind("pubmed-xml", "pubmed_xml", "PubMed XML (<PubmedArticleSet>)"),
    Kind("csl-json", "csl_json", "CSL-JSON (an array of citation items)"),
    Kind("jats", "jats", "a JATS XML article (<article> with <front> and <back>/<ref-list>)"),
)}

# What each kind looks like in its first lines; the first kind that fits wins.
_SIGNS: list[tuple[str, re.Pattern]] = [
    ("pubmed-xml", re.compile(r"<(?:!DOCTYPE )?PubmedArticle(?:Set)?\b")),
    ("jats", re.compile(r"<article\b[^>]*>|<!DOCTYPE article\b")),
    ("ris", re.compile(r"^TY  - ", re.M)),
    ("medline", re.compile(r"^PMID- ", re.M)),
    ("bibtex", re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.M)),
    ("csl-json", re.compile(r"^\s*[\[{]")),
    ("pubmed-page", re.compile(r"^» Articles » PMID: \d+", re.M)),
    ("study-table", re.compile(r"^Study Focused Theme Informant Method Conclusion$", re.M)),
    ("theme-table", re.compile(r"^Benefit/ challenge, references$", re.M)),
    ("article-with-references", re.compile(r"^Abstract\s*$.*^References\s*$", re.M | re.S)),
]


def detect(data: bytes, file_name: str) -> Kind:
    """The kind of a document, from its content; an error naming the file and the kinds known otherwise."""
    from . import study_sheet

    if study_sheet.is_sheet(data):
        return KINDS["study-table"]
    head = data[:65536].decode("utf-8", "replace").lstrip("\ufeff")
    for name, sign in _SIGNS:
        if sign.search(head if name != "article-with-references" else data.decode("utf-8", "replace")):
            return KINDS[name]
    known = "; ".join(f"{k.name}: {k.what}" for k in KINDS.values())
    raise UnsupportedMediaType(f"{file_name}: not a document of any known kind. Expected one of: {known}. "
                         "Name the kind with --kind if it is one of them.", details={"file": file_name})


def decode(data: bytes, file_name: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise UserInputError(f"{file_name}, line {line}: not UTF-8 text", details={"file": file_name, "line": line}) from None

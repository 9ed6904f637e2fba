"""Kind ``bibtex``: a BibTeX file, read by ``bibtexparser`` (LaTeX accents decoded, co-authors split into
name parts). An entry the library cannot parse is an error naming its line; nothing of the file is kept."""

from __future__ import annotations

import logging

import bibtexparser
from bibtexparser import middlewares
from rdflib import Graph

from ..source import Facts
from . import records
from .records import Author, Record, clean

KINDS = {"article": "article", "book": "book", "incollection": "chapter", "inbook": "chapter"}
DESCRIPTION = "a BibTeX file"


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    records.add(facts, read(facts, text), DESCRIPTION)
    return facts.graph


def read(facts: Facts, text: str) -> list[Record]:
    # bibtexparser logs each failed block itself; the error raised here says the same, with the file's name.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        reason = getattr(block, "error", None)
        detail = f" ({reason})" if reason and str(reason) else ""
        raise facts.error(f"a BibTeX entry with a syntax error{detail}: expected '@type{{key, field = {{value}}, …}}'",
                          block.start_line + 1)
    return [_record(facts, entry) for entry in library.entries]


def _record(facts: Facts, entry) -> Record:
    fields = {field.key.lower(): field.value for field in entry.fields}
    first = entry.start_line + 1
    last = first + entry.raw.rstrip().count("\n")
    names = fields.get("author", [])
    authors = [Author(clean(" ".join([*n.von, *n.last])) or "", clean(" ".join(n.first)) or "") for n in names]
    kind = KINDS.get(entry.entry_type.lower(), "other")
    return Record(
        facts.line(first), facts.line(last), f"entry {entry.key}", kind,
        title=clean(fields.get("title") if kind != "chapter" or "chapter" not in fields else fields["chapter"]),
        authors=[a for a in authors if a.family],
        authors_as_written="; ".join(_written(n) for n in names) or None,
        year=records.year_of(clean(fields.get("year")) or clean(fields.get("date"))),
        venue=clean(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")
                    or (fields.get("title") if kind == "chapter" and "chapter" in fields else None)),
        publisher=clean(fields.get("publisher")),
        volume=clean(fields.get("volume")),
        issue=clean(fields.get("number") or fields.get("issue")),
        pages=clean(fields.get("pages")),
        doi=records.doi_of(fields.get("doi")),
        pmid=clean(fields.get("pmid")),
        pmcid=clean(fields.get("pmcid")),
    )


def _written(name) -> str:
    family = " ".join([*name.von, *name.last])
    return f"{family}, {' '.join(name.first)}" if name.first else family

"""Kind ``ris``: a reference manager's RIS export (``TY  - `` … ``ER  - ``), each record read by ``rispy``.

The file is split into records at their ``TY`` and ``ER`` lines, so that each work knows the lines it
was read from; ``rispy`` reads the fields of each record.
"""

from __future__ import annotations

import re

import rispy
from rdflib import Graph

from ..source import Facts
from . import records
from .records import Record, clean

START = re.compile(r"^TY  - ")
END = re.compile(r"^ER  -")
TAG = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")
KINDS = {"JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article", "BOOK": "book",
         "EBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter"}
DESCRIPTION = "a RIS export"


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    records.add(facts, read(facts, text), DESCRIPTION)
    return facts.graph


def read(facts: Facts, text: str) -> list[Record]:
    found, start = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip("\ufeff")
        if START.match(line):
            if start is not None:
                raise facts.error(f"record {len(found) + 1} (line {start}) has no 'ER  - ' line before the next 'TY  - '", number)
            start = number
        elif END.match(line):
            if start is None:
                raise facts.error("an 'ER  - ' line outside a record: expected 'TY  - ' first", number)
            chunk = "\n".join(raw.lstrip("\ufeff") for raw in text.splitlines()[start - 1:number])
            found.append(_record(facts, chunk, start, number, len(found) + 1))
            start = None
        elif start is None and line.strip():
            raise facts.error("a line outside a record: expected 'TY  - ' to open one", number)
        elif start is not None and line.strip() and not TAG.match(line) and not raw.startswith((" ", "\t")):
            raise facts.error(f"expected a RIS field ('XX  - value') in record {len(found) + 1}", number)
    if start is not None:
        raise facts.error(f"record {len(found) + 1} has no 'ER  - ' line", start)
    return found


def _record(facts: Facts, chunk: str, first: int, last: int, number: int) -> Record:
    try:
        (entry,) = rispy.loads(chunk)
    except (ValueError, KeyError, IOError) as problem:
        raise facts.error(f"record {number} is not read by rispy: {problem}", first) from None
    names = [clean(n) for n in entry.get("authors", []) + entry.get("first_authors", []) if clean(n)]
    kind = KINDS.get(entry.get("type_of_reference", ""), "other")
    title = clean(entry.get("title") or entry.get("primary_title"))
    venue = clean(entry.get("secondary_title") or entry.get("journal_name") or entry.get("alternate_title3")
                  or entry.get("alternate_title1"))
    accession = clean(entry.get("accession_number"))
    return Record(
        facts.line(first), facts.line(last), f"record {number}", kind,
        title=title,
        authors=[records.author(name) for name in names],
        authors_as_written="; ".join(names) or None,
        year=records.year_of(entry.get("year") or entry.get("publication_year") or entry.get("date")),
        venue=venue if kind != "book" else None,
        publisher=clean(entry.get("publisher")),
        volume=clean(entry.get("volume")),
        issue=clean(entry.get("number")),
        pages=records.pages(clean(entry.get("start_page")), clean(entry.get("end_page"))),
        doi=records.doi_of(entry.get("doi")),
        pmid=accession if accession and accession.isdigit() else None,
    )

"""Kind ``medline``: PubMed's MEDLINE text format (``PMID- ``, ``TI  - ``, ``AU  - `` …), each record read by
Biopython's ``Bio.Medline``. Records are separated by blank lines, as PubMed writes them."""

from __future__ import annotations

import io
import re

from Bio import Medline
from rdflib import Graph

from ..source import Facts
from . import records
from .records import Record, clean

TAG = re.compile(r"^[A-Z]{2,4} *- ")
BOOKS = {"Book", "Book Chapter"}
DESCRIPTION = "a MEDLINE export"


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    records.add(facts, read(facts, text), DESCRIPTION)
    return facts.graph


def read(facts: Facts, text: str) -> list[Record]:
    found, chunk = [], []
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        if raw.strip():
            if not chunk and not raw.startswith("PMID-"):
                raise facts.error("expected a record to open with 'PMID- '", number)
            if not TAG.match(raw) and not raw.startswith(" "):
                raise facts.error("expected a MEDLINE field ('TAG - value') or a continuation line indented by spaces", number)
            chunk.append((number, raw))
        elif chunk:
            found.append(_record(facts, chunk, len(found) + 1))
            chunk = []
    return found


def _record(facts: Facts, chunk: list[tuple[int, str]], number: int) -> Record:
    entry = Medline.read(io.StringIO("\n".join(raw for _, raw in chunk) + "\n"))
    ids = {value.rsplit(" ", 1)[-1].strip("[]"): value.rsplit(" ", 1)[0] for value in entry.get("AID", [])}
    kinds = set(entry.get("PT", []))
    chapter = "Book Chapter" in kinds
    written = entry.get("AU", [])  # "Mowbray CT": family name and initials, as reference lists print them
    lid = entry.get("LID") or ""
    doi = ids.get("doi") or (lid.removesuffix(" [doi]") if lid.endswith("[doi]") else None)
    organisation = entry.get("CN")
    return Record(
        facts.line(chunk[0][0]), facts.line(chunk[-1][0]), f"record {number} (PMID {entry.get('PMID', '?')})",
        "chapter" if chapter else "book" if kinds & BOOKS else "article",
        title=clean(entry.get("TI") or entry.get("BTI")),
        authors=[records.author(name) for name in written],
        authors_as_written=", ".join(written) or None,
        organisation=clean("; ".join(organisation) if isinstance(organisation, list) else organisation),
        year=records.year_of(entry.get("DP")),
        venue=clean(entry.get("BTI") if chapter else entry.get("TA") or entry.get("JT")),
        publisher=clean(entry.get("PB")),
        volume=clean(entry.get("VI")),
        issue=clean(entry.get("IP")),
        pages=clean(entry.get("PG")),
        doi=records.doi_of(doi),
        pmid=clean(entry.get("PMID")),
        pmcid=clean(entry.get("PMC")),
    )

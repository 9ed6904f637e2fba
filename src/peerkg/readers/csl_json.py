"""Kind ``csl-json``: Citation Style Language JSON (what Zotero, Mendeley and citation.js export): an
array of items, or one item. Each item's lines are found by decoding the array item by item."""

from __future__ import annotations

import json

from rdflib import Graph

from ..source import Facts
from . import records
from .records import Author, Record, clean

KINDS = {"article-journal": "article", "article": "article", "book": "book", "chapter": "chapter"}
DESCRIPTION = "a CSL-JSON file"


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    records.add(facts, read(facts, text), DESCRIPTION)
    return facts.graph


def read(facts: Facts, text: str) -> list[Record]:
    decoder = json.JSONDecoder()
    try:
        json.loads(text)
    except json.JSONDecodeError as problem:
        raise facts.error(f"not JSON: {problem.msg} (column {problem.colno}); expected an array of CSL items",
                          problem.lineno) from None
    start = len(text) - len(text.lstrip())
    if text[start:start + 1] == "{":
        spans = [(start, *decoder.raw_decode(text, start))]
    elif text[start:start + 1] == "[":
        spans, position = [], start + 1
        while True:
            position += len(text[position:]) - len(text[position:].lstrip(" \t\r\n,"))
            if text[position] == "]":
                break
            item, end = decoder.raw_decode(text, position)
            spans.append((position, item, end))
            position = end
    else:
        raise facts.error("expected a JSON array of CSL items", 1)
    return [_record(facts, text, number, *span) for number, span in enumerate(spans, start=1)]


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _record(facts: Facts, text: str, number: int, start: int, item, end: int) -> Record:
    first, last = _line_at(text, start), _line_at(text, end - 1)
    if not isinstance(item, dict):
        raise facts.error(f"item {number} is not a JSON object: expected a CSL item", first)
    names = [n for n in item.get("author", []) if isinstance(n, dict)]
    authors = [Author(clean(n.get("family")) or "", clean(n.get("given")) or "") for n in names if n.get("family")]
    literal = [clean(n.get("literal")) for n in names if n.get("literal")]
    kind = KINDS.get(str(item.get("type", "")), "other")
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    year = str(parts[0][0]) if parts and parts[0] else records.year_of(str(issued.get("raw", "")) if isinstance(issued, dict) else "")
    return Record(
        facts.line(first), facts.line(last), f"item {number}" + (f" ({item['id']})" if item.get("id") else ""), kind,
        title=clean(item.get("title")),
        authors=authors,
        authors_as_written="; ".join(f"{n.get('family')}, {n.get('given')}" if n.get("given") else str(n.get("family") or n.get("literal"))
                                     for n in names) or None,
        organisation=literal[0] if literal and not authors else None,
        year=records.year_of(year),
        venue=clean(item.get("container-title")),
        publisher=clean(item.get("publisher")),
        volume=clean(item.get("volume")),
        issue=clean(item.get("issue")),
        pages=clean(item.get("page")),
        doi=records.doi_of(item.get("DOI")),
        pmid=clean(item.get("PMID")),
        pmcid=clean(item.get("PMCID")),
    )

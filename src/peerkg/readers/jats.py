"""Kind ``jats``: a journal article in JATS XML (what PubMed Central and publishers give), read with ``lxml``:
the article from its front matter, and every entry of its reference list from the citation's elements."""

from __future__ import annotations

from rdflib import Graph

from ..source import Facts
from . import records, xml
from .records import Author, Record, Reference, clean

KINDS = {"journal": "article", "book": "book"}
DESCRIPTION = "a JATS article"


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    records.add(facts, read(facts, text), DESCRIPTION)
    return facts.graph


def read(facts: Facts, text: str) -> list[Record]:
    root = xml.parse(facts, text.encode("utf-8"), "a JATS <article>")
    if root.tag != "article":
        raise facts.error(f"the root element is <{root.tag}>: expected a JATS <article>", root.sourceline)
    meta = root.find("front/article-meta")
    if meta is None:
        raise facts.error("the article has no <front>/<article-meta>", root.sourceline)
    journal = root.find("front/journal-meta")
    ids = {node.get("pub-id-type"): xml.text(node) for node in meta.iterfind("article-id")}
    year = next((xml.text(d, "year") for d in meta.iterfind("pub-date") if d.find("year") is not None), None)
    first, last = xml.span(facts, meta)
    authors = [c for c in meta.iterfind("contrib-group/contrib") if c.get("contrib-type", "author") == "author"]
    record = Record(
        first, last, "article-meta", "article",
        title=xml.text(meta, "title-group/article-title"),
        authors=[_author(c.find("name")) for c in authors if c.find("name") is not None],
        organisation=next((xml.text(c, "collab") for c in authors if c.find("collab") is not None), None),
        year=year,
        venue=(xml.text(journal, "journal-title-group/journal-title") or xml.text(journal, "journal-title")
               or xml.text(journal, "abbrev-journal-title")) if journal is not None else None,
        volume=xml.text(meta, "volume"),
        issue=xml.text(meta, "issue"),
        pages=records.pages(xml.text(meta, "fpage"), xml.text(meta, "lpage")) or xml.text(meta, "elocation-id"),
        doi=records.doi_of(ids.get("doi")),
        pmid=ids.get("pmid"),
        pmcid=_pmcid(ids.get("pmcid") or ids.get("pmc")),
        references=[_reference(facts, ref) for ref in root.iterfind("back/ref-list/ref")],
    )
    record.authors_as_written = "; ".join(f"{a.family}, {a.given}" if a.given else a.family for a in record.authors) or None
    return [record]


def _author(name) -> Author:
    return Author(xml.text(name, "surname") or "", xml.text(name, "given-names") or "")


def _pmcid(value: str | None) -> str | None:
    return None if not value else value if value.upper().startswith("PMC") else f"PMC{value}"


def _reference(facts: Facts, ref) -> Reference:
    first, last = xml.span(facts, ref)
    citation = next((ref.find(tag) for tag in ("element-citation", "mixed-citation", "citation") if ref.find(tag) is not None), None)
    if citation is None:
        raise facts.error("a <ref> without an element-citation or mixed-citation", first)
    names = [n for group in citation.iterfind("person-group") if group.get("person-group-type", "author") == "author"
             for n in group.iterfind("name")] or list(citation.iterfind("name"))
    kind = KINDS.get(citation.get("publication-type", ""), "other")
    chapter = citation.find("chapter-title") is not None
    ids = {node.get("pub-id-type"): xml.text(node) for node in citation.iterfind("pub-id")}
    cited = Record(
        first, last, f"reference {ref.get('id') or first.number}", "chapter" if chapter else kind,
        title=xml.text(citation, "chapter-title") if chapter else xml.text(citation, "article-title") or (
            xml.text(citation, "source") if kind == "book" else None),
        authors=[_author(n) for n in names],
        organisation=xml.text(citation, "collab"),
        year=records.year_of(xml.text(citation, "year")),
        venue=None if kind == "book" and not chapter else xml.text(citation, "source"),
        publisher=xml.text(citation, "publisher-name"),
        volume=xml.text(citation, "volume"),
        issue=xml.text(citation, "issue"),
        pages=records.pages(xml.text(citation, "fpage"), xml.text(citation, "lpage")),
        doi=records.doi_of(ids.get("doi")),
        pmid=ids.get("pmid"),
    )
    cited.authors_as_written = "; ".join(f"{a.family}, {a.given}" if a.given else a.family for a in cited.authors) or cited.organisation
    return Reference(first, last, clean(xml.text(citation)) or "", cited=cited)

"""Kind ``pubmed-xml``: PubMed's XML (``PubmedArticleSet``, as efetch and the PubMed site export it), read
with ``lxml``: each ``PubmedArticle`` a work, and the references of its ``ReferenceList`` (citation text
read as an NLM/Vancouver entry, with the identifiers PubMed gives)."""

from __future__ import annotations

from rdflib import Graph

from ..source import Facts
from . import records, xml
from .records import Author, Record, Reference, clean

DESCRIPTION = "a PubMed XML export"


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    records.add(facts, read(facts, text), DESCRIPTION)
    return facts.graph


def read(facts: Facts, text: str) -> list[Record]:
    root = xml.parse(facts, text.encode("utf-8"), "a PubmedArticleSet")
    if root.tag not in ("PubmedArticleSet", "PubmedArticle"):
        raise facts.error(f"the root element is <{root.tag}>: expected <PubmedArticleSet>", root.sourceline)
    articles = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    return [_record(facts, article, number) for number, article in enumerate(articles, start=1)]


def _record(facts: Facts, element, number: int) -> Record:
    citation = element.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if article is None:
        raise facts.error(f"PubmedArticle {number} has no MedlineCitation/Article", element.sourceline)
    pmid = xml.text(citation, "PMID")
    ids = {node.get("IdType"): xml.text(node) for node in element.iterfind("PubmedData/ArticleIdList/ArticleId")}
    authors, organisation = [], None
    for node in article.iterfind("AuthorList/Author"):
        if node.find("CollectiveName") is not None:
            organisation = organisation or xml.text(node, "CollectiveName")
        elif node.find("LastName") is not None:
            authors.append(Author(xml.text(node, "LastName"), xml.text(node, "Initials") or xml.text(node, "ForeName") or ""))
    issue = article.find("Journal/JournalIssue")
    date = issue.find("PubDate") if issue is not None else None
    year = (xml.text(date, "Year") or records.year_of(xml.text(date, "MedlineDate"))) if date is not None else None
    doi = next((xml.text(n) for n in article.iterfind("ELocationID") if n.get("EIdType") == "doi"), None) or ids.get("doi")
    first, last = xml.span(facts, element)
    return Record(
        first, last, f"PubmedArticle {number} (PMID {pmid})", "article",
        title=clean(xml.text(article, "ArticleTitle")),
        authors=authors,
        authors_as_written="; ".join(f"{a.family}, {a.given}" for a in authors) or organisation,
        organisation=organisation,
        year=year,
        venue=xml.text(article, "Journal/ISOAbbreviation") or xml.text(article, "Journal/Title"),
        volume=xml.text(issue, "Volume") if issue is not None else None,
        issue=xml.text(issue, "Issue") if issue is not None else None,
        pages=xml.text(article, "Pagination/MedlinePgn"),
        doi=records.doi_of(doi),
        pmid=pmid,
        pmcid=ids.get("pmc"),
        references=[_reference(facts, node) for node in element.iterfind("PubmedData/ReferenceList/Reference")],
    )


def _reference(facts: Facts, node) -> Reference:
    ids = {n.get("IdType"): xml.text(n) for n in node.iterfind("ArticleIdList/ArticleId")}
    citation = xml.text(node, "Citation")
    first, last = xml.span(facts, node)
    if not citation:
        raise facts.error("a Reference without its Citation text", first)
    return Reference(first, last, citation, doi=records.doi_of(ids.get("doi")), pmid=ids.get("pubmed"))

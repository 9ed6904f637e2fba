"""Kind ``study-table``: a review's table of qualitative studies, one row per study, as in seed 000 (Table 3
of a 2012 literature review). Extraction sheets of the same data (CSV, TSV, XLSX) are read by ``study_sheet``.

A row reads ``Authors Year [ref] Focused theme. Informant (n=N) and informant (n=N). Method. Conclusion``.
Each row becomes a study, the work that reports it (the review's reference ``ref``), its informant groups
and its methods; every cell is kept as written beside its normalised form.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from .. import iris
from ..iris import BIRO, CITO, FABIO, PKG, PRISM
from ..source import Facts, Line, lines
from ..parsers import bibliography, informants


# ". 2012 Apr 16;8:22–29. doi: 10.2174/1745017901208010022"
CITATION_LINE = re.compile(
    r"\. (?P<year>\d{4}) (?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2});(?P<volume>\d+):(?P<pages>[\d–-]+)\. "
    r"doi: (?P<doi>10\.\S+)$"
)
CAPTION = re.compile(r"Table 3\.$")
HEADER = "Study Focused Theme Informant Method Conclusion"
ROW = re.compile(
    r"^(?P<authors>.+?) (?P<year>\d{4}) \[(?P<ref>\d+)\] "
    r"(?P<theme>.+?\.) "
    r"(?P<informants>[^.]*?\(n=\d+\)(?: and [^.]*?\(n=\d+\))*\.) "
    r"(?P<method>[^.]+\.) "
    r"(?P<conclusion>.+)$"
)
INFORMANT = re.compile(r"(?P<label>.+?) \(n=(?P<n>\d+)\)(?: and |\.$)")


def parse(text: str, vocab, stem: str, file_name: str, article_key: str) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    body = lines(text)
    article = _article(facts, body)
    review = iris.study(facts.article_key)
    facts.add_all(review, {RDF.type: PKG.LiteratureReview, PKG.reportedIn: article})
    facts.add(article, PKG.reports, review)
    facts.derive(review, body[0], "citation line")
    rows = [line for line in body if ROW.match(line.text)]
    if len(rows) + 4 != len(body):
        stray = next(line for line in body[4:] if not ROW.match(line.text))
        raise facts.error("a Table 3 row does not read as 'Authors Year [ref] Theme. Informants (n=N). Method. Conclusion'", stray)
    for number, line in enumerate(rows, start=1):
        _row(facts, vocab, line, number, review, article)
    return facts.graph


def _article(facts: Facts, body: list[Line]):
    """The review article, from the citation line and the table caption that open the excerpt."""
    citation, caption, title, header = body[:4]
    match = CITATION_LINE.search(citation.text)
    if not match or not CAPTION.match(caption.text) or header.text != HEADER:
        raise facts.error("expected the citation line, 'Table 3.', its title and the column header", citation)
    article = iris.work(facts.article_key)
    facts.add_all(article, {
        RDF.type: FABIO.JournalArticle,
        FABIO.hasPublicationYear: Literal(match["year"], datatype=XSD.gYear),
        PRISM.publicationDate: bibliography.date(match["year"], match["month"], match["day"]),
        PRISM.volume: match["volume"],
        PRISM.pageRange: match["pages"],
        PRISM.doi: match["doi"],
    })
    facts.derive(article, citation, "citation line")
    document = iris.document(facts.stem)
    facts.add_all(document, {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.title: f"{caption.text} {title.text}",
        DCTERMS.isPartOf: article,
    })
    return article


def _row(facts: Facts, vocab, line: Line, number: int, review, article) -> None:
    cells = ROW.match(line.text)
    key = iris.work_key(_first_family_name(cells["authors"]), cells["year"])
    locator = f"Table 3, row {number}"
    study, work, entry = iris.study(key), iris.work(key), iris.reference(facts.article_key, int(cells["ref"]))

    facts.add_all(work, {
        RDF.type: FABIO.Expression,
        PKG.authorsAsWritten: cells["authors"],
        FABIO.hasPublicationYear: Literal(cells["year"], datatype=XSD.gYear),
        PKG.reports: study,
        CITO.isCitedBy: article,
    })
    facts.add(article, CITO.cites, work)
    facts.add_all(entry, {
        RDF.type: BIRO.BibliographicReference,
        PKG.referenceNumber: Literal(int(cells["ref"]), datatype=XSD.integer),
        DCTERMS.isPartOf: article,
        BIRO.references: work,
    })
    facts.add_all(study, {
        RDF.type: PKG.QualitativeStudy,
        RDFS.label: f"{cells['authors']} {cells['year']}",
        PKG.reportedIn: work,
        PKG.focusedTheme: cells["theme"],
        PKG.methodAsWritten: cells["method"],
        PKG.conclusion: cells["conclusion"],
    })
    facts.add(review, PKG.reviews, study)
    for wording in _method_wordings(cells["method"]):
        try:
            facts.add(study, PKG.dataCollectionMethod, vocab.concept("methods", wording))
        except KeyError as missing:
            raise facts.error(str(missing.args[0]), line) from None
    for subject in (study, work, entry):
        facts.derive(subject, line, locator)
    for position, group in enumerate(INFORMANT.finditer(cells["informants"]), start=1):
        informants.add_group(facts, vocab, key, group["label"], position, line, locator, size=int(group["n"]))


def _first_family_name(authors: str) -> str:
    """``"Armstrong et al."`` → ``"Armstrong"``; ``"Yuen & Fossey"`` → ``"Yuen"``."""
    return re.split(r" et al\.| & ", authors)[0]


def _method_wordings(cell: str) -> list[str]:
    """``"Semi-structured telephone interviews and focus groups."`` → the two method wordings."""
    return cell.rstrip(".").split(" and ")

"""Kind ``study-table``: a review's table of qualitative studies, one row per study, as in seed 000 (Table 3
of a 2012 literature review). Extraction sheets of the same data (CSV, TSV, XLSX) are read by ``study_sheet``.

The excerpt opens with the article's citation line, the table's caption (``Table 3.`` with its title on the
next line, or ``Table 2. Title`` on one line) and the column header; the caption's number names the table
in the locators (``Table 2, row 4``) and in the errors. A row reads
``Authors Year [ref] Focused theme. Informant (n=N) and informant (n=N). Method. Conclusion``.
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
# "Table 3." (the title on the next line), or "Table 2. Studies of peer work" / "Table 4 Studies …"
CAPTION = re.compile(r"^Table\s(?P<number>\d+[A-Z]?)\.?(?:\s+(?P<title>\S.*))?$")
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
    article, table, opening = _article(facts, body)
    review = iris.study(facts.article_key)
    facts.add_all(review, {RDF.type: PKG.LiteratureReview, PKG.reportedIn: article})
    facts.add(article, PKG.reports, review)
    facts.derive(review, body[0], "citation line")
    rows = body[opening:]
    if not rows:
        raise facts.error(f"no rows under the column header of {table}: expected one row per study", body[opening - 1])
    for number, line in enumerate(rows, start=1):
        if not ROW.match(line.text):
            raise facts.error(f"a {table} row does not read as 'Authors Year [ref] Theme. Informants (n=N). Method. Conclusion'", line)
        _row(facts, vocab, line, number, review, article, table)
    return facts.graph


def _article(facts: Facts, body: list[Line]):
    """The review article, from the citation line and the table caption that open the excerpt; with the
    table's name (``Table 3``) and the index of its first row in ``body``."""
    expected = "expected the citation line, the caption ('Table N.' and its title) and the column header"
    named = CAPTION.match(body[1].text) if len(body) > 1 else None
    header_at = 2 if named and named["title"] else 3  # a caption with its title on one line, or on two
    if not named or len(body) <= header_at or body[header_at].text != HEADER:
        raise facts.error(expected, body[0] if body else None)
    citation, caption = body[:2]
    title = None if header_at == 2 else body[2]
    match = CITATION_LINE.search(citation.text)
    if not match:
        raise facts.error(expected, citation)
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
        DCTERMS.title: f"{caption.text} {title.text}" if title else caption.text,
        DCTERMS.isPartOf: article,
    })
    return article, f"Table {named['number']}", header_at + 1


def _row(facts: Facts, vocab, line: Line, number: int, review, article, table: str) -> None:
    cells = ROW.match(line.text)
    key = iris.work_key(_first_family_name(cells["authors"]), cells["year"])
    locator = f"{table}, row {number}"
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

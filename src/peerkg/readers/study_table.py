"""Kind ``study-table``: a review's table of qualitative studies, one row per study, as in seed 000 (Table 3
of a 2012 literature review). Extraction sheets of the same data (CSV, TSV, XLSX) are read by ``study_sheet``.

The excerpt opens with the article's citation line, the table's caption and the column header. The citation
is in NLM style (``Journal. 2012 Apr 16;8(2):22–29. doi: 10.…``, the month, day, issue and DOI optional)
or APA style (``Authors (2021). Title. Journal, 30(1), 118–131. https://doi.org/10.…``); the caption is
``Table 3.`` with its title on the lines below, or ``Table 2. Title``, ``TABLE 5: Title``, ``Table S1 – Title``
on one line. The caption's number names the table in the locators (``Table 2, row 4``) and in the errors.
Lines above the citation (a page's own furniture) are passed over. A row reads
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


_DOI = r"(?: (?:doi: ?|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\S+?)\.?)?$"
_ISSUE = r"(?:\((?P<issue>[^)]+)\))?"
CITATION_LINES = (
    # NLM: ". 2012 Apr 16;8:22–29. doi: 10.2174/1745017901208010022", "J Ment Health. 2019 Mar;12(2):45-53."
    re.compile(rf"(?:^|\. )(?P<year>\d{{4}})(?: (?P<month>{'|'.join(bibliography.MONTHS)})(?: (?P<day>\d{{1,2}}))?)?;"
               rf"(?P<volume>\d+){_ISSUE}:(?P<pages>[\w–-]+)\.{_DOI}"),
    # APA: "Ortega, L., & Quinn, M. (2022). Title. Journal, 28(4), 301–315. https://doi.org/10.5555/…"
    re.compile(rf"\((?P<year>\d{{4}})\)\. .+, (?P<volume>\d+){_ISSUE}, (?P<pages>[\w–-]+)\.{_DOI}"),
)
CITATION_STYLES = ("'Journal. 2012 Apr 16;8(2):22–29. doi: 10.…' (NLM) or "
                   "'Authors (2021). Title. Journal, 30(1), 118–131. https://doi.org/10.…' (APA)")
# "Table 3." (the title on the next line), "Table 2. Studies of peer work", "TABLE 5: Studies …", "Table S1 – …"
CAPTION = re.compile(r"^(?:Table|TABLE)\s(?P<number>S?\d+[A-Z]?)(?:[.:]|\s[–—-])?(?:\s+(?P<title>\S.*))?$")
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
    article, table, citation, opening = _article(facts, body)
    review = iris.study(facts.article_key)
    facts.add_all(review, {RDF.type: PKG.LiteratureReview, PKG.reportedIn: article})
    facts.add(article, PKG.reports, review)
    facts.derive(review, citation, "citation line")
    rows = body[opening:]
    if not rows:
        raise facts.error(f"no rows under the column header of {table}: expected one row per study", body[opening - 1])
    for number, line in enumerate(rows, start=1):
        if not ROW.match(line.text):
            raise facts.error(f"a {table} row does not read as 'Authors Year [ref] Theme. Informants (n=N). Method. Conclusion'", line)
        _row(facts, vocab, line, number, review, article, table)
    return facts.graph


def _article(facts: Facts, body: list[Line]):
    """The review article, from the citation line and the table caption above the column header; with the
    table's name (``Table 3``) and the index of its first row in ``body``."""
    header_at = next((index for index, line in enumerate(body) if line.text == HEADER), None)
    if header_at is None:
        caption = next((line for line in body if CAPTION.match(line.text)), body[0] if body else None)
        raise facts.error(f"expected the column header '{HEADER}' under the table's caption", caption)
    caption_at = next((index for index in range(header_at - 1, -1, -1) if CAPTION.match(body[index].text)), None)
    if caption_at is None:
        raise facts.error("expected the table's caption above the column header: 'Table N.' with its title on the "
                          "next line, or 'Table N. Title' ('Table N: Title') on one", body[header_at])
    found = next(((line, match) for line in body[:caption_at] for match in [_citation(line.text)] if match), None)
    if found is None:
        raise facts.error(f"expected the review's citation line above the caption, as {CITATION_STYLES}",
                          body[caption_at - 1] if caption_at else body[caption_at])
    citation, match = found
    caption = body[caption_at]
    named = CAPTION.match(caption.text)
    article = iris.work(facts.article_key)
    facts.add_all(article, {
        RDF.type: FABIO.JournalArticle,
        FABIO.hasPublicationYear: Literal(match["year"], datatype=XSD.gYear),
        PRISM.publicationDate: bibliography.date(match["year"], match["month"], match["day"])
                               if match.groupdict().get("day") else None,
        PRISM.volume: match["volume"],
        PRISM.issueIdentifier: match["issue"],
        PRISM.pageRange: match["pages"],
        PRISM.doi: match["doi"],
    })
    facts.derive(article, citation, "citation line")
    document = iris.document(facts.stem)
    facts.add_all(document, {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.title: " ".join(line.text for line in body[caption_at:header_at]),
        DCTERMS.isPartOf: article,
    })
    return article, f"Table {named['number']}", citation, header_at + 1


def _citation(text: str) -> re.Match | None:
    return next((match for pattern in CITATION_LINES if (match := pattern.search(text))), None)


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

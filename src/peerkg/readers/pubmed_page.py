"""Kind ``pubmed-page``: an article's abstract page with its citing articles, as in seed 002 (a 2013 metasynthesis).

The page states the article's title, specialty, date, PMID and citation count, an abstract in labelled
sections (the Method section says how many studies were synthesised and whose experiences), and a list of
citing articles, three lines each: title; ``Authors Journal. Year; vol(issue):pages.``; identifiers.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from .. import iris
from ..iris import CITO, FABIO, PKG, PRISM
from ..source import Facts, Line, lines
from ..parsers import bibliography


BREADCRUMB = re.compile(r"^» Articles » PMID: \d+$")
OVERVIEW = {
    "Specialty": re.compile(r"^Specialty (?P<value>.+)$"),
    "Date": re.compile(r"^Date (?P<value>\d{4} [A-Z][a-z]{2} \d{1,2})$"),
    "PMID": re.compile(r"^PMID (?P<value>\d+)$"),
    "Citations": re.compile(r"^Citations (?P<value>\d+)$"),
}
# The page has placeholders where authors and affiliations would be: no data.
PLACEHOLDERS = {"Overview", "Authors", "Affiliations", "Soon will be listed here.", "Abstract"}
SECTION = re.compile(r"^(?P<heading>[A-Z][A-Za-z ]+?): (?P<text>.+)$")
SYNTHESISED = re.compile(r"synthesis of (?P<count>\d+) published studies")
INVESTIGATED = re.compile(r"The experiences of (?P<groups>.+) were investigated\.")
METHOD = re.compile(r"^(?P<method>An? [a-z ]+?) was conducted")
CITING_HEADER = "Citing Articles"
# "von Peter S Nervenarzt. 2025; ." — the last author's initials run straight into the journal name.
AUTHORS_JOURNAL = re.compile(
    r"^(?P<authors>(?:[^,]+? [A-Z]{1,3}, )*[^,]+? [A-Z]{1,3}) (?P<journal>[^.]+)\. (?P<year>\d{4}); "
    r"(?:(?P<volume>\w+)\((?P<issue>\w*)\):(?P<pages>[^.]+))?\.$"
)
IDENTIFIERS = re.compile(r"^PMID: (?P<pmid>\d+)(?: PMC: (?P<pmc>\d+)\.)? DOI: (?P<doi>10\.\S+?)\.$")
AUTHOR = re.compile(r"^(?P<family>.+) (?P<initials>[A-Z]{1,3})$")


def parse(text: str, vocab, stem: str, file_name: str, article_key: str) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    body = lines(text)
    if not BREADCRUMB.match(body[0].text):
        raise facts.error("expected the '» Articles » PMID: …' breadcrumb", body[0])
    title = body[1]
    article = iris.work(facts.article_key)
    facts.add_all(article, {RDF.type: FABIO.JournalArticle, DCTERMS.title: title.text})
    facts.derive(article, title, "title")
    facts.add_all(iris.document(facts.stem), {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.title: f"Abstract page of '{title.text}' with its citing articles",
        DCTERMS.isPartOf: article,
    })
    citing_at = next((i for i, line in enumerate(body) if line.text == CITING_HEADER), None)
    if citing_at is None:
        raise facts.error(f"no '{CITING_HEADER}' heading")
    sections = []
    for line in body[2:citing_at]:
        if line.text in PLACEHOLDERS:
            continue
        if _overview(facts, article, line):
            continue
        if not (match := SECTION.match(line.text)):
            raise facts.error("expected an overview field or an abstract section 'Heading: text'", line)
        sections.append((line, match["heading"], match["text"]))
    for position, (line, heading, section_text) in enumerate(sections, start=1):
        bibliography.add_abstract_section(facts, facts.article_key, position, heading, section_text, line, f"abstract, {heading}")
    _study(facts, vocab, article, sections)
    _citing_articles(facts, article, body[citing_at + 1 :])
    return facts.graph


def _overview(facts: Facts, article: URIRef, line: Line) -> bool:
    for field, pattern in OVERVIEW.items():
        if match := pattern.match(line.text):
            value = match["value"]
            if field == "Specialty":
                facts.add(article, PKG.specialty, value)
            elif field == "Date":
                year, month, day = value.split()
                facts.add(article, PRISM.publicationDate, bibliography.date(year, month, day))
                facts.add(article, FABIO.hasPublicationYear, Literal(year, datatype=XSD.gYear))
            elif field == "PMID":
                facts.add(article, FABIO.hasPubMedId, value)
            else:
                facts.add(article, PKG.statedCitationCount, Literal(int(value), datatype=XSD.integer))
            facts.derive(article, line, f"overview, {field}")
            return True
    return False


def _study(facts: Facts, vocab, article: URIRef, sections) -> None:
    """The metasynthesis as a study: its method, the number of studies and whose experiences it covers."""
    line, _, method_text = next(section for section in sections if section[1] == "Method")
    study = iris.study(facts.article_key)
    facts.add_all(study, {
        RDF.type: PKG.QualitativeMetasynthesis,
        PKG.reportedIn: article,
        PKG.methodAsWritten: method_text,
    })
    facts.add(article, PKG.reports, study)
    facts.derive(study, line, "abstract, Method")
    count, method, groups = SYNTHESISED.search(method_text), METHOD.match(method_text), INVESTIGATED.search(method_text)
    if not (count and method and groups):
        raise facts.error("the Method section does not name the method, the number of studies and the groups", line)
    facts.add(study, PKG.numberOfStudiesSynthesised, Literal(int(count["count"]), datatype=XSD.integer))
    try:
        facts.add(study, PKG.analysisMethod, vocab.concept("methods", method["method"]))
    except KeyError as missing:
        raise facts.error(str(missing.args[0]), line) from None
    # Whose experiences the synthesised studies report: the populations of the studies it reviews, not
    # informants of its own (a metasynthesis has none), as concepts of the sample groups.
    for name in re.split(r", (?:and )?", groups["groups"]):
        label = re.sub(r"^(?:their|the) ", "", name)
        try:
            facts.add(study, PKG.reviewedPopulation, vocab.concept("sample-groups", label))
        except KeyError as missing:
            raise facts.error(str(missing.args[0]), line) from None


def _citing_articles(facts: Facts, cited: URIRef, body: list[Line]) -> None:
    if len(body) % 3:
        raise facts.error("citing articles come in three lines: title, authors and journal, identifiers", body[-1])
    for position in range(0, len(body), 3):
        _citing_article(facts, cited, *body[position : position + 3], position // 3 + 1)


def _citing_article(facts: Facts, cited: URIRef, title: Line, source: Line, ids: Line, number: int) -> None:
    where, what = AUTHORS_JOURNAL.match(source.text), IDENTIFIERS.match(ids.text)
    if not where:
        raise facts.error("expected 'Authors Journal. Year; volume(issue):pages.'", source)
    if not what:
        raise facts.error("expected 'PMID: … [PMC: ….] DOI: ….'", ids)
    authors = where["authors"].split(", ")
    key = iris.work_key(AUTHOR.match(authors[0])["family"], where["year"])
    work = iris.work(key)
    facts.add_all(work, {
        RDF.type: FABIO.JournalArticle,
        DCTERMS.title: title.text.removesuffix("."),
        PKG.authorsAsWritten: where["authors"],
        PRISM.publicationName: where["journal"],
        FABIO.hasPublicationYear: Literal(where["year"], datatype=XSD.gYear),
        PRISM.volume: where["volume"],
        PRISM.issueIdentifier: where["issue"] or None,
        PRISM.pageRange: where["pages"],
        FABIO.hasPubMedId: what["pmid"],
        FABIO.hasPubMedCentralId: f"PMC{what['pmc']}" if what["pmc"] else None,
        PRISM.doi: what["doi"],
        CITO.cites: cited,
    })
    facts.add(cited, CITO.isCitedBy, work)
    bibliography.add_authors(facts, key, [(name, AUTHOR.match(name)["family"]) for name in authors])
    facts.derive(work, title, f"citing article {number}", through=ids)

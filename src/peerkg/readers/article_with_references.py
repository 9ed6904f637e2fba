"""Kind ``article-with-references``: a journal article's title, authors, structured abstract and numbered
reference list in NLM/Vancouver style, as in seed 003 ("What do peer support workers do? A job description").

The seed holds the article's title, its author line (the list printed twice), the structured abstract
and the 39-entry reference list (every entry printed as "1."). It yields the article and its abstract
sections, the qualitative study the article reports, the peer role activities of the Results as a SKOS
hierarchy, and one bibliographic reference per entry with the work it cites. Every value is kept as
written; nothing the text does not state is filled in.

An article's role activities are its own: a scheme ``scheme/<article>-role-activities`` and concepts
``role-activity/<article>/<label>`` (``iris.role_activity_keys``), so another article's "advocacy" is not
the job description's. The seed keeps the names it was published under (``scheme/peer-role-activities``,
``role-activity/<label>``): seeds/manifest.toml gives them as its reader options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SDO, SKOS, XSD

from .. import iris
from ..iris import BIRO, CITO, FABIO, PKG, PRISM
from ..source import Facts, Line, lines
from ..parsers import bibliography


# Section markers between the author line and the abstract, and before the reference list.
ABSTRACT_HEADING = "Abstract"
REFERENCES_HEADING = "References"
# "Background: The extant literature …"
ABSTRACT_SECTION = re.compile(r"(?P<heading>[A-Z][A-Za-z ]{0,40}?): (?P<body>.+)")
# "1. Jacobson N. In recovery: …": entries count by position (seed 003 numbers every entry "1.").
REFERENCE_ENTRY = re.compile(r"\d{1,4}\. (?P<entry>.+)")

# Background: "… a participatory evaluation of <setting> to specify the work that peers do."
SETTING = re.compile(r"participatory evaluation of (?P<setting>.+?) to specify ")
# Methods: "Data were gathered through <collection> and were analyzed using <analysis>."
METHODS = re.compile(r"Data were gathered through (?P<collection>.+?) and were analyzed using (?P<analysis>.+)\.")

# Results, one pattern per sentence, matched against the whole sentence.
SENTENCE_BREAK = re.compile(r"(?<=\.) ")
WORK_KINDS = re.compile(
    r"Peers engage in (?P<first>.+?) with clients and in (?P<second>.+?) that supports their work with clients\."
)
MAIN_TYPES = re.compile(r"The main types of (?P<parent>.+?) are (?P<items>.+)\.")
FURTHER_WORK = re.compile(r"In addition, peers also do (?P<items>.+)\.")
ENACTMENTS = re.compile(r"(?P<items>.+) can be seen as the tangible enactments of peers' (?P<parent>.+)\.")
# Items of a list: "a, b, and c". Two noun phrases headed by "work" are also joined by a bare "and"
# ("work aimed at … staff and work aimed at …"); a bare "and" elsewhere is inside an item
# ("group planning and development"), so it is only a separator before "work ".
LIST_SEPARATOR = re.compile(r", (?:and )?| and (?=work )")
COMPOUND_SEPARATOR = "/"

# Reference entries: "<authors>. <rest>". Author names carry initials without periods.
ENTRY_AUTHORS = re.compile(r"(?P<authors>[^.]+)\. (?P<rest>.+)")
# "Mowbray CT" / "van der Gaag M": family name, then initials.
INVERTED_NAME = re.compile(r"(?P<family>.+) (?P<initials>[A-ZÀ-ÖØ-Þ]{1,3})")
# "Smith J, Jones K, et al": the list is cut short; the listed authors are kept, in order.
ET_AL = re.compile(r",? et al\.?$")
# "Title. Community Ment Health J. 1996;32(1):47–67." then a note (a DOI, or pages PRISM has no term
# for). "30(6))" is a typo in the source for "30(6)".
JOURNAL_ARTICLE = re.compile(
    r"(?P<title>.+?)\. (?P<journal>[^.]+)\. (?P<year>\d{4});(?P<volume>\d+)(?:\((?P<issue>\d+)\)\)?)?"
    r":(?P<pages>e?\d+(?:[–-]e?\d+)?)\.(?: (?P<note>.+))?"
)
DOI_NOTE = re.compile(r"(?:doi: ?|https://doi\.org/)(?P<doi>10\.\S+?)\.?")
# "discussion 627–634." / "943.": further pages, kept only in the citation text.
PAGES_NOTE = re.compile(r"(?:discussion )?\d+(?:[–-]\d+)?\.")
# "In: Book. Editors, editor. Place: Publisher; 2005. Chapter title; pp. 3–16."
BOOK_CHAPTER = re.compile(
    r"In: (?P<book>.+?)\. (?P<editors>.+?), editors?\. (?P<place>[^:]+): (?P<publisher>[^;]+); (?P<year>\d{4})\. "
    r"(?P<title>.+); pp\. (?P<pages>\d+–\d+)\."
)
# "Title. [Edition. ]Place: Publisher; 2004."
BOOK = re.compile(
    r"(?P<title>.+?)\. (?:(?P<edition>\d+)\. )?(?P<place>[^.:]+): (?P<publisher>[^;]+); (?P<year>\d{4})\."
)
# "Title. ." — an entry with nothing after its title; the title may end in "?" instead of ".".
UNDATED = re.compile(r"(?P<title>.+?)\.? \.")


@dataclass(frozen=True)
class _Parts:
    """The seed's lines, grouped by the part of the article they belong to."""

    title: Line
    authors: Line
    abstract: list[Line]
    references: list[Line]


@dataclass(frozen=True)
class CitedWork:
    """The work a reference entry cites: its key, its authors as persons and its other values."""

    key: str
    authors: list[tuple[str, str]]  # (name as written, family name), in order
    values: dict  # predicate → value; None values add nothing


@dataclass(frozen=True)
class _Section:
    line: Line
    heading: str
    body: str


@dataclass(frozen=True)
class _Roles:
    """Where the article's role activities go: their scheme, its title, the key they are minted within
    (``iris.concept``) and what their scope notes call the article."""

    scheme: URIRef
    title: str
    within: str
    article: str


def parse(text: str, vocab, stem: str, file_name: str, article_key: str, *, scheme: str | None = None,
          scheme_title: str | None = None, within: str | None = None, article_called: str = "the article") -> Graph:
    """The triples the article states. ``vocab.concept("methods", wording)`` maps a method wording to its concept.
    ``scheme``, ``scheme_title``, ``within`` and ``article_called`` name the role activities' scheme and keys and
    what their scope notes call the article; by default they are the article's own
    (``iris.role_activity_keys(article_key)``, the scheme titled after the article)."""
    facts = Facts(stem, file_name, text, article_key)
    parts = _split(facts, lines(text))
    article = _add_article(facts, parts)
    _add_document(facts, article, parts)
    sections = _add_abstract(facts, article, parts.abstract)
    if METHODS.fullmatch(sections["Methods"].body):
        _add_study(facts, vocab, article, sections)
    results = sections.get("Results")
    if results and WORK_KINDS.fullmatch(SENTENCE_BREAK.split(results.body)[0]):
        default_scheme, default_within = iris.role_activity_keys(article_key)
        roles = _Roles(iris.scheme(scheme or default_scheme), scheme_title or f"Peer role activities of {parts.title.text}",
                       default_within if within is None else within, article_called)
        _add_role_activities(facts, roles, results)
    _add_references(facts, article, parts.references)
    return facts.graph


# --- the parts of the seed -------------------------------------------------------------------------


def _split(facts: Facts, body: list[Line]) -> _Parts:
    if len(body) < 3 or body[2].text != ABSTRACT_HEADING:
        raise facts.error(f"expected the title, the author line and {ABSTRACT_HEADING!r}", body[0] if body else None)
    headings = [index for index, line in enumerate(body) if line.text == REFERENCES_HEADING]
    if not headings:
        raise facts.error(f"no {REFERENCES_HEADING!r} heading")
    end = headings[0]
    return _Parts(title=body[0], authors=body[1], abstract=body[3:end], references=body[end + 1:])


def _add_article(facts: Facts, parts: _Parts) -> URIRef:
    """The source article; its author line prints the author list twice, each author counts once."""
    article = iris.work(facts.article_key)
    names = list(dict.fromkeys(parts.authors.text.split(", ")))
    facts.add_all(article, {
        RDF.type: FABIO.JournalArticle,
        DCTERMS.title: parts.title.text,
        PKG.authorsAsWritten: ", ".join(names),
    })
    # Names are written given name first ("Carolyn S Dewa").
    bibliography.add_authors(facts, facts.article_key, [(name, name.rsplit(" ", 1)[-1]) for name in names])
    facts.derive(article, parts.title, "title")
    facts.derive(article, parts.authors, "authors")
    return article


def _add_document(facts: Facts, article: URIRef, parts: _Parts) -> None:
    """The seed file itself (its digest is added by the build), an excerpt of the article."""
    facts.add_all(iris.document(facts.stem), {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.description: (
            f"Title, authors, structured abstract and the {len(parts.references)}-entry reference list"
        ),
        DCTERMS.isPartOf: article,
    })


# --- abstract and study ----------------------------------------------------------------------------


def _add_abstract(facts: Facts, article: URIRef, body: list[Line]) -> dict[str, _Section]:
    sections = {}
    for position, line in enumerate(body, start=1):
        match = ABSTRACT_SECTION.fullmatch(line.text)
        if not match:
            raise facts.error("an abstract paragraph does not open with 'Heading: '", line)
        section = _Section(line, match["heading"], match["body"])
        bibliography.add_abstract_section(facts, facts.article_key, position, section.heading, section.body, line, _locator(section))
        sections[section.heading] = section
    missing = {"Methods"} - sections.keys()
    if missing:
        raise facts.error(f"the abstract has no {', '.join(sorted(missing))} section")
    return sections


def _locator(section: _Section) -> str:
    return f"abstract, {section.heading}"


def _add_study(facts: Facts, vocab, article: URIRef, sections: dict[str, _Section]) -> None:
    """The study is read from the Background (its setting) and the Methods (how data were gathered)."""
    background, methods = sections.get("Background"), sections["Methods"]
    setting = SETTING.search(background.body) if background else None
    wordings = METHODS.fullmatch(methods.body)
    if not wordings:
        raise facts.error("the Methods do not read 'Data were gathered through … and were analyzed using …'",
                          methods.line)
    study = iris.study(facts.article_key)
    facts.add_all(study, {
        RDF.type: PKG.QualitativeStudy,
        PKG.reportedIn: article,
        PKG.setting: setting["setting"] if setting else None,
        PKG.methodAsWritten: methods.body,
    })
    facts.add(article, PKG.reports, study)
    for predicate, group in ((PKG.dataCollectionMethod, "collection"), (PKG.analysisMethod, "analysis")):
        for wording in LIST_SEPARATOR.split(wordings[group]):
            facts.add(study, predicate, _method(facts, vocab, wording, methods.line))
    if setting:
        facts.derive(study, background.line, _locator(background))
    facts.derive(study, methods.line, _locator(methods))


def _method(facts: Facts, vocab, wording: str, line: Line) -> URIRef:
    try:
        return vocab.concept("methods", wording)
    except LookupError:
        raise facts.error(f"method wording {wording!r} is not in the methods vocabulary", line) from None


# --- peer role activities --------------------------------------------------------------------------


def _add_role_activities(facts: Facts, roles: _Roles, results: _Section) -> None:
    """The Results, sentence by sentence, as a hierarchy: the kinds of work (top concepts, in text order),
    their main types, and the philosophy of work with its enactments. The abstract names no whole that
    holds the kinds of work, so none is made up."""
    facts.add_all(roles.scheme, {RDF.type: SKOS.ConceptScheme, DCTERMS.title: Literal(roles.title, lang="en")})
    tree = _RoleTree(facts, roles, results)
    for sentence in SENTENCE_BREAK.split(results.body):
        if match := WORK_KINDS.fullmatch(sentence):
            tree.add(match["first"], note="work that peers do with clients")
            tree.add(match["second"], note="work that supports peers' work with clients")
        elif match := MAIN_TYPES.fullmatch(sentence):
            parent = tree.find(match["parent"])
            for label in LIST_SEPARATOR.split(match["items"]):
                tree.add(label, parent, note=f"one of the main types of {match['parent']}")
        elif match := FURTHER_WORK.fullmatch(sentence):
            for label in LIST_SEPARATOR.split(match["items"]):
                tree.add(label, note="a further kind of work that peers do")
        elif match := ENACTMENTS.fullmatch(sentence):
            philosophy = tree.add(match["parent"], note="what the tangible enactments below it express")
            # The list opens the sentence, so only its first word is capitalised ("Experience").
            items = match["items"][0].lower() + match["items"][1:]
            for label in LIST_SEPARATOR.split(items):
                tree.add(label, philosophy, note=f"one of the tangible enactments of {match['parent']}")
        else:
            raise facts.error(f"a Results sentence is not understood: {sentence!r}", results.line)


class _RoleTree:
    """Adds role activities to the scheme, numbering each within its parent in text order."""

    def __init__(self, facts: Facts, roles: _Roles, results: _Section):
        self.facts, self.roles, self.scheme, self.results = facts, roles, roles.scheme, results
        self.children: dict[URIRef | None, int] = {}

    def add(self, label: str, broader: URIRef | None = None, *, note: str) -> URIRef:
        """``note`` is what the abstract's sentence says the activity is; the abstract defines none."""
        concept = iris.concept("role-activity", label, self.roles.within)
        if (concept, RDF.type, PKG.RoleActivity) in self.facts.graph:
            raise self.facts.error(f"role activity {label!r} is named twice", self.results.line)
        position = self.children[broader] = self.children.get(broader, 0) + 1
        self.facts.add_all(concept, {
            RDF.type: PKG.RoleActivity,
            SKOS.prefLabel: Literal(label, lang="en"),
            SKOS.inScheme: self.scheme,
            SDO.position: Literal(position, datatype=XSD.integer),
            SKOS.scopeNote: Literal(f"As the Results of {self.roles.article}'s abstract name it: {note}; the abstract "
                                    "lists it without a definition.", lang="en"),
        })
        self.facts.add(concept, RDF.type, SKOS.Concept)
        parts = label.split(COMPOUND_SEPARATOR)
        if len(parts) > 1:
            # "skill building/mentoring/goal setting" is one activity; each part is a way to name it.
            for part in parts:
                self.facts.add(concept, SKOS.altLabel, Literal(part, lang="en"))
        if broader is None:
            self.facts.add(concept, SKOS.topConceptOf, self.scheme)
            self.facts.add(self.scheme, SKOS.hasTopConcept, concept)
        else:
            self.facts.add(concept, SKOS.broader, broader)
        self.facts.derive(concept, self.results.line, _locator(self.results))
        return concept

    def find(self, label: str) -> URIRef:
        concept = iris.concept("role-activity", label, self.roles.within)
        if (concept, RDF.type, PKG.RoleActivity) not in self.facts.graph:
            raise self.facts.error(f"{label!r} is listed before it is named", self.results.line)
        return concept


# --- reference list --------------------------------------------------------------------------------


def _add_references(facts: Facts, article: URIRef, body: list[Line]) -> None:
    keys: dict[str, int] = {}
    for number, line in enumerate(body, start=1):
        match = REFERENCE_ENTRY.fullmatch(line.text)
        if not match:
            raise facts.error("a reference list line does not open with its number ('12. ')", line)
        cited = read_reference(facts, match["entry"], line)
        if cited.key in keys:
            # Two works by the same first author in the same year would need a disambiguated key.
            raise facts.error(f"references {keys[cited.key]} and {number} both give the work key {cited.key!r}", line)
        keys[cited.key] = number
        add_reference(facts, article, number, line, match["entry"], cited)


def add_reference(facts: Facts, article: URIRef, number: int, line: Line, text: str, cited: CitedWork,
                  through: Line | None = None) -> None:
    """Entry ``number`` of ``article``'s reference list, with the work it cites."""
    entry, work = iris.reference(iris.key_of(article), number), iris.work(cited.key)
    facts.add_all(entry, {
        RDF.type: BIRO.BibliographicReference,
        PKG.referenceNumber: Literal(number, datatype=XSD.integer),
        DCTERMS.isPartOf: article,
        DCTERMS.bibliographicCitation: text,
        BIRO.references: work,
    })
    bibliography.add_work(facts, cited.key, cited.values, cited.authors)
    facts.add(article, CITO.cites, work)
    facts.add(work, CITO.isCitedBy, article)
    for subject in (entry, work):
        facts.derive(subject, line, f"reference {number}", through)


def read_reference(facts: Facts, text: str, line: Line) -> CitedWork:
    """The work an NLM/Vancouver reference entry cites, read by the shape of the entry (also used for the
    citations of PubMed XML)."""
    head = ENTRY_AUTHORS.fullmatch(text)
    if not head:
        raise facts.error("a reference entry does not open with its authors", line)
    family, authors = _read_authors(facts, head["authors"], line)
    values = _read_publication(facts, head["rest"], line)
    values[PKG.authorsAsWritten] = head["authors"]
    year = values.get(FABIO.hasPublicationYear)
    key = iris.work_key(family, str(year) if year is not None else None, values[DCTERMS.title])
    return CitedWork(key, authors, values)


def _read_authors(facts: Facts, authors: str, line: Line) -> tuple[str, list[tuple[str, str]]]:
    """The first author's family name and each author's (name, family name).

    An author list without initials names an organisation ("Department of Health and Human Services,
    State of Maine"); it stays in pkg:authorsAsWritten only, because dcterms:creator points at persons.
    """
    names = ET_AL.sub("", authors).split(", ")
    matches = [INVERTED_NAME.fullmatch(name) for name in names]
    if not any(matches):
        return authors, []
    if not all(matches):
        raise facts.error(f"an author list mixes persons and other names: {authors!r}", line)
    return matches[0]["family"], [(m[0], m["family"]) for m in matches]


def _read_publication(facts: Facts, rest: str, line: Line) -> dict:
    """Everything after the authors. Edition, place of publication and editors have no term in the model."""
    if match := BOOK_CHAPTER.fullmatch(rest):
        return {
            RDF.type: FABIO.BookChapter,
            DCTERMS.title: match["title"],
            # The model keeps no separate work for the book; its title stands where a journal would.
            PRISM.publicationName: match["book"],
            DCTERMS.publisher: bibliography.add_organisation(facts, match["publisher"]),
            FABIO.hasPublicationYear: _year(match["year"]),
            PRISM.pageRange: match["pages"],
        }
    if match := JOURNAL_ARTICLE.fullmatch(rest):
        return {
            RDF.type: FABIO.JournalArticle,
            DCTERMS.title: match["title"],
            PRISM.publicationName: match["journal"],
            FABIO.hasPublicationYear: _year(match["year"]),
            PRISM.volume: match["volume"],
            PRISM.issueIdentifier: match["issue"],
            PRISM.pageRange: match["pages"],
            PRISM.doi: _doi(facts, match["note"], line),
        }
    if match := BOOK.fullmatch(rest):
        return {
            RDF.type: FABIO.Book,
            DCTERMS.title: match["title"],
            DCTERMS.publisher: bibliography.add_organisation(facts, match["publisher"]),
            FABIO.hasPublicationYear: _year(match["year"]),
        }
    if match := UNDATED.fullmatch(rest):
        return {RDF.type: FABIO.Expression, DCTERMS.title: match["title"]}
    raise facts.error("a reference entry is neither a journal article, a book, a chapter nor a bare title", line)


def _year(year: str) -> Literal:
    return Literal(year, datatype=XSD.gYear)


def _doi(facts: Facts, note: str | None, line: Line) -> str | None:
    """The DOI from the note after the page range; other notes are further pages, left in the citation."""
    if note is None or PAGES_NOTE.fullmatch(note):
        return None
    if match := DOI_NOTE.fullmatch(note):
        return match["doi"]
    raise facts.error(f"the note {note!r} after the page range is not understood", line)

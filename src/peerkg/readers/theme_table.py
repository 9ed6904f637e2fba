"""Kind ``theme-table``: a review's table of themes and the findings behind them, as in seed 001 (Table 6 of
an umbrella review).

The excerpt opens with the caption (``Table 6 Experiences of peer support``, or ``Table 2. …``), whose number
names the table in the locators (``Table 2, theme 'Stigma'``), the scope notes and the errors; then
``From: <article title>`` and the three column headers. The table nests four kinds of line:

* a category (``What the PSW role can bring``), flush left and followed by a theme;
* a theme, indented with an em space (``\u2003Wellbeing and recovery``);
* a valence line, ``Benefit [23, 34, 61]``, ``Challenge [61]`` or, where the table gives none, ``[60]``;
* a sample-group paragraph, ``PSWs [23, 34]: summary``; a paragraph with no label continues the one
  before it. Mixed samples end with their stakeholder list in parentheses.

Reference lists are recorded as stated, on the valence line and on each paragraph, even where the two
disagree (the source sometimes does): nothing is reconciled here.

The concepts are the review's own: a scheme ``scheme/<review>-themes`` and IRIs minted within the review's
key (``theme/<review>/<label>``, ``iris.theme_keys``), so two reviews' themes of one label are two themes.
The seed's table keeps the names it was published under (``scheme/umbrella-themes``, ``theme/<label>``),
which its parser and its manifest entry give as options.

The review is typed by what its title (the ``From:`` line) says it is (``REVIEW_KINDS``): an umbrella review,
a metasynthesis, or else a review (``pkg:Review``), and the scope notes call it so ("A theme of Table 4 of
the review").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SDO, SKOS, XSD

from .. import iris
from ..iris import BIRO, FABIO, PKG
from ..source import Facts, Line, lines


CAPTION = re.compile(r"^Table\s(?P<number>\d+[A-Z]?)\.?\s+(?P<title>\S.*)$")
FROM = re.compile(r"From: (?P<title>.+)$")
COLUMN_HEADERS = ("Theme", "Benefit/ challenge, references", "Summary and sample")
VALENCE = re.compile(r"^(?:(?P<valence>Benefit|Challenge) )?\[(?P<refs>\d+(?:, \d+)*)\]$")
PARAGRAPH = re.compile(r"^(?P<label>[A-Z][A-Za-z -]*?) \[(?P<refs>\d+(?:, \d+)*)\]: (?P<summary>.+)$")
FOOTNOTE = re.compile(r"^(?P<number>\d+)\. ")
# Footnote markers are glued to the label they annotate: "Mixeda" is "Mixed" with footnote "a".
MARKED_LABEL = "Mixed"
FOOTNOTE_MARKER = re.compile(rf"^(?P<label>{MARKED_LABEL})(?P<marker>[a-z])$")
# "1. PSW Peer support worker": an abbreviation the table uses, and what it stands for.
ABBREVIATION = re.compile(r"^\d+\. (?P<short>[A-Z]{2,}) (?P<long>[A-Z][a-z].+)$")
# "2. aFor ‘mixed’ samples …": the note on the label that carries the marker.
MARKED_NOTE = re.compile(r"^\d+\. (?P<marker>[a-z])(?P<note>[A-Z].+)$")
VALENCES = {"Benefit": PKG.benefit, "Challenge": PKG.challenge}
# What the review's title says it is, first match wins (an umbrella review of metasyntheses is an umbrella
# review), and what the scope notes call it. Anything else (a systematic review, a literature review) is a
# pkg:Review: pkg:LiteratureReview is the review of a table of included studies (the shapes require its
# pkg:reviews), which a theme table does not list.
REVIEW_KINDS = (
    (re.compile(r"\bumbrella review\b", re.I), PKG.UmbrellaReview, "the umbrella review"),
    (re.compile(r"\bmeta-?synthes[ie]s\b", re.I), PKG.QualitativeMetasynthesis, "the metasynthesis"),
)
OTHER_REVIEW = (PKG.Review, "the review")


@dataclass
class Paragraph:
    """One sample-group paragraph and the unlabelled paragraphs that continue it."""

    label: str
    refs: list[int]
    lines: list[Line]
    texts: list[str] = field(default_factory=list)


@dataclass
class Statement:
    """A valence line and the paragraphs under it."""

    valence: str | None
    refs: list[int]
    line: Line
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Theme:
    label: str
    line: Line
    statements: list[Statement] = field(default_factory=list)


@dataclass
class Category:
    label: str
    line: Line
    themes: list[Theme] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """The table being read: its name (``Table 6``), the scheme of its concepts and the key they are minted
    within (``iris.concept``)."""

    name: str
    scheme: URIRef
    within: str
    review: str  # what the scope notes call the review ("the umbrella review")


def parse(text: str, vocab, stem: str, file_name: str, article_key: str, *, scheme: str | None = None,
          scheme_title: str | None = None, within: str | None = None) -> Graph:
    """``scheme``, ``scheme_title`` and ``within`` name the concepts' scheme and keys; by default they are the
    review's own (``iris.theme_keys(article_key)``, titled after the table and the article), so two reviews'
    themes of one label stay apart. The seed's manifest entry gives the names it was published under."""
    facts = Facts(stem, file_name, text, article_key)
    body = lines(text)
    article, name, article_title, review = _article(facts, body[:5])
    categories = _structure(facts, body[5:])
    default_scheme, default_within = iris.theme_keys(article_key)
    table = Table(name, iris.scheme(scheme or default_scheme), default_within if within is None else within, review)
    facts.add_all(table.scheme, {
        RDF.type: SKOS.ConceptScheme,
        DCTERMS.title: Literal(scheme_title or f"Themes of {name} of {article_title}", lang="en"),
        DCTERMS.source: article,
    })
    for position, category in enumerate(categories, start=1):
        _category(facts, vocab, table, category, position)
    _footnotes(facts, vocab, name, [line for line in body[5:] if FOOTNOTE.match(line.text)])
    return facts.graph


def _footnotes(facts: Facts, vocab, table: str, notes: list[Line]) -> None:
    """The table's footnotes say what its sample-group labels mean: kept on those concepts, with their passage."""
    for line in notes:
        locator = f"{table}, footnote {FOOTNOTE.match(line.text)['number']}"
        if match := ABBREVIATION.match(line.text):
            concept = _group(facts, vocab, match["short"], line)
            facts.add(concept, SKOS.altLabel, Literal(match["long"], lang="en"))
        elif match := MARKED_NOTE.match(line.text):
            concept = _group(facts, vocab, MARKED_LABEL, line)
            facts.add(concept, SKOS.scopeNote, Literal(match["note"], lang="en"))
        else:
            raise facts.error("a footnote is neither 'ABBR Expansion' nor a marked note ('aFor …')", line)
        facts.derive(concept, line, locator)


def _group(facts: Facts, vocab, label: str, line: Line) -> URIRef:
    try:
        return vocab.concept("sample-groups", label)
    except KeyError as missing:
        raise facts.error(str(missing.args[0]), line) from None


def _article(facts: Facts, header: list[Line]) -> tuple[URIRef, str, str, str]:
    """The review article from the caption and the line under it; with the table's name (``Table 6``), the
    article's title and what the scope notes call the review."""
    if len(header) < 5:
        raise facts.error("expected the caption 'Table N …', 'From: <article title>' and the three column headers",
                          header[0] if header else None)
    caption, source, *columns = header
    caption_match, source_match = CAPTION.match(caption.text), FROM.match(source.text)
    if not caption_match or not source_match or tuple(line.text for line in columns) != COLUMN_HEADERS:
        raise facts.error("expected the caption 'Table N …', 'From: <article title>' and the three column headers", caption)
    article = iris.work(facts.article_key)
    facts.add_all(article, {RDF.type: FABIO.JournalArticle, DCTERMS.title: source_match["title"]})
    facts.derive(article, source, "caption")
    review = iris.study(facts.article_key)
    kind, called = next(((kind, called) for pattern, kind, called in REVIEW_KINDS if pattern.search(source_match["title"])),
                        OTHER_REVIEW)
    facts.add_all(review, {RDF.type: kind, PKG.reportedIn: article})
    facts.add(article, PKG.reports, review)
    facts.derive(review, source, "caption")
    facts.add_all(iris.document(facts.stem), {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.title: " ".join(caption.text.split()),
        DCTERMS.isPartOf: article,
    })
    return article, f"Table {caption_match['number']}", source_match["title"], called


def _structure(facts: Facts, body: list[Line]) -> list[Category]:
    """Read the lines into categories → themes → valence statements → paragraphs."""
    categories: list[Category] = []
    paragraph: Paragraph | None = None
    for index, line in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else None
        if FOOTNOTE.match(line.text):
            paragraph = None
        elif line.indent.endswith("\u2003"):
            if not categories:
                raise facts.error("a theme before any category", line)
            categories[-1].themes.append(Theme(line.text, line))
            paragraph = None
        elif match := VALENCE.match(line.text):
            theme = _current_theme(facts, categories, line)
            theme.statements.append(Statement(match["valence"], _numbers(match["refs"]), line))
            paragraph = None
        elif match := PARAGRAPH.match(line.text):
            statement = _current_statement(facts, categories, line)
            paragraph = Paragraph(match["label"], _numbers(match["refs"]), [line], [match["summary"]])
            statement.paragraphs.append(paragraph)
        elif _is_category(line, following):
            categories.append(Category(line.text, line))
            paragraph = None
        elif paragraph is not None:
            paragraph.lines.append(line)
            paragraph.texts.append(line.text)
        else:
            raise facts.error("a line that is neither category, theme, valence line nor paragraph", line)
    return categories


def _is_category(line: Line, following: Line | None) -> bool:
    """A flush-left heading right above a theme; a continued paragraph ends in '.' or ')'."""
    return (
        following is not None
        and following.indent.endswith("\u2003")
        and not line.text.endswith((".", ")"))
    )


def _current_theme(facts: Facts, categories: list[Category], line: Line) -> Theme:
    if not categories or not categories[-1].themes:
        raise facts.error("a valence line before any theme", line)
    return categories[-1].themes[-1]


def _current_statement(facts: Facts, categories: list[Category], line: Line) -> Statement:
    theme = _current_theme(facts, categories, line)
    if not theme.statements:
        raise facts.error("a sample-group paragraph before any valence line", line)
    return theme.statements[-1]


def _numbers(refs: str) -> list[int]:
    return [int(number) for number in refs.split(", ")]


def _category(facts: Facts, vocab, table: Table, category: Category, position: int) -> None:
    subject, scheme = iris.concept("theme-category", category.label, table.within), table.scheme
    facts.add(subject, RDF.type, SKOS.Concept)
    facts.add_all(subject, {
        RDF.type: PKG.ThemeCategory,
        SKOS.prefLabel: Literal(category.label, lang="en"),
        SKOS.inScheme: scheme,
        SKOS.topConceptOf: scheme,
        SDO.position: Literal(position, datatype=XSD.integer),
        # The review names its categories and themes without defining them; what it files under each is
        # their content, and the scope note says so.
        SKOS.scopeNote: Literal(f"A category of {table.name} of {table.review}, grouping {len(category.themes)} themes; "
                                "the review names it without a definition.", lang="en"),
    })
    facts.add(scheme, SKOS.hasTopConcept, subject)
    facts.derive(subject, category.line, f"{table.name}, category {position}")
    for theme_position, theme in enumerate(category.themes, start=1):
        _theme(facts, vocab, table, subject, theme, theme_position)


def _theme(facts: Facts, vocab, table: Table, category: URIRef, theme: Theme, position: int) -> None:
    subject, scheme = iris.concept("theme", theme.label, table.within), table.scheme
    facts.add(subject, RDF.type, SKOS.Concept)
    facts.add_all(subject, {
        RDF.type: PKG.Theme,
        SKOS.prefLabel: Literal(theme.label, lang="en"),
        SKOS.inScheme: scheme,
        SKOS.broader: category,
        SDO.position: Literal(position, datatype=XSD.integer),
        SKOS.scopeNote: Literal(f"A theme of {table.name} of {table.review}; the review names it without a definition: "
                                "its content is the findings and valence statements filed under it (pkg:theme).", lang="en"),
    })
    facts.add(category, SKOS.narrower, subject)
    facts.derive(subject, theme.line, f"{table.name}, theme '{theme.label}'")
    for statement_position, statement in enumerate(theme.statements, start=1):
        _statement(facts, vocab, table, subject, theme, statement, statement_position)


def _statement(facts: Facts, vocab, table: Table, theme_iri: URIRef, theme: Theme, statement: Statement, position: int) -> None:
    valence_key = (statement.valence or "none").lower()
    subject = iris.valence_statement(theme.label, valence_key, table.within)
    if (subject, RDF.type, PKG.ValenceStatement) in facts.graph:
        raise facts.error(f"a second '{statement.valence or 'no valence'}' line under theme '{theme.label}'", statement.line)
    facts.add_all(subject, {
        RDF.type: PKG.ValenceStatement,
        RDFS.label: f"{theme.label}: {statement.valence or 'no valence stated'}",
        PKG.theme: theme_iri,
        PKG.valence: VALENCES.get(statement.valence),
        SDO.position: Literal(position, datatype=XSD.integer),
    })
    locator = f"{table.name}, theme '{theme.label}', {statement.valence or 'no valence'} line"
    facts.derive(subject, statement.line, locator)
    _back(facts, table.name, subject, statement.refs, statement.line)
    for paragraph_position, paragraph in enumerate(statement.paragraphs, start=1):
        _finding(facts, vocab, table, subject, theme_iri, theme, statement, valence_key, paragraph, paragraph_position)


def _finding(facts, vocab, table, statement_iri, theme_iri, theme, statement, valence_key, paragraph, position) -> None:
    label = _label(paragraph.label)
    group = _group(facts, vocab, label, paragraph.lines[0])
    subject = iris.finding(theme.label, valence_key, label, table.within)
    if (subject, RDF.type, PKG.Finding) in facts.graph:
        raise facts.error(f"a second '{label}' paragraph under '{theme.label}: {statement.valence}'", paragraph.lines[0])
    summary, stakeholders = _split_stakeholders("\n\n".join(paragraph.texts)) if label == "Mixed" else ("\n\n".join(paragraph.texts), None)
    facts.add_all(subject, {
        RDF.type: PKG.Finding,
        RDFS.label: f"{theme.label}: {statement.valence or 'no valence stated'}, {label}",
        DCTERMS.isPartOf: statement_iri,
        PKG.theme: theme_iri,
        PKG.valence: VALENCES.get(statement.valence),
        PKG.sampleGroup: group,
        DCTERMS.description: summary,
        PKG.stakeholdersAsWritten: stakeholders,
        SDO.position: Literal(position, datatype=XSD.integer),
    })
    for name in _stakeholder_names(stakeholders):
        facts.add(subject, PKG.stakeholder, _group(facts, vocab, name, paragraph.lines[-1]))
    locator = f"{table.name}, theme '{theme.label}', {statement.valence or 'no valence'}, {label} paragraph"
    for part, line in enumerate(paragraph.lines, start=1):
        facts.derive(subject, line, locator if part == 1 else f"{locator} (continued)")
    _back(facts, table.name, subject, paragraph.refs, paragraph.lines[0])


def _label(written: str) -> str:
    """Strip a footnote marker glued to the label: ``"Mixeda"`` → ``"Mixed"``."""
    match = FOOTNOTE_MARKER.match(written)
    return match["label"] if match else written


def _split_stakeholders(text: str) -> tuple[str, str | None]:
    """Split the trailing ``(group, group, …)`` list (which may nest parentheses) off a summary."""
    body = text.rstrip()
    body = body[:-1] if body.endswith(").") else body
    if not body.endswith(")"):
        return text, None
    depth = 0
    for index in range(len(body) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(body[index], 0)
        if depth == 0:
            return body[:index].rstrip(), body[index + 1 : -1]
    return text, None


def _stakeholder_names(stakeholders: str | None) -> list[str]:
    if not stakeholders:
        return []
    return [name.strip() for name in stakeholders.rstrip(".").split(",")]


def _back(facts: Facts, table: str, subject: URIRef, numbers: list[int], line: Line) -> None:
    """Link ``subject`` to the numbered entries of the review's reference list it cites."""
    for number in numbers:
        entry = iris.reference(facts.article_key, number)
        facts.add(subject, PKG.backedBy, entry)
        facts.add_all(entry, {
            RDF.type: BIRO.BibliographicReference,
            PKG.referenceNumber: Literal(number, datatype=XSD.integer),
            DCTERMS.isPartOf: iris.work(facts.article_key),
        })
        facts.derive(entry, line, table)

"""Kind ``study-table``, as an extraction sheet: one row per qualitative study in CSV, TSV or XLSX (the form
reviewers export from their extraction tools), with the columns of a review's study table.

Headers (first row; case, spaces and underscores do not matter; columns in any order):

* ``study`` (required): the authors as the review cites them, ``Gates & Akabas`` or ``Armstrong et al.``;
* ``year`` (required): the year of the work that reports the study;
* ``informants`` (required): the informant groups with their sizes, ``Peer providers (n=12); supervisors (n=4)``
  (groups separated by ``;`` or `` and ``); each group's role must be a label of ``vocab/informant-roles.ttl``;
* ``method`` (required): the data collection, ``Semi-structured interviews and focus groups``; each method must
  be in the methods vocabulary (``vocab/methods.ttl``);
* ``focused theme``, ``conclusion``, ``title``, ``doi``, ``pmid`` (optional).

Each row becomes a study, the work that reports it and its informant groups, derived from the row: in CSV and
TSV its line(s) of the file, in XLSX its row of the first sheet (the passage's text is the row's cells, tab-separated).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from .. import iris
from ..iris import FABIO, PKG, PRISM
from ..parsers import bibliography, informants
from ..source import Facts, Line
from .records import clean, doi_of
from .study_table import _first_family_name, _method_wordings

REQUIRED = ("study", "year", "informants", "method")
OPTIONAL = ("focused theme", "conclusion", "title", "doi", "pmid")
GROUP = re.compile(r"\s*(?P<label>[^;()]+?) \(n ?= ?(?P<n>\d+)\)\s*(?:;|\band\b|$)")
XLSX_MAGIC = b"PK\x03\x04"
DESCRIPTION = "an extraction sheet of qualitative studies"


def is_sheet(data: bytes) -> bool:
    """An XLSX workbook, or delimited text whose first line has the sheet's required headers."""
    if data.startswith(XLSX_MAGIC):
        return True
    head = data[:4096].decode("utf-8", "replace").lstrip("\ufeff").splitlines()[:1]
    if not head:
        return False
    delimiter = "\t" if "\t" in head[0] else ","
    names = {_header(cell) for cell in next(csv.reader(head, delimiter=delimiter))}
    return set(REQUIRED) <= names


def text_of(data: bytes, file_name: str) -> str:
    """The text the passages quote: the file itself for CSV and TSV, the first sheet's rows (cells
    tab-separated, one row a line, so line n is row n) for XLSX."""
    if not data.startswith(XLSX_MAGIC):
        return data.decode("utf-8").lstrip("\ufeff")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as problem:
        from ..errors import SeedError

        raise SeedError(f"not a readable XLSX workbook ({problem}): expected an extraction sheet", file=file_name) from None
    sheet = book.worksheets[0]
    rows = ["\t".join(_cell(value) for value in row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return "\n".join(row.rstrip("\t") for row in rows) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse(text: str, vocab, stem: str, file_name: str, article_key: str | None = None, xlsx: bool = False) -> Graph:
    facts = Facts(stem, file_name, text, article_key)
    rows = _rows(facts, text, "\t" if xlsx or "\t" in text.splitlines()[0] else ",")
    header_line, header = rows[0][0], rows[0][2]
    columns = _columns(facts, header, header_line)
    where = "sheet 1, " if xlsx else ""
    for number, (first, last, cells) in enumerate(rows[1:], start=2):  # rows numbered as spreadsheets do: the header is row 1
        if any(cell.strip() for cell in cells):
            _row(facts, vocab, columns, cells, first, last, f"{where}row {number}")
    studies = len(set(facts.graph.subjects(RDF.type, PKG.QualitativeStudy)))
    if not studies:
        raise facts.error("no rows under the header: expected one row per study", header_line)
    facts.add_all(iris.document(facts.stem), {
        RDF.type: PKG.SourceDocument,
        DCTERMS.identifier: facts.file_name,
        DCTERMS.description: f"{DESCRIPTION}: {studies} stud{'y' if studies == 1 else 'ies'}",
    })
    return facts.graph


def _rows(facts: Facts, text: str, delimiter: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of every row; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, line = [], 0
    try:
        for cells in reader:
            rows.append((line + 1, reader.line_num, cells))
            line = reader.line_num
    except csv.Error as problem:
        raise facts.error(f"not {'TSV' if delimiter == chr(9) else 'CSV'}: {problem}", reader.line_num) from None
    if not rows:
        raise facts.error("an empty sheet: expected a header row and one row per study", 1)
    return rows


def _header(cell: str) -> str:
    return " ".join(cell.replace("_", " ").lower().split())


def _columns(facts: Facts, header: list[str], line: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _header(cell)
        if not name:
            continue
        if name not in REQUIRED + OPTIONAL:
            raise facts.error(f"column {_letter(index)} is headed {cell!r}: expected one of {', '.join(REQUIRED + OPTIONAL)}", line)
        if name in columns:
            raise facts.error(f"columns {_letter(columns[name])} and {_letter(index)} are both headed {name!r}", line)
        columns[name] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise facts.error(f"no {', '.join(repr(m) for m in missing)} column: the header must name {', '.join(REQUIRED)}", line)
    return columns


def _letter(index: int) -> str:
    """The spreadsheet name of a 0-based column: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _row(facts: Facts, vocab, columns: dict[str, int], cells: list[str], first: int, last: int, locator: str) -> None:
    line, through = facts.line(first), facts.line(last)

    def cell(name: str, expected: str | None = None) -> str | None:
        index = columns.get(name)
        value = clean(cells[index]) if index is not None and index < len(cells) else None
        if value is None and expected:
            raise facts.error(f"{locator}, column {_letter(index)} ({name}) is empty: expected {expected}", line)
        return value

    authors = cell("study", "the study's authors, 'Gates & Akabas' or 'Armstrong et al.'")
    year = cell("year", "a year, 2007")
    if not re.fullmatch(r"\d{4}", year):
        raise facts.error(f"{locator}, column {_letter(columns['year'])} (year) reads {year!r}: expected a year, 2007", line)
    method = cell("method", "the data collection methods, 'Semi-structured interviews and focus groups'")
    groups = cell("informants", "the informant groups with their sizes, 'Peer providers (n=12)'")
    found = list(GROUP.finditer(groups))
    if not found or "".join(m[0] for m in found).replace(" ", "") != groups.replace(" ", ""):
        raise facts.error(f"{locator}, column {_letter(columns['informants'])} (informants) reads {groups!r}: expected "
                          "'Group (n=N)' items separated by ';' or 'and'", line)
    key = iris.work_key(_first_family_name(authors), year)
    study, work = iris.study(key), iris.work(key)
    bibliography.add_work(facts, key, {
        RDF.type: FABIO.Expression,
        DCTERMS.title: cell("title"),
        PKG.authorsAsWritten: authors,
        FABIO.hasPublicationYear: Literal(year, datatype=XSD.gYear),
        PRISM.doi: doi_of(cell("doi")),
        FABIO.hasPubMedId: cell("pmid"),
        PKG.reports: study,
    })
    facts.add_all(study, {
        RDF.type: PKG.QualitativeStudy,
        RDFS.label: f"{authors} {year}",
        PKG.reportedIn: work,
        PKG.focusedTheme: cell("focused theme"),
        PKG.methodAsWritten: method,
        PKG.conclusion: cell("conclusion"),
    })
    for wording in _method_wordings(method):
        try:
            facts.add(study, PKG.dataCollectionMethod, vocab.concept("methods", wording))
        except KeyError:
            raise facts.error(f"{locator}, column {_letter(columns['method'])} (method): {wording!r} is not in the methods "
                              "vocabulary (vocab/methods.ttl): expected one of its labels", line) from None
    for subject in (study, work):
        facts.derive(subject, line, locator, through)
    for position, group in enumerate(found, start=1):
        label = group["label"].strip()
        try:
            vocab.concept("informant-roles", label)
        except KeyError:
            raise facts.error(f"{locator}, column {_letter(columns['informants'])} (informants): {label!r} is not in the "
                              "informant roles vocabulary (vocab/informant-roles.ttl): expected one of its labels", line) from None
        informants.add_group(facts, vocab, key, label, position, line, locator, size=int(group["n"]))

"""A curator's submission: RDF bytes in a known format, parsed into quads, with the lines its terms are on.

pyoxigraph reports where a syntax error is, but not where a parsed triple came from; ``Submission.line``
finds the line a validation result is about by looking for its terms in the text (expanded with the
file's own prefixes), so that a report can say "line 12" rather than only an IRI. A submission generated
from other documents (an import) carries ``sources``, where each resource was read, and ``Submission.place``
names that file and line instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox

from .. import iris
from ..errors import SubmissionSyntaxError, UnsupportedMediaType, UserInputError
from ..formats import BY_SUFFIX, RDF, RdfFormat, to_rdflib

BY_MEDIA_TYPE = {fmt.media_type: fmt for fmt in RDF.values()} | {
    "application/x-turtle": RDF["turtle"],
    "text/n3": RDF["turtle"],  # the Turtle subset of N3, as most clients mean it
    "application/json": RDF["jsonld"],
    "application/xml": RDF["rdfxml"],
    "text/xml": RDF["rdfxml"],
    "text/plain": RDF["ntriples"],  # RDF 1.0's media type for N-Triples
}

_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)
_IRI_REF = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_PREFIXED = re.compile(r"(?<![\w:/#.-])([A-Za-z][\w.-]*)?:((?:[\w%-]|\.(?=[\w%-]))*)")
_BASE = re.compile(r"\s*(?:@base|BASE)\s*<([^>]*)>", re.I)


@dataclass(frozen=True)
class Submission:
    name: str  # the file name, or "request body"
    text: str
    format: RdfFormat
    quads: tuple[ox.Quad, ...]
    prefixes: dict[str, str] = field(default_factory=dict)
    # IRI → (file, line) in the documents the triples were read from (``passages.locate``), for a generated one
    sources: dict[str, tuple[str, int | None]] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def triples(self) -> list[ox.Triple]:
        """Every triple, named graphs merged (a TriG or N-Quads file is validated as one graph)."""
        return list(dict.fromkeys(quad.triple for quad in self.quads))

    def rdflib_triples(self):
        return ((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in self.triples)

    @cached_property
    def _lines(self) -> list[set[str]]:
        """Per line, the IRIs written on it (full, relative or prefixed); strings are left out."""
        out = []
        base = iris.base()
        for text in self._plain_lines:
            declared = _BASE.match(text)
            if declared:
                base = urljoin(base, declared[1])
            terms = {urljoin(base, m[1]) for m in _IRI_REF.finditer(text)}
            if self.format.name in ("jsonld", "rdfxml"):
                terms |= {m for m in re.findall(r"https?://[^\s\"'<>]+", text)}
            else:
                for prefix, local in _PREFIXED.findall(text):
                    namespace = self.prefixes.get(prefix)
                    if namespace is not None:
                        terms.add(namespace + local)
                if re.search(r"(?:^|\s)a(?:\s|$)", text):
                    terms.add(str(iris.RDF.type))
            out.append(terms)
        return out

    @cached_property
    def _plain_lines(self) -> list[str]:
        """The text with string literals blanked (their newlines kept), split into lines."""
        if self.format.name in ("jsonld", "rdfxml"):
            return self.text.splitlines()
        blanked = _STRING.sub(lambda m: '""' + "\n" * m[0].count("\n"), self.text)
        return blanked.splitlines()

    def place(self, focus: str | None, path: str | None = None, value: str | None = None) -> tuple[str | None, int | None]:
        """The file and line a result is about: this submission's ``line``, or for a generated submission the
        document and line its focus was read from (no file when nothing says)."""
        if self.sources is None:
            return self.name, self.line(focus, path, value)
        return self.sources.get(focus, (None, None)) if focus is not None else (None, None)

    def line(self, focus: str | None, path: str | None = None, value: str | None = None) -> int | None:
        """The 1-based line a result is about: where ``focus`` is described, at ``path`` (and ``value``) if given."""
        if focus is None:
            return None
        lines = self._lines
        mentions = [n for n, terms in enumerate(lines) if focus in terms]
        if not mentions:
            return None
        # The subject of a statement starts its line; prefer that to a mention as an object.
        starts = [n for n in mentions if self._starts_with(n, focus)]
        first = (starts or mentions)[0]
        if path:
            following = [n for n in range(first, len(lines)) if path in lines[n] and (n == first or not self._starts_new_subject(n))]
            with_value = [n for n in following if value in lines[n]] if value else []
            if with_value or following:
                return (with_value or following)[0] + 1
        return first + 1

    def _starts_with(self, n: int, term: str) -> bool:
        tokens = self._plain_lines[n].split()[:1]
        return bool(tokens) and term in self._terms_of(tokens[0], n)

    def _starts_new_subject(self, n: int) -> bool:
        text = self._plain_lines[n]
        return bool(text) and not text[0].isspace() and not text.startswith(("@", "PREFIX", "prefix", "#", "]", ")"))

    def _terms_of(self, token: str, n: int) -> set[str]:
        """The IRI a token of line ``n`` writes (relative IRIs resolved as the index did for that line)."""
        iri = _IRI_REF.match(token)
        if iri:
            return {term for term in self._lines[n] if term.endswith(iri[1])}
        prefixed = _PREFIXED.match(token)
        if prefixed and self.prefixes.get(prefixed[1] or "") is not None:
            return {self.prefixes[prefixed[1] or ""] + prefixed[2]}
        return set()


def format_for(*, media_type: str | None = None, file_name: str | None = None) -> RdfFormat:
    """The RDF format of a submission, from its Content-Type or else its file suffix."""
    if media_type:
        essence = media_type.split(";", 1)[0].strip().lower()
        if essence in BY_MEDIA_TYPE:
            return BY_MEDIA_TYPE[essence]
        if not file_name or essence not in ("application/octet-stream", "multipart/form-data"):
            accepted = ", ".join(sorted({fmt.media_type for fmt in RDF.values()}))
            raise UnsupportedMediaType(f"cannot read {essence} as RDF: send one of {accepted}")
    if file_name:
        fmt = BY_SUFFIX.get(Path(file_name).suffix.lstrip(".").lower())
        if fmt:
            return fmt
        raise UnsupportedMediaType(f"{file_name}: unknown RDF suffix (use one of .{', .'.join(sorted(BY_SUFFIX))})")
    raise UnsupportedMediaType("say what the RDF is written in: a Content-Type header or a file suffix")


def parse(data: bytes, fmt: RdfFormat, name: str) -> Submission:
    """Parse the whole submission; the first syntax error raises ``SubmissionSyntaxError`` with its place."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise UserInputError(f"{name}, line {line}: not UTF-8 text", details={"file": name, "line": line}) from None
    parser = ox.parse(data, format=fmt.oxigraph, base_iri=iris.base())
    try:
        quads = tuple(parser)
    except SyntaxError as problem:
        raise SubmissionSyntaxError(name, problem) from None
    prefixes = dict(getattr(parser, "prefixes", None) or {})
    return Submission(name, text, fmt, quads, prefixes)


def read(path: Path) -> Submission:
    return parse(path.read_bytes(), format_for(file_name=path.name), str(path))

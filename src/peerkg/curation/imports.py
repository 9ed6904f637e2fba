"""Imports: documents of a known kind (a paper's text, a review's table, a reference manager's export) read
into triples with provenance, matched to the works already in the graph, validated in context and committed
as one curated graph, all or nothing.

Every fact keeps where it was read: the document (its file name and SHA-256) and, per resource, a
``pkg:SourcePassage`` with the line (row, record), a locator and the exact text, all computed from the
file. A seed file is known by its SHA-256 and keeps its stem, so importing it gives the build's graph.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal

from .. import backends, formats, iris, linking, readers, seeds, vocabulary
from ..config import Settings
from ..errors import UnsupportedMediaType, UserInputError, ValidationFailed
from ..iris import PKG
from . import check, commit as commits, passages, report as reports, rules, submission as submissions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """One file as read: its name, kind, stem (``<base>id/document/<stem>``), SHA-256 and triple count."""

    name: str
    kind: str
    stem: str
    sha256: str
    triples: int


@dataclass
class Outcome:
    graph: str
    documents: list[Document]
    decisions: list[str]  # how works were matched to the graph's
    triples: int
    data: bytes | None = None  # a dry run's triples, in the format asked for
    commit: str | None = None  # the commit's IRI
    version: str | None = None  # the version the commit published
    created: bool = False
    unchanged: bool = False  # the graph held exactly these triples: nothing was committed
    report: dict | None = field(default=None, repr=False)


def default_graph_name(file_name: str) -> str:
    """``smith-2024-refs.ris`` → ``smith-2024-refs``."""
    return iris.slug(Path(file_name).name.rsplit(".", 1)[0]) or "import"


def graph_for(files: list[tuple[str, bytes]], graph_name: str | None) -> iris.URIRef:
    """The curated graph ``files`` go into: ``graph_name``, or for one file its name; several need a name."""
    if not files:
        raise UserInputError("nothing to import: give at least one file")
    if graph_name is None and len(files) > 1:
        raise UserInputError("several files go into one graph: name it with --graph NAME (on the web: the graph field, or ?graph=)")
    return iris.curated_graph(graph_name or default_graph_name(files[0][0]))


def read(settings: Settings, files: list[tuple[str, bytes]], kind: str | None, vocab=None) -> tuple[Graph, list[Document]]:
    """Every file read by the reader of its kind (``kind``, or the kind detected from its content)."""
    if kind is not None and kind not in readers.KINDS:
        raise UnsupportedMediaType(f"unknown kind {kind!r}: use one of {', '.join(readers.KINDS)}")
    vocab = vocab or vocabulary.load(settings.vocab_dir)
    known = seeds.by_digest(settings.seeds_dir)
    graph, documents = Graph(), []
    for name, data in files:
        digest = hashlib.sha256(data).hexdigest()
        reader = readers.KINDS[kind] if kind else readers.detect(data, name)
        seed = known.get(digest)
        stem, shown = (seed.stem, seed.file) if seed else (iris.import_document(Path(name).name, digest), Path(name).name)
        log.info("reading %s (%s bytes) as %s%s", name, f"{len(data):,}", reader.name, f", seed {seed.stem}" if seed else "")
        # a seed's reader is told what the seed's parser tells it (its manifest entry), only when read as its kind
        options = seed.reader if seed and seed.parser.KIND == reader.name else {}
        part = reader.parse(data, vocab, stem, shown, seed.article_key if seed else stem, **options)
        part.add((iris.document(stem), PKG.sha256, Literal(digest)))
        log.info("  %d triples", len(part))
        documents.append(Document(name, reader.name, stem, digest, len(part)))
        graph += part
    return graph, documents


def run(settings: Settings, files: list[tuple[str, bytes]], *, kind: str | None = None, graph_name: str | None = None,
        dry_run: bool = False, fmt: str = "turtle", agent: str = "curator", backend=None,
        announce: Callable[[str], None] | None = None) -> Outcome:
    """Read, match, validate in context and (unless ``dry_run``) commit ``files`` as one curated graph
    (``announce``: as for ``commit.commit``)."""
    target = graph_for(files, graph_name)
    backend = backend or backends.open(settings)
    context = backend if backend.version() is not None else None
    vocab = vocabulary.load(settings.vocab_dir)
    graph, documents, decisions = Graph(), [], []
    for file in files:  # each document's works matched on their own: a match's evidence is in the document it names
        part, read_as = read(settings, [file], kind, vocab)
        if context is not None:
            log.info("matching the works of %s against the graph", file[0])
            decisions += linking.match(part, context, read_as[0].stem, skip=ox.NamedNode(str(target)))
        graph += part
        documents += read_as
    name = ", ".join(d.name for d in documents)
    submitted = replace(submissions.parse(graph.serialize(format="nt", encoding="utf-8"), formats.RDF["ntriples"], name),
                        sources=passages.locate(graph))  # a report names the documents' lines, not the N-Triples'
    outcome = Outcome(str(target), documents, decisions, len(submitted.triples))
    if dry_run:
        log.info("validating %s triples in context (dry run: nothing is written)", f"{len(submitted.triples):,}",
                 extra={"counts": {"triples": len(submitted.triples)}})
        shapes_graph, ontology = rules.load(settings)
        result = check.check(submitted, context, shapes_graph, ontology, replacing=ox.NamedNode(str(target)))
        outcome.report = reports.summarize(result, submitted)
        if not result.conforms:
            raise ValidationFailed(f"{name} does not conform to the shapes; nothing was written", result).with_details(
                report=outcome.report)
        outcome.data = _serialise(submitted.triples, target, fmt)
        return outcome
    if context is not None and {q.triple for q in backends.quads(context, ox.NamedNode(str(target)))} == set(submitted.triples):
        outcome.unchanged = True
        log.info("%s holds exactly these %d triples already: nothing to commit", target, outcome.triples)
        return outcome
    log.info("validating and committing %s triples into %s", f"{outcome.triples:,}", target,
             extra={"counts": {"triples": outcome.triples}})
    try:
        done = commits.commit(settings, commits.Operation.PUT, target, submitted, agent, backend=backend, announce=announce)
    except ValidationFailed as failure:
        raise failure.with_details(report=reports.summarize(failure.report, submitted)) from None
    outcome.commit, outcome.created, outcome.version = done.iri, done.created, done.version
    return outcome


def import_documents(backend, settings: Settings, files: list[tuple[str, bytes]], kind: str | None, graph_name: str | None,
                     dry_run: bool, fmt: str, agent: str, announce: Callable[[str], None] | None = None) -> Outcome:
    """``run`` as the web app calls it, in a confined worker process (the files are untrusted, and the web
    worker never opens a store); a refused import's error carries the report's summary, which pickles."""
    try:
        return run(settings, files, kind=kind, graph_name=graph_name, dry_run=dry_run, fmt=fmt, agent=agent, backend=backend,
                   announce=announce)
    except ValidationFailed as failure:
        failure.report = None
        raise


def _serialise(triples: list[ox.Triple], graph: iris.URIRef, fmt: str) -> bytes:
    rdf = formats.RDF[fmt]
    triples = sorted(triples, key=str)  # grouped by subject, the same bytes for the same file
    if rdf.datasets:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(graph))) for t in triples]
        return ox.serialize(quads, format=rdf.oxigraph, **({"prefixes": iris.PREFIXES} if fmt == "trig" else {}))
    kwargs = {"prefixes": iris.PREFIXES} if fmt in ("turtle", "rdfxml") else {}
    return ox.serialize(triples, format=rdf.oxigraph, **kwargs)


def summary(outcome: Outcome) -> dict:
    """The outcome as plain data: what ``POST /import`` answers in JSON."""
    return {
        "graph": outcome.graph,
        "result": "dry run" if outcome.data is not None else "unchanged" if outcome.unchanged else
                  "created" if outcome.created else "replaced",
        "commit": "unchanged" if outcome.unchanged else outcome.commit,
        "triples": outcome.triples,
        "documents": [{"file": d.name, "kind": d.kind, "triples": d.triples, "sha256": d.sha256} for d in outcome.documents],
        "matches": outcome.decisions,
    }


def text(outcome: Outcome) -> str:
    """The report a curator reads."""
    out = [f"{d.name}: {d.kind}, {d.triples} triples, document {iris.document(d.stem)} (SHA-256 {d.sha256})" for d in outcome.documents]
    out += [f"  matched {decision}" for decision in outcome.decisions]
    if outcome.unchanged:
        out.append(f"unchanged: {outcome.graph} holds these {outcome.triples} triples already; nothing was committed")
    elif outcome.commit:
        out.append(f"{'created' if outcome.created else 'replaced'} {outcome.graph}: {outcome.triples} triples (commit {outcome.commit})")
    else:
        out.append(f"dry run: {outcome.triples} triples for {outcome.graph} conform; nothing was written")
    return "\n".join(out) + "\n"

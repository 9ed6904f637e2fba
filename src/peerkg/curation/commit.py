"""Commits: a curated graph written, added to or removed, as a new version the backend publishes atomically.

Under the backend's writer lock a commit checks the submission against the published version, then hands
the change and its log entry to the backend, which publishes them all or nothing (``Backend.change``: the
embedded store writes a copy of the version and swaps a link; an engine runs one update request). A crash
at any point leaves the published version as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from .. import backends, formats, iris, shapes
from ..backends import embedded
from ..config import Settings
from ..errors import Conflict, NotFound, PeerkgError, UserInputError, ValidationFailed
from ..iris import PKG, SPDX, VOID
from . import check, report as reports, rules, submission as submissions
from .submission import Submission

log = logging.getLogger(__name__)

# Test hook (the crash tests): the committing process kills itself at the named step.
CRASH_AT = embedded.CRASH_AT
crash_point = embedded.crash_point


class Operation(str, Enum):
    """The Graph Store Protocol's writes."""

    PUT = "PUT"  # replace the graph's triples
    POST = "POST"  # add to the graph's triples
    DELETE = "DELETE"  # remove the graph


@dataclass(frozen=True)
class Commit:
    iri: str
    version: str
    operation: Operation
    graph: str
    created: bool  # the graph did not exist before
    triples: int  # in the graph after the commit
    report: shapes.Report | None


def commit(settings: Settings, operation: Operation, graph: URIRef, submission: Submission | None, agent: str,
           exclusive: bool = False, backend=None, announce: Callable[[str], None] | None = None) -> Commit:
    """Validate ``submission`` in context and apply ``operation`` to curated ``graph``, all or nothing;
    ``exclusive``: only if the graph does not exist yet (a graph the server names, 409 otherwise);
    ``announce`` is told the new version's name just before it is published (``jobs.Announce``)."""
    started = dt.datetime.now(dt.timezone.utc)
    target_graph = ox.NamedNode(str(graph))
    current = backend or backends.open(settings)
    with current.writer():
        if current.version() is None:
            raise PeerkgError(f"{current.name} holds no graph yet: run 'peerkg build' first", status=503)
        existed = target_graph in current.named_graphs()
        if exclusive and existed:
            raise Conflict(f"the graph {graph} exists already: POST to /store?graph={graph} to add to it, or send another Slug")
        report = None
        shapes_graph, ontology = rules.load(settings)
        if operation is Operation.DELETE:
            if not existed:
                raise NotFound(f"there is no graph {graph} to delete")
            _refuse_if_depended_on(current, target_graph)
        elif not submission.triples:
            raise UserInputError(f"{submission.name} holds no triples: send the graph's triples, or DELETE the graph to remove it")
        else:
            report = check.check(submission, current, shapes_graph, ontology,
                                 replacing=target_graph if operation is Operation.PUT else None)
            if not report.conforms:
                raise ValidationFailed(f"{submission.name} does not conform to the shapes; nothing was written", report)
        quads = [ox.Quad(t.subject, t.predicate, t.object, target_graph) for t in submission.triples] if submission else []
        after = _size_after(current, operation, target_graph, quads)
        version = current.new_version()
        entry = _log_entry(version, operation, graph, submission, agent, started, after)
        shapes.validate(entry, shapes_graph, ontology)  # the log passes the gate like every other triple
        log_graph = ox.NamedNode(str(iris.curation_log()))
        changes = [*quads, *(ox.Quad(t.subject, t.predicate, t.object, log_graph) for t in _oxigraph_triples(entry))]
        if announce is not None:
            announce(version)
        current.change(version, target_graph if operation is not Operation.POST else None, changes,
                       removed_graph=target_graph if operation is Operation.DELETE else None)
        crash_point("published")
    log.info("%s %s by %s: %d triples (version %s)", operation.value, graph, agent, after, version)
    return Commit(str(iris.commit(version)), version, operation, str(graph), not existed, after, report)


def commit_document(backend, settings: Settings, operation: Operation, graph: str, data: bytes | None,
                    format_name: str | None, name: str, agent: str, exclusive: bool = False,
                    announce: Callable[[str], None] | None = None) -> Commit:
    """``commit`` of a document still to be parsed: what the web app runs in a confined worker process
    (the input is untrusted, and the web worker never opens a store). A refused submission's error carries
    the report's summary, which pickles."""
    submitted = submissions.parse(data, formats.RDF[format_name], name) if data is not None else None
    if submitted is not None:
        log.info("validating and committing %s triples into %s", f"{len(submitted.triples):,}", graph,
                 extra={"counts": {"triples": len(submitted.triples)}})
    try:
        done = commit(settings, operation, URIRef(graph), submitted, agent, exclusive, backend=backend, announce=announce)
    except ValidationFailed as failure:
        raise failure.with_details(report=reports.summarize(failure.report, submitted)) from None
    return replace(done, report=None)


def _size_after(current, operation: Operation, graph: ox.NamedNode, quads: list[ox.Quad]) -> int:
    kept = {q.triple for q in backends.quads(current, graph)} if operation is Operation.POST else set()
    return len(kept | {q.triple for q in quads})


def _refuse_if_depended_on(current, graph: ox.NamedNode) -> None:
    """Removing a graph must not leave another graph pointing at resources only it described."""
    described_only_here = set()
    for quad in current.quads_for_pattern(None, None, None, graph):
        subject = quad.subject
        if subject in described_only_here or not isinstance(subject, ox.NamedNode):
            continue
        if all(other.graph_name == graph for other in current.quads_for_pattern(subject, None, None, None)):
            described_only_here.add(subject)
    for subject in described_only_here:
        for quad in current.quads_for_pattern(None, None, subject, None):
            if quad.graph_name != graph:
                raise Conflict(
                    f"{quad.graph_name.value} points at {subject.value} (through {quad.predicate.value}), which only "
                    f"{graph.value} describes: remove or change that first", details={"graph": quad.graph_name.value})


def _log_entry(version: str, operation: Operation, graph: URIRef, submission: Submission | None, agent: str,
               started: dt.datetime, triples_after: int) -> Graph:
    """The commit in PROV-O: who, when, from which file (SHA-256, triple count), into which graph."""
    activity = iris.commit(version)
    curator = iris.curator(agent)
    entry = Graph()
    entry.add((activity, RDF.type, PKG.Commit))
    entry.add((activity, RDFS.label, Literal(f"{operation.value} {graph}")))
    entry.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    entry.add((activity, PROV.endedAtTime, Literal(dt.datetime.now(dt.timezone.utc).isoformat(), datatype=XSD.dateTime)))
    entry.add((activity, PROV.wasAssociatedWith, curator))
    entry.add((curator, RDF.type, PROV.Agent))
    entry.add((curator, FOAF.name, Literal(agent)))
    if operation is Operation.DELETE:
        entry.add((activity, PROV.invalidated, graph))
        return entry
    revision, source = URIRef(f"{activity}/revision"), URIRef(f"{activity}/source")
    checksum = URIRef(f"{source}/sha256")
    entry.add((activity, PROV.generated, revision))
    entry.add((revision, RDF.type, PROV.Entity))
    entry.add((revision, PROV.specializationOf, graph))
    entry.add((revision, VOID.triples, Literal(triples_after)))
    entry.add((revision, PROV.wasDerivedFrom, source))
    entry.add((source, RDF.type, PROV.Entity))
    entry.add((source, DCTERMS.identifier, Literal(submission.name)))
    entry.add((source, DCTERMS["format"], Literal(submission.format.media_type)))
    entry.add((source, VOID.triples, Literal(len(submission.triples))))
    entry.add((source, SPDX.checksum, checksum))
    entry.add((checksum, RDF.type, SPDX.Checksum))
    entry.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    entry.add((checksum, SPDX.checksumValue, Literal(submission.sha256, datatype=XSD.hexBinary)))
    return entry


def _oxigraph_triples(graph: Graph) -> list[ox.Triple]:
    return [quad.triple for quad in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]

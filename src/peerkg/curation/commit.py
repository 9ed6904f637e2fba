"""Commits: a curated graph written, added to or removed, as a new store version published atomically.

A commit never writes a store anyone reads. Under the writer lock it checks the submission against the
published version; a writer process copies that version (a RocksDB checkpoint), applies the change and
its log entry to the copy in one transaction and closes it; only then is the ``current`` link swapped. A crash at any point
leaves the published version as it was; the unpublished copy is removed by the next writer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from .. import formats, iris, shapes, store
from ..config import Settings
from ..errors import Conflict, NotFound, UserInputError, ValidationFailed
from ..iris import PKG, SPDX, VOID
from . import check, report as reports, rules, submission as submissions
from .submission import Submission

log = logging.getLogger(__name__)

# Test hook: the crash tests set this to a step name; the committing process then kills itself there.
CRASH_AT = "PEERKG_CRASH_AT"


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
           exclusive: bool = False) -> Commit:
    """Validate ``submission`` in context and apply ``operation`` to curated ``graph``, all or nothing;
    ``exclusive``: only if the graph does not exist yet (a graph the server names, 409 otherwise)."""
    started = dt.datetime.now(dt.timezone.utc)
    target_graph = ox.NamedNode(str(graph))
    with store.writer(settings.data_dir):
        current = store.open_current(settings.data_dir)
        existed = current.contains_named_graph(target_graph)
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
        version = store.new_version(settings.data_dir)
        entry = _log_entry(version.name, operation, graph, submission, agent, started, after)
        shapes.validate(entry, shapes_graph, ontology)  # the log passes the gate like every other triple
        log_graph = ox.NamedNode(str(iris.curation_log()))
        changes = [*quads, *(ox.Quad(t.subject, t.predicate, t.object, log_graph) for t in _oxigraph_triples(entry))]
        fingerprint = store.fingerprint_of_current(settings.data_dir) or ""
        _write(current, version, target_graph if operation is not Operation.POST else None, changes)
        store.make_current(settings.data_dir, version, fingerprint)
        _crash_point("published")
    log.info("%s %s by %s: %d triples (store version %s)", operation.value, graph, agent, after, version.name)
    return Commit(str(iris.commit(version.name)), version.name, operation, str(graph), not existed, after, report)


def commit_document(settings: Settings, operation: Operation, graph: str, data: bytes | None, format_name: str | None,
                    name: str, agent: str, exclusive: bool = False) -> Commit:
    """``commit`` of a document still to be parsed: what the web app runs in a confined worker process
    (the input is untrusted, and the web worker never opens a store). A refused submission's error carries
    the report's summary, which pickles."""
    submitted = submissions.parse(data, formats.RDF[format_name], name) if data is not None else None
    try:
        done = commit(settings, operation, URIRef(graph), submitted, agent, exclusive)
    except ValidationFailed as failure:
        raise failure.with_details(report=reports.summarize(failure.report, submitted)) from None
    return replace(done, report=None)


def _size_after(current: store.EmbeddedStore, operation: Operation, graph: ox.NamedNode, quads: list[ox.Quad]) -> int:
    kept = {q.triple for q in current.quads(graph)} if operation is Operation.POST else set()
    return len(kept | {q.triple for q in quads})


def _write(current: store.EmbeddedStore, version: Path, cleared: ox.NamedNode | None, changes: list[ox.Quad]) -> None:
    """Copy the published version, clear a replaced graph, add the changes in one transaction, and close
    the store before anyone can open it; on any failure the copy is removed. This runs in the committing
    process: the CLI's, or a confined worker process of the server's, never a forked web worker (RocksDB's
    background threads do not survive a fork: a flush there could wait forever)."""
    try:
        current.backup(version)
        _crash_point("copied")
        written = ox.Store(str(version))
        if cleared is not None and written.contains_named_graph(cleared):
            written.remove_graph(cleared)
        _crash_point("applied")
        written.extend(changes)
        _crash_point("extended")
        written.flush()
        del written
        _crash_point("closed")
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise


def _refuse_if_depended_on(current: store.EmbeddedStore, graph: ox.NamedNode) -> None:
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


def _crash_point(step: str) -> None:
    """Kill the committing process and its writer at once, as a power cut would (the test's process group)."""
    if os.environ.get(CRASH_AT) == step:
        os.killpg(os.getpgid(0), signal.SIGKILL)

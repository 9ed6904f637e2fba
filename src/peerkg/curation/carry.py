"""Curated graphs outlive rebuilds: a build carries them (and the curation log) into the new version,
after checking them against the new seed graphs."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from .. import backends, iris
from ..errors import ValidationFailed
from ..formats import RDF
from . import check, report
from .submission import Submission


def carried_over(backend) -> list[ox.Quad]:
    """The curated graphs and the curation log of the published version (none before the first build)."""
    if backend.version() is None:
        return []
    keep = [g for g in backend.named_graphs() if iris.is_curated_graph(g.value) or g.value == str(iris.curation_log())]
    return [quad for graph in keep for quad in backends.quads(backend, graph)]


def check_against(curated: list[ox.Quad], new: list[ox.Quad], shapes_graph: Graph, ontology: Graph) -> None:
    """Check each curated graph in the context of the new build; report every graph it makes invalid.

    The new graph and the curated graphs are validated first as one: when that conforms (the usual case),
    each curated graph does, in one pass over the data instead of one per graph. Otherwise each graph is
    checked in context, as a commit would check it, to say which graphs the new seeds break and where."""
    together = check.whole(new, curated, shapes_graph, ontology)
    if together.conforms:
        return
    context = ox.Store()
    context.bulk_extend([*new, *curated])
    by_graph: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in curated:
        by_graph.setdefault(quad.graph_name, []).append(quad)
    failures = []
    for graph in sorted((g for g in by_graph if iris.is_curated_graph(g.value)), key=str):
        quads = tuple(by_graph[graph])
        submission = Submission(graph.value, "", RDF["nquads"], quads)
        result = check.check(submission, context, shapes_graph, ontology, replacing=graph)
        if not result.conforms:
            failures.append(report.text(report.summarize(result, submission)))
    if not failures:  # no graph alone: together they break a node none of them mentions
        failures.append("the seed and curated graphs as one: " + together.text())
    raise ValidationFailed(
        "the new seed graphs make curated triples invalid; nothing was published. Fix the seeds, or revert or "
        "correct these curated graphs (peerkg revert GRAPH, peerkg ingest FILE --graph GRAPH):\n" + "\n".join(failures))

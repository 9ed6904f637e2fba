"""Cross-document identity: works that more than one seed document cites, with the evidence of the match.

Parsers mint a cited work's IRI from its first author's family name and year (``mowbray-1996``), so the
same work read in two documents is one resource. This module checks each such match against what both
documents say of the authors and records the evidence (``pkg:WorkMatch``); a contradiction is an error,
never a silent merge.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from . import iris
from .errors import SeedError
from .iris import PKG

ET_AL = re.compile(r"^(?P<first>.+?) et al\.$")
PAIR = re.compile(r"^(?P<first>.+?) & (?P<second>.+)$")


def link(graphs: dict[str, Graph]) -> Graph:
    """The ``links`` graph for the seed graphs ``{stem: graph}``."""
    seen: dict[URIRef, list[str]] = {}
    for stem, graph in graphs.items():
        for work in set(graph.subjects(PKG.authorsAsWritten, None)):
            if iris.is_work(work):
                seen.setdefault(work, []).append(stem)
    links = Graph()
    for work, stems in sorted(seen.items()):
        if len(stems) > 1:
            _record(links, work, {stem: graphs[stem] for stem in stems})
    return links


def _record(links: Graph, work: URIRef, graphs: dict[str, Graph]) -> None:
    authors = {stem: str(graph.value(work, PKG.authorsAsWritten)) for stem, graph in graphs.items()}
    lists = {stem: _names(text) for stem, text in authors.items()}
    evidence = [f"{stem}: '{text}'" for stem, text in authors.items()]
    shortest = min(lists.values(), key=len)
    for stem, names in lists.items():
        if not _compatible(shortest, names):
            raise SeedError(
                f"work {work} is cited in {', '.join(graphs)} with incompatible authors ({'; '.join(evidence)}); "
                "give one of them a distinct key",
                file=stem,
            )
    year = next(graph.value(work, iris.FABIO.hasPublicationYear) for graph in graphs.values())
    family = shortest[0][0]
    match = iris.work_match(work)
    links.add((match, RDF.type, PKG.WorkMatch))
    links.add((match, PKG.matchedWork, work))
    links.add((match, PKG.matchKey, Literal(f"{family} {year}")))
    links.add((match, RDFS.comment, Literal(
        f"Same first author ({family}) and year ({year}) in {len(graphs)} documents, author lists consistent: "
        + "; ".join(evidence)
    )))
    for graph in graphs.values():
        for passage in graph.objects(work, PROV.wasDerivedFrom):
            links.add((match, PROV.wasDerivedFrom, passage))


def _names(text: str) -> list[tuple[str, bool]]:
    """Family names as (name, more-follow) pairs: 'Moll et al.' → [('Moll', True)]."""
    if match := ET_AL.match(text):
        return [(match["first"], True)]
    if match := PAIR.match(text):
        return [(match["first"], False), (match["second"], False)]
    return [(re.sub(r" [A-Z]{1,3}$", "", name), False) for name in text.split(", ")]


def _compatible(short: list[tuple[str, bool]], full: list[tuple[str, bool]]) -> bool:
    """'X et al.' needs X first and at least three authors; 'X & Y' needs exactly X and Y."""
    if short == full:
        return True
    if len(short) == 1 and short[0][1]:
        return full[0][0] == short[0][0] and len(full) >= 3
    return [name for name, _ in short] == [name for name, _ in full]

"""Cross-document identity: works that more than one seed document cites, with the evidence of the match.

Parsers mint a cited work's IRI from its first author's family name and year (``mowbray-1996``), so the
same work read in two documents is one resource. This module checks each such match against what both
documents say of the authors and records the evidence (``pkg:WorkMatch``); a contradiction is an error,
never a silent merge.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rapidfuzz import fuzz, utils
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

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


# --- Imports: the works of one new document, matched to those already in the graph ---------------------

SINGLE_VALUED = (DCTERMS.title, iris.FABIO.hasPublicationYear, iris.PRISM.publicationDate, iris.PRISM.publicationName,
                 DCTERMS.publisher, iris.PRISM.volume, iris.PRISM.issueIdentifier, iris.PRISM.pageRange, iris.PRISM.doi,
                 iris.FABIO.hasPubMedId, iris.FABIO.hasPubMedCentralId)
TITLES_ALIKE = 90  # rapidfuzz token-set ratio from which two titles name one work


def match(graph: Graph, context, stem: str, skip=None) -> list[str]:
    """Match the works of an imported document (``graph``, changed in place) to the works of ``context`` (a
    store; the graph ``skip`` left out): by DOI, then PMID, then first author + year + title. A matched work
    takes the existing IRI, keeps the values the graph has (a differing one is named in the evidence), and the
    evidence is recorded as a ``pkg:WorkMatch``; a work whose key is taken by another work gets a distinct key.
    Returns one line per decision, for the report."""
    decisions = []
    for work in sorted({w for w in graph.subjects(RDF.type, None) if iris.is_work(w)}):
        found, how = _find(graph, context, work, skip)
        if found is None and how:  # the key is taken by another work
            family, year, title = _key_parts(graph, work)
            distinct = iris.work(iris.work_key(family, year, title, distinct=True))
            _rename(graph, work, distinct)
            decisions.append(f"{iris.key_of(work)} is another work ({how}): named {iris.key_of(distinct)}")
            continue
        if found is None:
            continue
        if found != work:
            _rename(graph, work, found)
        passages = [q.object for q in context.quads_for_pattern(ox.NamedNode(str(found)), ox.NamedNode(str(PROV.wasDerivedFrom)), None, None)
                    if skip is None or q.graph_name != skip]
        if all(str(p.value).startswith(str(iris.mint("passage", stem)) + "/") for p in passages):
            continue  # the graph has this work from this same document: nothing to match
        kept = _keep_existing(graph, context, found, skip)
        evidence = iris.import_match(found, stem)
        graph.add((evidence, RDF.type, PKG.WorkMatch))
        graph.add((evidence, PKG.matchedWork, found))
        graph.add((evidence, PKG.matchKey, Literal(how.split(":", 1)[0])))
        graph.add((evidence, RDFS.comment, Literal(how + "".join(f"; {k}" for k in kept))))
        for passage in [*graph.objects(found, PROV.wasDerivedFrom), *(URIRef(p.value) for p in passages)]:
            graph.add((evidence, PROV.wasDerivedFrom, passage))
        decisions.append(f"{iris.key_of(found)}: {how}")
    return decisions


def _find(graph: Graph, context, work: URIRef, skip) -> tuple[URIRef | None, str]:
    for predicate, label in ((iris.PRISM.doi, "DOI"), (iris.FABIO.hasPubMedId, "PMID")):
        value = graph.value(work, predicate)
        if value is None:
            continue
        for written in dict.fromkeys((str(value), str(value).lower(), str(value).upper())):
            for quad in context.quads_for_pattern(None, ox.NamedNode(str(predicate)), ox.Literal(written), None):
                if (skip is None or quad.graph_name != skip) and isinstance(quad.subject, ox.NamedNode):
                    return URIRef(quad.subject.value), f"{label} {value}: the same {label} as the graph's work"
    existing = [q for q in context.quads_for_pattern(ox.NamedNode(str(work)), None, None, None) if skip is None or q.graph_name != skip]
    if not existing:
        return None, ""
    family, year, title = _key_parts(graph, work)
    theirs = [q.object.value for q in existing if q.predicate.value == str(PKG.authorsAsWritten)]
    ours = [str(a) for a in graph.objects(work, PKG.authorsAsWritten)]
    their_title = next((q.object.value for q in existing if q.predicate.value == str(DCTERMS.title)), None)
    alike = fuzz.token_set_ratio(title, their_title, processor=utils.default_process) if title and their_title else None
    if alike is not None and alike < TITLES_ALIKE:
        return None, f"titles differ: {title!r} and {their_title!r}"
    for a in ours:
        for b in theirs:
            short, full = sorted((_families(a), _families(b)), key=len)
            if not _compatible(short, full):
                return None, f"authors differ: {a!r} and {b!r}"
    alike_text = f", titles {alike:.0f}% alike" if alike is not None else ""
    return work, f"{family} {year}: same first author ({family}) and year ({year}), author lists consistent{alike_text}"


def _key_parts(graph: Graph, work: URIRef) -> tuple[str, str | None, str]:
    written = next((str(a) for a in graph.objects(work, PKG.authorsAsWritten)), "")
    families = _families(written) if written else []
    title = str(graph.value(work, DCTERMS.title) or "")
    year = graph.value(work, iris.FABIO.hasPublicationYear)
    return (families[0][0] if families else title), (str(year) if year is not None else None), title


def _families(text: str) -> list[tuple[str, bool]]:
    """Family names of an author list as any reader writes it: 'Mowbray, Carol T.; Moxley, David P.' (the
    exchange formats) or the seeds' forms ('Mowbray CT, Moxley DP', 'Moll et al.', 'Yuen & Fossey')."""
    if ";" in text or re.fullmatch(r"[^,]+, [^,]+", text) and not re.search(r" [A-Z]{1,3}$", text.split(",")[0]):
        return [(name.split(",")[0].strip(), False) for name in text.split(";")]
    return _names(text)


def _rename(graph: Graph, old: URIRef, new: URIRef) -> None:
    """``old`` becomes ``new``, and so do the IRIs minted under it (its authorships, ``…/author/1``)."""
    for part in {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(old + "/")}:
        _rename(graph, part, URIRef(new + part[len(old):]))
    for s, p, o in list(graph.triples((old, None, None))):
        graph.remove((s, p, o))
        graph.add((new, p, o))
    for s, p, o in list(graph.triples((None, None, old))):
        graph.remove((s, p, o))
        graph.add((s, p, new))


def _keep_existing(graph: Graph, context, work: URIRef, skip) -> list[str]:
    """Where the graph already states a single-valued property of ``work``, its value stays and the file's is left out."""
    kept = []
    for predicate in SINGLE_VALUED:
        theirs = [q.object for q in context.quads_for_pattern(ox.NamedNode(str(work)), ox.NamedNode(str(predicate)), None, None)
                  if skip is None or q.graph_name != skip]
        if not theirs:
            continue
        for ours in list(graph.objects(work, predicate)):
            if str(ours) != theirs[0].value:
                graph.remove((work, predicate, ours))
                kept.append(f"kept the graph's {graph.namespace_manager.qname(predicate)} {theirs[0].value!r} (the file has {str(ours)!r})")
    return kept

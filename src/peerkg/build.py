"""The build: seeds → parsed graphs → cross-document links → SHACL gate → a new published store version."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, XSD

from . import __version__, backends, formats, iris, linking, seeds, shapes, vocabulary
from .curation import carry as curated
from .config import Settings
from .iris import PKG

log = logging.getLogger(__name__)

VOCABULARIES = "vocabularies"
ONTOLOGY = "ontology"
LINKS = "links"
BUILD = "build"
INPUT_SUFFIXES = {".txt", ".toml", ".ttl", ".py"}


@dataclass(frozen=True)
class BuildResult:
    version: str
    graphs: dict[str, int]  # graph IRI → triple count


def assemble(settings: Settings) -> dict[str, Graph]:
    """Every graph of a build, by graph name, without the build activity (deterministic for the same seeds)."""
    vocab = vocabulary.load(settings.vocab_dir)
    graphs: dict[str, Graph] = {}
    digests: dict[str, str] = {}
    for seed in seeds.manifest(settings.seeds_dir):
        text, digests[seed.stem] = seed.read()
        log.info("parsing %s with peerkg.parsers.%s", seed.file, seed.stem)
        graph = seed.parser.parse(text, vocab)
        graph.add((iris.document(seed.stem), PKG.sha256, Literal(digests[seed.stem])))
        graphs[seed.stem] = graph
        log.info("  %d triples", len(graph))
    graphs[LINKS] = linking.link({stem: graphs[stem] for stem in digests})
    log.info("linked works across documents: %d triples", len(graphs[LINKS]))
    graphs[VOCABULARIES] = vocab.graph
    graphs[ONTOLOGY] = formats.read_files([settings.ontology_path])
    return graphs


def fingerprint(settings: Settings) -> str:
    """A digest of everything a build reads: data files, the code that converts them, and the version."""
    # The base is part of every IRI, so a build under another base is another build.
    digest = hashlib.sha256(f"{__version__}\n{iris.base()}".encode())
    sources = [settings.seeds_dir, settings.vocab_dir, settings.ontology_path.parent, settings.shapes_dir, Path(__file__).parent]
    for path in sorted(p for source in sources for p in source.rglob("*") if p.is_file() and p.suffix in INPUT_SUFFIXES):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_current(settings: Settings, backend=None) -> bool:
    """Whether the published version was built from exactly these inputs."""
    return (backend or backends.open(settings)).fingerprint() == fingerprint(settings)


def build(settings: Settings, backend=None) -> BuildResult:
    """Parse, link, validate and publish; on any error the published version is left as it was."""
    started = dt.datetime.now(dt.timezone.utc)
    graphs = assemble(settings)
    graphs[BUILD] = _activity(graphs, started, _inputs(settings))
    quads = [quad for name, graph in graphs.items() for quad in _quads(name, graph)]
    data = ox.Store()  # every graph but the ontology, merged; shapes.validate adds the ontology
    ontology = iris.graph(ONTOLOGY)
    data.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads if q.graph_name.value != str(ontology))
    log.info("validating %d triples against %s", len(data), settings.shapes_dir)
    shapes_graph = shapes.load(settings.shapes_dir)
    shapes.validate(data, shapes_graph, ontology=graphs[ONTOLOGY])
    backend = backend or backends.open(settings)
    with backend.writer():
        kept = curated.carried_over(backend)
        if kept:
            log.info("keeping %d curated triples in %d graphs; checking them against the new graph", len(kept),
                     len({q.graph_name for q in kept}))
            curated.check_against(kept, quads, shapes_graph, graphs[ONTOLOGY])
        version = backend.publish(quads, fingerprint(settings), keep={q.graph_name for q in kept})
    log.info("published version %s in %s", version, backend.name)
    counts = {str(iris.graph(name)): len(graph) for name, graph in graphs.items()}
    for quad in kept:
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return BuildResult(version, counts)


def _quads(name: str, graph: Graph):
    """rdflib → pyoxigraph through N-Triples: pyoxigraph's parser does the bulk work."""
    node = ox.NamedNode(str(iris.graph(name)))
    for triple in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(triple.subject, triple.predicate, triple.object, node)


def _inputs(settings: Settings) -> dict[str, str]:
    """The data files a build reads besides the seeds, by path relative to the project, with their SHA-256."""
    paths = [settings.seeds_dir / "manifest.toml", settings.ontology_path, *sorted(settings.vocab_dir.glob("*.ttl")),
             *sorted(settings.shapes_dir.glob("*.ttl"))]
    return {str(path.relative_to(settings.root)): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def _activity(graphs: dict[str, Graph], started: dt.datetime, inputs: dict[str, str]) -> Graph:
    """The build activity: when, with which software, from which inputs (each with its SHA-256)."""
    seeds = sorted(str(graphs[stem].value(iris.document(stem), PKG.sha256)) for stem in _seed_stems(graphs))
    digest = hashlib.sha256("\n".join([__version__, *seeds, *sorted(inputs.values())]).encode()).hexdigest()[:16]
    activity, software = iris.build_activity(digest), iris.software(__version__)
    graph = Graph()
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, PROV.startedAtTime, _time(started)))
    graph.add((activity, PROV.endedAtTime, _time(dt.datetime.now(dt.timezone.utc))))
    graph.add((activity, PROV.wasAssociatedWith, software))
    graph.add((software, RDF.type, PROV.SoftwareAgent))
    graph.add((software, SDO.softwareVersion, Literal(__version__)))
    for stem in _seed_stems(graphs):
        graph.add((activity, PROV.used, iris.document(stem)))
        graph.add((iris.graph(stem), PROV.wasGeneratedBy, activity))
        graph.add((iris.document(stem), PKG.sha256, graphs[stem].value(iris.document(stem), PKG.sha256)))
    for name, sha256 in inputs.items():
        entity = iris.build_input(name)
        graph.add((activity, PROV.used, entity))
        graph.add((entity, RDF.type, PROV.Entity))
        graph.add((entity, DCTERMS.identifier, Literal(name)))
        graph.add((entity, PKG.sha256, Literal(sha256)))
    graph.add((activity, DCTERMS.description, Literal("peerkg build: seeds parsed, linked, validated and loaded")))
    return graph


def _time(moment: dt.datetime) -> Literal:
    """An xsd:dateTime to the second: owlready2 hands HermiT fractions of a second as six digits, which it rejects."""
    return Literal(moment.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _seed_stems(graphs: dict[str, Graph]) -> list[str]:
    return [name for name in graphs if name not in (VOCABULARIES, ONTOLOGY, LINKS, BUILD)]

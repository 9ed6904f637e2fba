"""peerkg.build: the same seeds give the same triples; a failed build leaves the published store as it was."""

from __future__ import annotations

import hashlib
import os

import pyoxigraph as ox
import pytest

from peerkg import build, iris, store
from peerkg.config import PROJECT_ROOT
from peerkg.errors import SeedError, ValidationFailed


def graph_dumps(data_dir) -> dict[str, bytes]:
    current = store.open_current(data_dir)
    return {
        g.value: current.dump(ox.RdfFormat.N_TRIPLES, graph=g)
        for g in current.named_graphs()
        if g.value != str(iris.graph("build"))
    }


def test_the_same_seeds_give_byte_identical_graphs(built, project_copy):
    build.build(project_copy)
    assert graph_dumps(project_copy.data_dir) == graph_dumps(built.data_dir)


def test_graphs_and_their_sizes(built, kg):
    names = [g.value.removeprefix(iris.base() + "graph/") for g in kg.named_graphs()]
    assert names == [
        "build", "job_description", "links", "metasynthesis_page", "ontology", "review_table3", "umbrella_table6",
        "vocabularies",
    ]


def test_build_provenance_records_each_input(kg):
    result = kg.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX pkg: <https://w3id.org/peerkg/ontology#> "
        "SELECT ?file ?sha WHERE { ?build prov:used ?doc . ?doc pkg:sha256 ?sha ; <http://purl.org/dc/terms/identifier> ?file } ORDER BY ?file"
    )
    recorded = {s["file"].value: s["sha"].value for s in result}
    sums = dict(line.split("  ")[::-1] for line in (PROJECT_ROOT / "seeds" / "SHA256SUMS").read_text().splitlines())
    others = ["seeds/manifest.toml", "ontology/peerkg.ttl", *(f"vocab/{p.name}" for p in sorted((PROJECT_ROOT / "vocab").glob("*.ttl"))),
              *(f"shapes/{p.name}" for p in sorted((PROJECT_ROOT / "shapes").glob("*.ttl")))]
    expected = sums | {name: hashlib.sha256((PROJECT_ROOT / name).read_bytes()).hexdigest() for name in others}
    assert recorded == expected and len(recorded) == 4 + 1 + 1 + 3 + 8


def test_a_violation_fails_the_build_and_keeps_the_published_store(project_copy):
    build.build(project_copy)
    published = os.readlink(store.current_path(project_copy.data_dir))
    versions = sorted(p.name for p in (project_copy.data_dir / "stores").iterdir())
    carers = project_copy.vocab_dir / "sample-groups.ttl"
    # A second English preferred label: SKOS allows one per language.
    carers.write_text(carers.read_text().replace('skos:prefLabel "Carers"@en ;', 'skos:prefLabel "Carers"@en, "Carer"@en ;'))
    with pytest.raises(ValidationFailed) as failure:
        build.build(project_copy)
    assert "id/sample-group/carers" in failure.value.message
    assert "skos:prefLabel" in failure.value.message
    assert os.readlink(store.current_path(project_copy.data_dir)) == published
    assert sorted(p.name for p in (project_copy.data_dir / "stores").iterdir()) == versions


def test_a_changed_seed_is_refused_by_its_checksum(project_copy):
    seed = project_copy.seeds_dir / "000_55cb9b85baa6787a.txt"
    seed.write_bytes(seed.read_bytes().replace(b"(n=23)", b"(n=24)"))
    with pytest.raises(SeedError, match=r"000_55cb9b85baa6787a\.txt: SHA-256 .* differs from SHA256SUMS"):
        build.build(project_copy)
    assert not store.current_path(project_copy.data_dir).exists()


def test_the_store_holds_exactly_the_validated_triples(built, kg):
    """Nothing is lost or rewritten on the way in (Oxigraph canonicalises derived integer types, so the
    parsers write xsd:integer)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    for name, graph in build.assemble(built).items():
        held = kg.dump(ox.RdfFormat.N_TRIPLES, graph=ox.NamedNode(str(iris.graph(name))))
        assert isomorphic(Graph().parse(data=held, format="nt"), graph), name

"""seeds/: byte-for-byte copies of the source documents, and a manifest that agrees with what the parsers read."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, FOAF, XSD

from peerkg import build, iris, seeds
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.iris import FABIO, PKG, PRISM

MANIFEST = seeds.manifest(PROJECT_ROOT / "seeds")
SHARED = PROJECT_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def graphs():
    return build.assemble(Settings())


def test_manifest_lists_every_seed_once():
    files = sorted(p.name for p in (PROJECT_ROOT / "seeds").glob("*.txt"))
    assert sorted(seed.file for seed in MANIFEST) == files
    assert [seed.stem for seed in MANIFEST] == ["review_table3", "umbrella_table6", "metasynthesis_page", "job_description"]


@pytest.mark.parametrize("seed", MANIFEST, ids=lambda s: s.stem)
def test_seed_matches_its_checksum_and_the_shared_copy(seed):
    text, digest = seed.read()
    if (SHARED / seed.file).exists():
        assert hashlib.sha256((SHARED / seed.file).read_bytes()).hexdigest() == digest
    assert seed.parser.STEM == seed.stem


@pytest.mark.parametrize("seed", MANIFEST, ids=lambda s: s.stem)
def test_manifest_states_what_the_parser_reads(graphs, seed):
    assert seed.parser.ARTICLE_KEY == seed.article_key
    # what the build's parser tells its reader is what an import of the seed tells it ([seed.reader])
    assert getattr(seed.parser, "READER_OPTIONS", {}) == seed.reader
    graph, article = graphs[seed.stem], iris.work(seed.article_key)
    expected = {
        "title": (DCTERMS.title, lambda v: Literal(v)),
        "year": (FABIO.hasPublicationYear, lambda v: Literal(str(v), datatype=XSD.gYear)),
        "doi": (PRISM.doi, lambda v: Literal(v)),
        "pmid": (FABIO.hasPubMedId, lambda v: Literal(v)),
        "volume": (PRISM.volume, lambda v: Literal(v)),
        "pages": (PRISM.pageRange, lambda v: Literal(v)),
        "specialty": (PKG.specialty, lambda v: Literal(v)),
    }
    for field, value in seed.states.items():
        if field in expected:
            predicate, term = expected[field]
            assert graph.value(article, predicate) == term(value), field
    if "authors" in seed.states:
        names = {str(graph.value(p, FOAF.name)) for p in graph.objects(article, DCTERMS.creator)}
        assert names == set(seed.states["authors"])
    assert graph.value(iris.document(seed.stem), DCTERMS.isPartOf) == article

"""Another article of the seed's kind ``article-with-references`` (tests/data/import/role-description.txt)
imported beside the seeds: its peer role activities, several of the same labels as the job description's,
are its own (``iris.role_activity_keys``)."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, SKOS

from peerkg import queries, store
from peerkg.config import PROJECT_ROOT, Settings
from peerkg.curation import imports
from peerkg.iris import PKG

from conftest import rows

DATA = PROJECT_ROOT / "tests" / "data" / "import"
W = "https://w3id.org/peerkg/id/"
ROLES = "role-description-896eed8c"  # the stem of tests/data/import/role-description.txt
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (DATA / name).read_bytes()) for name in names]


@pytest.fixture
def writable(built, tmp_path) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.log", "downloads"))
    return Settings(data_dir=data)


def test_another_articles_role_activities_are_its_own(built):
    """Its scheme and concepts are minted within its key (its stem), in text order, with their passage."""
    graph, documents = imports.read(built, files("role-description.txt"), None)
    assert [(d.kind, d.stem, d.triples) for d in documents] == [("article-with-references", ROLES, 356)]
    scheme = URIRef(W + f"scheme/{ROLES}-role-activities")
    assert set(graph.subjects(RDF.type, SKOS.ConceptScheme)) == {scheme}
    assert graph.value(scheme, DCTERMS.title) == Literal(
        "Peer role activities of What do peer navigators do in emergency care? A role description", lang="en")
    activities = {str(c)[len(W):]: (str(graph.value(c, SKOS.prefLabel)), graph.value(c, SDO.position).toPython())
                  for c in graph.subjects(RDF.type, PKG.RoleActivity)}
    prefix = f"role-activity/{ROLES}/"
    assert activities == {prefix + key: value for key, value in {
        "direct-work": ("direct work", 1), "indirect-work": ("indirect work", 2),
        "advocacy": ("advocacy", 1), "experiential-sharing": ("experiential sharing", 2),
        "accompaniment-to-appointments": ("accompaniment to appointments", 3),
        "shift-handover": ("shift handover", 1), "record-keeping": ("record keeping", 2),
        "supervision-training": ("supervision/training", 3),
        "work-aimed-at-reaching-families": ("work aimed at reaching families", 3),
        "philosophy-of-work": ("philosophy of work", 4),
        "presence": ("presence", 1), "hope": ("hope", 2), "role-modeling": ("role modeling", 3)}.items()}
    assert set(graph.objects(None, SKOS.inScheme)) == {scheme}
    assert sorted(str(c)[len(W + prefix):] for c in graph.objects(scheme, SKOS.hasTopConcept)) == [
        "direct-work", "indirect-work", "philosophy-of-work", "work-aimed-at-reaching-families"]
    sharing = URIRef(W + prefix + "experiential-sharing")
    assert graph.value(sharing, SKOS.broader) == URIRef(W + prefix + "direct-work")
    assert graph.value(sharing, SKOS.scopeNote) == Literal(
        "As the Results of the article's abstract name it: one of the main types of direct work; the abstract lists it "
        "without a definition.", lang="en")
    passage = graph.value(sharing, PROV.wasDerivedFrom)
    assert (graph.value(passage, PKG.line).toPython(), str(graph.value(passage, PKG.locator))) == (11, "abstract, Results")


def test_it_imports_beside_the_seeds_once_and_the_seeds_activities_stay_apart(writable, kg):
    """It conforms in the context of the seeds (its 'experiential sharing' is not the seed's, so neither has two
    positions), importing it twice is once, the canned queries answer for the seed as before and for it when
    asked, and its activities have their pages."""
    first = imports.run(writable, files("role-description.txt"), agent="alice")
    assert (first.created, first.triples, first.decisions) == (
        True, 363, ["mowbray-1996: DOI 10.1007/BF02249367: the same DOI as the graph's work"])
    again = imports.run(writable, files("role-description.txt"), agent="alice")
    assert again.unchanged and again.commit is None
    current = store.open_current(writable.data_dir)
    # the seed's activity of the same label: one position, the seed's scheme, the seed's passage only
    seed_sharing = ox.NamedNode(W + "role-activity/experiential-sharing")
    assert [(q.object.value, q.graph_name.value) for q in current.quads_for_pattern(seed_sharing, ox.NamedNode(str(SDO.position)), None, None)] == [
        ("3", "https://w3id.org/peerkg/graph/job_description")]
    assert [q.object.value for q in current.quads_for_pattern(seed_sharing, ox.NamedNode(SKOS_NS + "inScheme"), None, None)] == [
        W + "scheme/peer-role-activities"]
    for name in ("role_activities", "role_activities_by_group"):
        canned = queries.get(PROJECT_ROOT / "queries", name)
        assert rows(canned.run(current, {})) == rows(canned.run(kg, {})), name
    scheme = {"scheme": f"id/scheme/{ROLES}-role-activities"}
    answered = rows(queries.get(PROJECT_ROOT / "queries", "role_activities").run(current, scheme))
    assert [(r["group"], r["activity"]) for r in answered] == [
        ("direct work", "advocacy"), ("direct work", "experiential sharing"), ("direct work", "accompaniment to appointments"),
        ("indirect work", "shift handover"), ("indirect work", "record keeping"), ("indirect work", "supervision/training"),
        ("work aimed at reaching families", "work aimed at reaching families"),
        ("philosophy of work", "presence"), ("philosophy of work", "hope"), ("philosophy of work", "role modeling")]
    by_group = rows(queries.get(PROJECT_ROOT / "queries", "role_activities_by_group").run(
        current, {**scheme, "group": f"id/role-activity/{ROLES}/indirect-work"}))
    assert [(r["activity"], r["alt_labels"]) for r in by_group] == [
        ("shift handover", None), ("record keeping", None), ("supervision/training", "supervision, training")]
    from peerkg.web import create_app

    client = create_app({"TESTING": True, "DATA_DIR": str(writable.data_dir)}).test_client()
    page = client.get(f"/id/role-activity/{ROLES}/experiential-sharing.html")
    assert page.status_code == 200, page.text
    assert "<h1>experiential sharing</h1>" in page.text
    assert f'<a href="/id/role-activity/{ROLES}/direct-work">direct work</a>' in page.text
    assert "role-description.txt</a>, abstract, Results, line 11" in page.text

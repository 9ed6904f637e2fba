"""The list of a version's resources: written from the store, searched by prefix without a scan."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import RDF

from peerkg import backends, exports, resource_list
from peerkg.backends import Limits

from conftest import PROJECT_ROOT, app_config

ID = "https://w3id.org/peerkg/id/"


def test_the_list_holds_every_resource_with_a_page_sorted(backend, tmp_path):
    resource_list.write(backend, tmp_path, PROJECT_ROOT / "queries", Limits(60, 2**30))
    listed = resource_list.read(tmp_path)
    assert listed == sorted(listed, key=lambda iri: iri.encode("utf-8")) and len(listed) == len(set(listed))
    assert f"{ID}study/mowbray-1996" in listed and f"{ID}person/von-peter-s" in listed
    assert all(iri.startswith(ID) for iri in listed)
    # what the sitemap lists: every typed resource in the URI space
    typed = {q.subject.value for q in backend.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, None)}
    assert listed == sorted(iri for iri in typed if iri.startswith(ID)) and len(listed) == 772
    assert not list(tmp_path.glob(".*"))  # no partial file left beside it


def test_a_prefix_finds_the_iris_beside_a_missing_one(backend, tmp_path):
    resource_list.write(backend, tmp_path, PROJECT_ROOT / "queries", Limits(60, 2**30))
    listed = resource_list.read(tmp_path)
    for prefix in (f"{ID}study/mowbray-19", f"{ID}study/", f"{ID}theme/w", ID, f"{ID}zzz", f"{ID}", "a", "\U0010ffff"):
        expected = [iri for iri in listed if iri.startswith(prefix)][:12]
        assert resource_list.starting_with(tmp_path, prefix, 12) == expected, prefix
    assert resource_list.starting_with(tmp_path, f"{ID}study/mowbray-199", 12) == [
        f"{ID}study/mowbray-1996", f"{ID}study/mowbray-1996/informants/peer-support-specialists-who-completed-the-training",
        f"{ID}study/mowbray-1998", f"{ID}study/mowbray-1998/informants/former-peer-support-specialists"]


def test_without_a_list_there_is_nothing_to_read(tmp_path):
    assert resource_list.read(tmp_path) is None and resource_list.starting_with(tmp_path, ID, 12) is None
    (tmp_path / resource_list.FILE).write_bytes(b"")
    assert resource_list.read(tmp_path) == [] and resource_list.starting_with(tmp_path, ID, 12) == []
    (tmp_path / resource_list.FILE).write_bytes("a\nb\nb/ü\nc\n".encode())
    assert resource_list.starting_with(tmp_path, "b", 12) == ["b", "b/ü"]
    assert resource_list.starting_with(tmp_path, "b/", 1) == ["b/ü"]
    assert resource_list.starting_with(tmp_path, "d", 12) == []


def test_the_list_says_whether_it_names_an_iri(tmp_path):
    assert not resource_list.lists(tmp_path, "b")  # no list
    (tmp_path / resource_list.FILE).write_bytes("a\nb/ü\nba\nc\n".encode())
    assert resource_list.lists(tmp_path, "b/ü") and resource_list.lists(tmp_path, "a") and resource_list.lists(tmp_path, "c")
    assert not resource_list.lists(tmp_path, "b") and not resource_list.lists(tmp_path, "b/") and not resource_list.lists(tmp_path, "d")


def test_a_listed_resource_is_redirected_to_its_page_without_describing_it(writable_settings, monkeypatch):
    from peerkg.web import create_app, kg

    backend = backends.open(writable_settings)
    products = exports.location(writable_settings.data_dir, backend.version())
    products.mkdir(parents=True)
    resource_list.write(backend, products, PROJECT_ROOT / "queries", Limits(60, 2**30))
    client = create_app({"TESTING": True, **app_config(writable_settings)}).test_client()
    described = []
    run = kg.run
    monkeypatch.setattr(kg, "run", lambda query, *a, **k: described.append(query) or run(query, *a, **k))
    response = client.get("/id/study/mowbray-1996", headers={"Accept": "text/html"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/id/study/mowbray-1996.html")
    assert described == []
    assert client.get("/id/study/no-such-1996", headers={"Accept": "text/html"}).status_code == 404
    assert len(described) == 1  # an IRI the list lacks is looked for in the store

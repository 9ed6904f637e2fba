"""peerkg.web.httpcache: repeated reads are answered from memory, and never across store versions."""

from __future__ import annotations

import pyoxigraph as ox

from peerkg import store
from peerkg.web import create_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def publish(data_dir, n):
    graph = ox.NamedNode("https://w3id.org/peerkg/graph/test")
    store.publish(data_dir, [ox.Quad(ox.NamedNode(f"urn:s:{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)), graph) for i in range(n)])


def count(client, **headers):
    response = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv", **headers})
    return response.status_code, response.get_data(as_text=True).splitlines()[-1]


def test_a_new_store_version_is_served_at_once(tmp_path):
    publish(tmp_path, 3)
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path)})
    client = app.test_client()
    assert count(client) == (200, "3")
    assert count(client) == (200, "3")
    publish(tmp_path, 5)
    assert count(client) == (200, "5")


def test_responses_differ_by_the_headers_they_vary_on(tmp_path):
    publish(tmp_path, 2)
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path)}).test_client()
    as_csv = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    as_json = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert (as_csv.content_type, as_json.content_type) == ("text/csv; charset=utf-8", "application/sparql-results+json")
    again = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv", "If-None-Match": as_csv.headers["ETag"]})
    assert again.status_code == 304
    with_origin = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv", "Origin": "https://a.example"})
    assert with_origin.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"}).headers["Access-Control-Allow-Origin"] == "*"


def test_errors_are_not_kept(tmp_path):
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path)}).test_client()
    assert client.get("/sparql", query_string={"query": COUNT}).status_code == 503
    publish(tmp_path, 1)
    assert count(client) == (200, "1")


def test_behind_a_proxy_the_service_description_names_the_public_url(tmp_path):
    publish(tmp_path, 1)
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "TRUSTED_PROXIES": 1}).test_client()
    response = client.get("/sparql", headers={"Accept": "application/n-triples", "X-Forwarded-Proto": "https",
                                               "X-Forwarded-Host": "kg.example.org", "X-Forwarded-Prefix": "/peer"})
    assert "<https://kg.example.org/peer/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint> <https://kg.example.org/peer/sparql> ." in response.get_data(as_text=True)

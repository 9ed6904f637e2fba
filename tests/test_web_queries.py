"""/queries over real HTTP: the listing, running canned queries with URL parameters, suffixes and errors."""

from __future__ import annotations

import requests

from peerkg import queries
from peerkg.config import PROJECT_ROOT

CANNED = queries.load_all(PROJECT_ROOT / "queries")


def test_listing_as_json_and_html(server):
    listing = requests.get(server + "/queries", headers={"Accept": "application/json"})
    assert listing.headers["Content-Type"] == "application/json"
    names = [entry["name"] for entry in listing.json()["queries"]]
    assert names == sorted(CANNED)
    table3 = next(entry for entry in listing.json()["queries"] if entry["name"] == "table3")
    assert table3["url"] == server + "/queries/table3"
    assert table3["title"] == "Table 3 of the literature review, rebuilt from the graph"
    page = requests.get(server + "/queries", headers={"Accept": "text/html"})
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<h2><a href="' + server + '/queries/table3">Table 3 of the literature review' in page.text


def test_run_with_suffixes(server):
    csv = requests.get(server + "/queries/table3.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert len(csv.text.splitlines()) == 13
    tsv = requests.get(server + "/queries/role_activities.tsv")
    assert tsv.text.splitlines()[:2] == ['?scheme\t?group\t?activity', '<https://w3id.org/peerkg/id/scheme/peer-role-activities>\t"direct work"@en\t"advocacy"@en']
    as_json = requests.get(server + "/queries/table6.json")
    assert as_json.headers["Content-Type"] == "application/sparql-results+json"
    assert len(as_json.json()["results"]["bindings"]) == 42


def test_negotiates_like_the_endpoint(server):
    response = requests.get(server + "/queries/table3", headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    assert requests.get(server + "/queries/table3.ttl").status_code == 406
    assert requests.get(server + "/queries/table3", headers={"Accept": "image/png"}).status_code == 406


def test_parameters_are_bound_as_terms(server):
    response = requests.get(server + "/queries/works_by_author.json", params={"family": "Mowbray"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 3
    # A value that would break out of a query it were pasted into is only an odd string when bound.
    odd = requests.get(server + "/queries/works_by_author.json", params={"family": '") } } UNION { ?s ?p ?o } #'})
    assert odd.status_code == 200 and odd.json()["results"]["bindings"] == []


def test_bad_parameters_are_400_naming_them(server):
    unknown = requests.get(server + "/queries/table3", params={"colour": "red"})
    assert unknown.status_code == 400
    assert unknown.json()["parameter"] == "colour"
    assert "query 'table3' has no parameter 'colour'" in unknown.json()["detail"]
    iri_param = next((q, p) for q in CANNED.values() for p in q.params if p.type == "iri")
    bad = requests.get(server + f"/queries/{iri_param[0].name}", params={iri_param[1].name: "not an iri <>"})
    assert bad.status_code == 400 and bad.json()["parameter"] == iri_param[1].name


def test_unknown_query_is_404(server):
    response = requests.get(server + "/queries/no_such_query")
    assert response.status_code == 404
    assert response.json()["detail"] == "no canned query named 'no_such_query' (see /queries)"


def test_the_listing_has_an_index_by_tag_and_filters_by_tag(server):
    import re

    tags = sorted({tag for query in CANNED.values() for tag in query.tags})
    page = requests.get(server + "/queries", headers={"Accept": "text/html"}).text
    index = re.search(r'<nav aria-label="Queries by tag" class="tag-index">(.*?)</nav>', page, re.DOTALL)[1]
    assert re.findall(r'<dt id="tag-([^"]+)">', index) == tags
    provenance = [name for name, query in CANNED.items() if "provenance" in query.tags]
    listed = re.search(r'<dt id="tag-provenance">.*?<dd>(.*?)</dd>', index, re.DOTALL)[1]
    assert re.findall(r'<a href="#([a-z0-9_]+)">', listed) == provenance and provenance
    only = requests.get(server + "/queries", params={"tag": "provenance"}, headers={"Accept": "application/json"})
    assert [entry["name"] for entry in only.json()["queries"]] == provenance
    unknown = requests.get(server + "/queries", params={"tag": "nonsense"})
    assert unknown.status_code == 404 and "provenance" in unknown.json()["detail"]


def test_canned_queries_take_output_like_format(server):
    assert requests.get(server + "/queries/table3", params={"output": "csv"}).headers["Content-Type"] == "text/csv; charset=utf-8"
    page = requests.get(server + "/queries/table3", params={"format": "html"})
    assert page.headers["Content-Type"] == "text/html; charset=utf-8" and "<h1>Table 3" in page.text
